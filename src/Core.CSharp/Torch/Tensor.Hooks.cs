// Tensor.Hooks.cs: gradient hooks (torch.Tensor.register_hook) — a .NET function that sees, and may replace, the
// gradient flowing into a tensor during Backward; and whether a tensor was made in inference mode.
using System.Runtime.InteropServices;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    public bool IsInference { get { Check(gd_tensor_is_inference(this, out var r)); return r != 0; } }

    /// <summary>
    /// Calls <paramref name="hook"/> with the gradient of this tensor each time Backward reaches it; a non-null result
    /// replaces that gradient (clipping, masking, logging). The gradient passed in is freed after the call unless
    /// returned. An exception in the hook fails Backward with a <see cref="TorchException"/> whose message is "tensor hook
    /// failed: " and the exception's type and message, and whose InnerException is that exception (also in
    /// <see cref="HookHandle.LastError"/>).
    /// Dispose the handle to remove the hook.
    /// </summary>
    public HookHandle RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
            throw new ArgumentException("RegisterHook: the tensor does not require grad, so no gradient will reach it; call RequiresGrad_() first");
        var handle = new HookHandle(this, hook);
        unsafe
        {
            Check(gd_tensor_register_hook(this, (IntPtr)(delegate* unmanaged<IntPtr, IntPtr, IntPtr*, int>)&HookHandle.Call,
                GCHandle.ToIntPtr(handle.Self), out var id));
            handle.Id = id;
        }
        return handle;
    }

    /// <summary>Gives this tensor's reference to native code (the handle becomes the caller's; this object is spent).</summary>
    internal IntPtr ReleaseToNative()
    {
        var p = Interlocked.Exchange(ref ptr, IntPtr.Zero);
        if (p == IntPtr.Zero) ThrowDisposed();
        if (Volatile.Read(ref guard) is { } g) GC.SuppressFinalize(g);
        Owner?.Forget(this);
        Owner = null;
        return p;
    }
}

/// <summary>A registered gradient hook; Dispose removes it (the hook's delegate stays alive until then).</summary>
public sealed class HookHandle : IDisposable
{
    private readonly Tensor tensor;
    private readonly Func<Tensor, Tensor?> hook;
    internal GCHandle Self;
    internal long Id;
    private bool removed;

    /// <summary>The exception the hook last threw (also the InnerException of the error Backward raised).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>What native code says when a hook returned failure (native/autograd.cpp).</summary>
    internal const string Failed = "tensor hook failed";

    /// <summary>The exception of the hook that failed last, until the failed call's status check takes it. Process-wide,
    /// not per thread: libtorch may run a backward's hooks on its own worker threads.</summary>
    private static Exception? failure;

    internal static Exception? TakeFailure() => Interlocked.Exchange(ref failure, null);

    internal HookHandle(Tensor tensor, Func<Tensor, Tensor?> hook)
    {
        this.tensor = tensor;
        this.hook = hook;
        Self = GCHandle.Alloc(this);
    }

    [UnmanagedCallersOnly]
    internal static unsafe int Call(IntPtr ctx, IntPtr grad, IntPtr* replacement)
    {
        *replacement = IntPtr.Zero;
        HookHandle? h = null;
        try
        {
            h = (HookHandle)GCHandle.FromIntPtr(ctx).Target!;
            using var g = new Tensor(grad);
            var r = h.hook(g);
            if (r is not null)
            {
                using var alias = r.Alias();                                  // a handle of our own to give away
                *replacement = alias.ReleaseToNative();
            }
            return 0;
        }
        catch (Exception e)
        {
            if (h is not null) h.LastError = e;
            Volatile.Write(ref failure, e);
            return 1;
        }
    }

    public void Dispose()
    {
        if (removed) return;
        removed = true;
        if (!tensor.IsDisposed) Check(gd_tensor_remove_hook(tensor, Id));
        Self.Free();
    }
}
