// Tensor.Autograd.cs: requires_grad, grad, backward and detach on a tensor.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    public bool RequiresGrad
    {
        get { Check(gd_tensor_requires_grad(this, out var r)); return r != 0; }
        set => Check(gd_tensor_set_requires_grad_(this, value ? 1 : 0));
    }

    /// <summary>Sets requires_grad and returns this (for chaining, like PyTorch's requires_grad_()).</summary>
    public Tensor RequiresGrad_(bool value = true) { RequiresGrad = value; return this; }

    /// <summary>The accumulated gradient, or null before any backward reached this tensor. A new handle each call.</summary>
    public Tensor? Grad
    {
        get
        {
            Check(gd_tensor_grad(this, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check(gd_tensor_set_grad(this, Of(value)));
    }

    public bool IsLeaf { get { Check(gd_tensor_is_leaf(this, out var r)); return r != 0; } }
    public Tensor RetainGrad() { Check(gd_tensor_retain_grad(this)); return this; }
    public Tensor Detach() => Wrap(gd_tensor_detach(this, out var r), r);

    /// <summary>Accumulates d(this)/d(leaf) into every leaf's Grad; <paramref name="gradient"/> is required for non-scalar outputs.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        Check(gd_tensor_backward(this, Of(gradient), retainGraph || createGraph ? 1 : 0, createGraph ? 1 : 0));
}
