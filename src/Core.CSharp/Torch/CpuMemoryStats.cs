// CpuMemoryStats.cs: a snapshot of GenDsl's caching CPU allocator (Torch.CpuMemoryStats()).
namespace GenDsl.Torch;

/// <summary>
/// Large-block figures of GenDsl's CPU allocator (native/allocator.cpp): <paramref name="InUseBytes"/> held by live
/// tensors, <paramref name="CachedBytes"/> freed and kept for the next request of the same size, <paramref name="PeakBytes"/>
/// the most ever in use; <paramref name="Hits"/> requests served from kept blocks, <paramref name="Misses"/> newly mapped;
/// blocks under <paramref name="ThresholdBytes"/> go to libtorch's default allocator and are not counted.
/// </summary>
public sealed record CpuMemoryStats(long InUseBytes, long CachedBytes, long PeakBytes, long Hits, long Misses, long ThresholdBytes)
{
    /// <summary>False under GENDSL_MALLOC=default or heap (libtorch's own allocator).</summary>
    public bool Enabled => ThresholdBytes > 0;
}
