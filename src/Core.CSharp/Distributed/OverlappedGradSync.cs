// OverlappedGradSync.cs: gradient synchronisation overlapped with backward — each bucket's all-reduce starts when backward has computed all its gradients (hooks on the parameters).
using GenDsl.Torch;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Distributed;

/// <summary>
/// The gradients of <see cref="GradSync"/> (grad = Σ_r share_r grad_r on every rank), with the all-reduces overlapped
/// with backward as PyTorch DDP's Reducer does: hooks on the parameters copy each gradient, as backward computes it,
/// into its bucket (buckets over the parameters in reverse order, the first at most <see cref="FirstBucketBytes"/>,
/// the others at most BucketBytes); a bucket whose gradients have all arrived is scaled by the share and its Gloo
/// all-reduce queued at once, in bucket order (so every rank queues the same collectives in the same order).
/// <see cref="Finish_"/> waits for them and writes the gradients. Use:
/// <code>sync.Arm(share); loss.Backward(); sync.Finish_();</code>
/// A parameter whose gradient never arrives (unused on this rank) counts as zeros. The hooks act only between Arm and
/// Finish_; Dispose removes them.
/// </summary>
public sealed class OverlappedGradSync : IDisposable
{
    private readonly ProcessGroup group;
    private readonly Tensor[] parameters;
    private IntPtr handle;
    private bool armed;

    /// <summary>DDP's first bucket: small, so that its all-reduce starts early in backward.</summary>
    public const long DefaultFirstBucketBytes = 1L << 20;

    public OverlappedGradSync(ProcessGroup group, IEnumerable<Tensor> parameters, long bucketBytes = 25L << 20, long firstBucketBytes = DefaultFirstBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameters);
        if (bucketBytes < 1 || firstBucketBytes < 1)
            throw new ArgumentException($"OverlappedGradSync: bucket sizes must be at least 1 byte (got {bucketBytes} and first {firstBucketBytes}); PyTorch DDP uses 25 MB and a first bucket of 1 MB");
        (this.group, this.parameters, BucketBytes, FirstBucketBytes) = (group, parameters.ToArray(), bucketBytes, firstBucketBytes);
        Check(gd_pg_overlap_new(group.Handle, Tensor.Handles(this.parameters), this.parameters.Length, firstBucketBytes, bucketBytes, out handle), "OverlappedGradSync");
        GC.KeepAlive(this.parameters);
    }

    public long BucketBytes { get; }
    public long FirstBucketBytes { get; }

    private IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(OverlappedGradSync));

    /// <summary>Before backward: this rank's share n_r / N of the batch; the hooks start collecting gradients.</summary>
    public void Arm(double share)
    {
        if (!(share >= 0 && share <= 1)) throw new ArgumentException($"OverlappedGradSync.Arm: the share of the batch must be in [0, 1] (got {share})");
        Check(gd_pg_overlap_arm(Handle, share), "OverlappedGradSync.Arm");
        armed = true;
    }

    /// <summary>After backward: queues what is left, waits for every bucket; grad ← Σ_r share_r grad_r on every rank.</summary>
    public void Finish_()
    {
        if (!armed) throw new InvalidOperationException("OverlappedGradSync.Finish_: call Arm(share) before backward");
        armed = false;
        Check(gd_pg_overlap_finish(Handle), "OverlappedGradSync.Finish_");
        GC.KeepAlive(group);
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) gd_pg_overlap_free(h);
    }
}
