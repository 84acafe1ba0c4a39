// Torch.FromBuffer.cs: tensors over existing .NET memory, without a copy (torch.frombuffer; libtorch's from_blob).
using System.Runtime.InteropServices;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

using TorchTensor = GenDsl.Torch.Tensor;

public static partial class Torch
{
    /// <summary>
    /// A CPU tensor over <paramref name="array"/>'s elements, without a copy (PyTorch's <c>torch.frombuffer</c>): a write
    /// through either is seen by the other. See <see cref="FromBuffer{T}(Memory{T}, long[])"/>.
    /// </summary>
    public static TorchTensor FromBuffer<T>(T[] array, long[]? shape = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return FromBuffer(array.AsMemory(), shape);
    }

    /// <summary>
    /// A CPU tensor over <paramref name="memory"/>, without a copy: a write through either is seen by the other. The
    /// element type gives the dtype (float: Float32, double: Float64, long: Int64, int: Int32, short: Int16, byte: UInt8,
    /// sbyte: Int8, bool: Bool); <paramref name="shape"/> (default 1-d) must hold exactly memory.Length elements, laid out
    /// row-major. The memory is pinned and kept alive until the tensor's storage is freed — that is, until the tensor and
    /// every view of it (slices, reshapes) are disposed or collected — so the GC neither moves nor reclaims it
    /// meanwhile. For an offset or a count, pass <c>array.AsMemory(offset, count)</c>. Ops that make new tensors copy
    /// as usual; in-place ops (<c>Mul_</c>, <c>CopyFrom</c>) write into the memory.
    /// </summary>
    public static unsafe TorchTensor FromBuffer<T>(Memory<T> memory, long[]? shape = null) where T : unmanaged
    {
        var dtype = TorchTensor.TypeOf<T>();
        shape ??= new long[] { memory.Length };
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Torch.FromBuffer: shape [{string.Join(", ", shape)}] has a negative size", nameof(shape));
            n *= d;
        }
        if (n != memory.Length)
            throw new ArgumentException(
                $"Torch.FromBuffer: shape [{string.Join(", ", shape)}] holds {n} elements but the buffer has {memory.Length}; " +
                "pass a shape with as many elements, or slice the buffer (array.AsMemory(offset, count))", nameof(shape));
        var pin = memory.Pin();
        var ctx = GCHandle.ToIntPtr(GCHandle.Alloc(new PinnedBuffer(pin)));
        delegate* unmanaged<IntPtr, void> release = &Release;
        // On failure the native side has already called Release (exactly once either way).
        return W(gd_tensor_from_blob((IntPtr)pin.Pointer, shape, shape.Length, (int)dtype, (IntPtr)release, ctx, out var h), h);
    }

    /// <summary>What keeps a buffer pinned and alive while a tensor's storage uses it.</summary>
    private sealed class PinnedBuffer(System.Buffers.MemoryHandle pin)
    {
        public System.Buffers.MemoryHandle Pin = pin;
    }

    /// <summary>Called by libtorch when the storage goes (any thread): unpins the buffer and lets the GC have it.</summary>
    [UnmanagedCallersOnly]
    private static void Release(IntPtr ctx)
    {
        var handle = GCHandle.FromIntPtr(ctx);
        ((PinnedBuffer)handle.Target!).Pin.Dispose();
        handle.Free();
    }
}
