// Handles.cs: how a Tensor crosses to native code (its marshaller), the finalizer safety net of unscoped tensors, and generator handles.
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using GenDsl.Torch;

namespace GenDsl.Native;

/// <summary>
/// Passes a <see cref="Tensor"/> to native code as its handle (libtorch's TensorImpl*, see native/common.h) and keeps
/// the tensor alive until the call returns: otherwise a tensor no longer referenced from C# could be finalized (and
/// freed) while the native call still uses it. A disposed tensor throws ObjectDisposedException instead of
/// reaching native code; a null one throws ArgumentNullException (optional arguments pass <see cref="Tensor.Of"/>).
/// </summary>
[CustomMarshaller(typeof(Tensor), MarshalMode.ManagedToUnmanagedIn, typeof(TensorMarshaller.In))]
internal static class TensorMarshaller
{
    internal ref struct In
    {
        private Tensor? tensor;
        public void FromManaged(Tensor? managed) => tensor = managed;
        public IntPtr ToUnmanaged() => tensor is null ? ThrowNull() : tensor.ArgPtr;
        public void OnInvoked() => GC.KeepAlive(tensor);
        public void Free() { }
    }

    private static IntPtr ThrowNull() => throw new ArgumentNullException("tensor", "a tensor argument is null");
}

/// <summary>
/// The safety net of a tensor that no scope will free (made outside every scope, or moved out of them): frees the
/// native tensor if the Tensor is collected undisposed. <see cref="Tensor.Dispose"/> suppresses it.
/// </summary>
internal sealed class TensorGuard
{
    private readonly IntPtr ptr;
    internal TensorGuard(IntPtr p) => ptr = p;
    ~TensorGuard() => NativeMethods.gd_tensor_free(ptr);
}

internal sealed class GeneratorHandle : SafeHandle
{
    internal static readonly GeneratorHandle Null = new(IntPtr.Zero, owns: false);

    internal GeneratorHandle(IntPtr h, bool owns = true) : base(IntPtr.Zero, owns) => SetHandle(h);
    public GeneratorHandle() : base(IntPtr.Zero, true) { }
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() => NativeMethods.gd_generator_free(handle) == 0;
}
