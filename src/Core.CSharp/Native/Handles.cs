// Handles.cs: the native tensor pointer a Tensor owns (freed by its Scope, by Dispose, or by a SafeHandle safety net), and generator handles.
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace GenDsl.Native;

/// <summary>
/// Owns one native tensor. A tensor made inside a <see cref="GenDsl.Torch.Scope"/> is freed by that scope (or by
/// Dispose) and carries no finalizer: a finalizable object per tensor cost about 0.1 us per op, more than the op
/// itself on small tensors. A tensor that lives outside every scope gets a <see cref="TensorSafeHandle"/>
/// (see <see cref="Guard"/>) that frees it if it is never disposed. P/Invokes take this type through
/// <see cref="TensorHandleMarshaller"/>, which passes the raw pointer and keeps the handle (and so its safety net)
/// alive until the native call returns.
/// </summary>
[NativeMarshalling(typeof(TensorHandleMarshaller))]
internal sealed class TensorHandle
{
    /// <summary>An absent optional tensor argument (a null pointer on the native side).</summary>
    internal static readonly TensorHandle Null = new(IntPtr.Zero) { isNull = true };

    private IntPtr ptr;
    private bool isNull;
    private TensorSafeHandle? guard;

    internal TensorHandle(IntPtr h) => ptr = h;

    /// <summary>The native pointer; throws when the tensor was already freed (passing it on would crash the process).</summary>
    internal IntPtr Ptr
    {
        get
        {
            var p = ptr;
            if (p == IntPtr.Zero && !isNull) ThrowDisposed();
            return p;
        }
    }

    internal IntPtr DangerousGetHandle() => Ptr;
    internal bool IsClosed => ptr == IntPtr.Zero && !isNull;
    internal bool IsGuarded => guard is not null;

    /// <summary>Adds the finalizer safety net (for tensors that no scope will free).</summary>
    internal void Guard()
    {
        if (guard is null && ptr != IntPtr.Zero) guard = new TensorSafeHandle(ptr);
    }

    /// <summary>Frees the native tensor once; later calls do nothing.</summary>
    internal void Dispose()
    {
        var p = Interlocked.Exchange(ref ptr, IntPtr.Zero);
        if (p == IntPtr.Zero) return;
        if (guard is { } g) g.Dispose(); // the safe handle owns p: it frees it exactly once
        else NativeMethods.gd_tensor_free(p);
    }

    private static void ThrowDisposed() => throw new ObjectDisposedException("Tensor",
        "this tensor was disposed, or freed when the Scope it was made in ended; call MoveToOuterScope() or DetachFromScope() on tensors that must outlive their scope");
}

/// <summary>Passes a <see cref="TensorHandle"/> as its pointer and keeps it alive for the duration of the call.</summary>
[CustomMarshaller(typeof(TensorHandle), MarshalMode.ManagedToUnmanagedIn, typeof(TensorHandleMarshaller.In))]
internal static class TensorHandleMarshaller
{
    internal ref struct In
    {
        private TensorHandle? handle;
        public void FromManaged(TensorHandle? managed) => handle = managed;
        public IntPtr ToUnmanaged() => handle is null ? IntPtr.Zero : handle.Ptr;
        public void OnInvoked() => GC.KeepAlive(handle);
        public void Free() { }
    }
}

/// <summary>The safety net for a tensor outside every scope: frees it when it is collected undisposed.</summary>
internal sealed class TensorSafeHandle : SafeHandle
{
    internal TensorSafeHandle(IntPtr h) : base(IntPtr.Zero, true) => SetHandle(h);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() => NativeMethods.gd_tensor_free(handle) == 0;
}

internal sealed class GeneratorHandle : SafeHandle
{
    internal static readonly GeneratorHandle Null = new(IntPtr.Zero, owns: false);

    internal GeneratorHandle(IntPtr h, bool owns = true) : base(IntPtr.Zero, owns) => SetHandle(h);
    public GeneratorHandle() : base(IntPtr.Zero, true) { }
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() => NativeMethods.gd_generator_free(handle) == 0;
}
