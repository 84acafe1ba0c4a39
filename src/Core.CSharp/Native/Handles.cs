// Handles.cs: SafeHandles owning native tensors and generators (the finaliser is the safety net; Scope is the plan).
using System.Runtime.InteropServices;

namespace GenDsl.Native;

internal sealed class TensorHandle : SafeHandle
{
    /// <summary>An absent optional tensor argument (a null pointer on the native side).</summary>
    internal static readonly TensorHandle Null = new(IntPtr.Zero, owns: false);

    internal TensorHandle(IntPtr h, bool owns = true) : base(IntPtr.Zero, owns) => SetHandle(h);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() => NativeMethods.gd_tensor_free(handle) == 0;
}

internal sealed class GeneratorHandle : SafeHandle
{
    internal static readonly GeneratorHandle Null = new(IntPtr.Zero, owns: false);

    internal GeneratorHandle(IntPtr h, bool owns = true) : base(IntPtr.Zero, owns) => SetHandle(h);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() => NativeMethods.gd_generator_free(handle) == 0;
}
