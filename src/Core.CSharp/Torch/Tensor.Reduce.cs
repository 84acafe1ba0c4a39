// Tensor.Reduce.cs: reductions with dims and keepdim, softmax family, cumulative ops, comparisons of whole tensors.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    private static long[]? Dims(long[]? dims) => dims is { Length: > 0 } ? dims : null;

    /// <summary>Sum over every element, or over <paramref name="dims"/>.</summary>
    public Tensor Sum(long[]? dims = null, bool keepdim = false, ScalarType? dtype = null) =>
        Wrap(gd_tensor_sum(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, dtype is { } d ? (int)d : -1, out var r), r);
    public Tensor Sum(long dim, bool keepdim = false) => Sum(new[] { dim }, keepdim);
    public Tensor Mean(long[]? dims = null, bool keepdim = false) =>
        Wrap(gd_tensor_mean(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r);
    public Tensor Mean(long dim, bool keepdim = false) => Mean(new[] { dim }, keepdim);
    public Tensor Prod() => Wrap(gd_tensor_prod(this, null, 0, out var r), r);
    public Tensor Prod(long dim, bool keepdim = false) => Wrap(gd_tensor_prod(this, new[] { dim }, keepdim ? 1 : 0, out var r), r);
    /// <summary>Variance; <paramref name="correction"/> 1 is Bessel's (unbiased, PyTorch's default), 0 the MLE.</summary>
    public Tensor Var(long[]? dims = null, long correction = 1, bool keepdim = false) =>
        Wrap(gd_tensor_var(this, Dims(dims), dims?.Length ?? 0, correction, keepdim ? 1 : 0, out var r), r);
    public Tensor Var(long dim, long correction = 1, bool keepdim = false) => Var(new[] { dim }, correction, keepdim);
    public Tensor Std(long[]? dims = null, long correction = 1, bool keepdim = false) =>
        Wrap(gd_tensor_std(this, Dims(dims), dims?.Length ?? 0, correction, keepdim ? 1 : 0, out var r), r);
    public Tensor Std(long dim, long correction = 1, bool keepdim = false) => Std(new[] { dim }, correction, keepdim);
    /// <summary>log(sum(exp(x))) computed stably.</summary>
    public Tensor LogSumExp(long[]? dims = null, bool keepdim = false) =>
        Wrap(gd_tensor_logsumexp(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r);
    public Tensor LogSumExp(long dim, bool keepdim = false) => LogSumExp(new[] { dim }, keepdim);
    public Tensor Norm(double p = 2, long[]? dims = null, bool keepdim = false) =>
        Wrap(gd_tensor_norm(this, p, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r);

    /// <summary>The largest value over dims (all when null), values only (torch.amax; its gradient is shared evenly among ties).</summary>
    public Tensor Amax(long[]? dims = null, bool keepdim = false) =>
        Wrap(gd_tensor_amax(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r);
    public Tensor Amax(long dim, bool keepdim = false) => Amax(new[] { dim }, keepdim);
    /// <summary>The smallest value over dims (all when null), values only (torch.amin).</summary>
    public Tensor Amin(long[]? dims = null, bool keepdim = false) =>
        Wrap(gd_tensor_amin(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r);
    public Tensor Amin(long dim, bool keepdim = false) => Amin(new[] { dim }, keepdim);

    public Tensor Max() => Wrap(gd_tensor_max_all(this, out var r), r);
    public Tensor Min() => Wrap(gd_tensor_min_all(this, out var r), r);

    public (Tensor Values, Tensor Indices) Max(long dim, bool keepdim = false)
    {
        Check(gd_tensor_max_dim(this, dim, keepdim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public (Tensor Values, Tensor Indices) Min(long dim, bool keepdim = false)
    {
        Check(gd_tensor_min_dim(this, dim, keepdim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public Tensor ArgMax() => Wrap(gd_tensor_argmax(this, null, 0, out var r), r);
    public Tensor ArgMax(long dim, bool keepdim = false) => Wrap(gd_tensor_argmax(this, new[] { dim }, keepdim ? 1 : 0, out var r), r);
    public Tensor ArgMin() => Wrap(gd_tensor_argmin(this, null, 0, out var r), r);
    public Tensor ArgMin(long dim, bool keepdim = false) => Wrap(gd_tensor_argmin(this, new[] { dim }, keepdim ? 1 : 0, out var r), r);
    public Tensor Softmax(long dim) => Wrap(gd_tensor_softmax(this, dim, out var r), r);
    public Tensor LogSoftmax(long dim) => Wrap(gd_tensor_log_softmax(this, dim, out var r), r);
    public Tensor CumSum(long dim) => Wrap(gd_tensor_cumsum(this, dim, out var r), r);
    public Tensor CumProd(long dim) => Wrap(gd_tensor_cumprod(this, dim, out var r), r);
    public Tensor All() => Wrap(gd_tensor_all(this, out var r), r);
    public Tensor Any() => Wrap(gd_tensor_any(this, out var r), r);

    /// <summary>|this - other| &lt;= atol + rtol |other| everywhere (same shape after broadcasting).</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        Check(gd_tensor_allclose(this, other, rtol, atol, out var r));
        return r != 0;
    }

    /// <summary>Same shape and same elements.</summary>
    public bool Equal(Tensor other)
    {
        Check(gd_tensor_equal(this, other, out var r));
        return r != 0;
    }

    // ---- matrix products ----
    public Tensor MatMul(Tensor other) => Wrap(gd_tensor_matmul(this, other, out var r), r);
    public Tensor Mm(Tensor other) => Wrap(gd_tensor_mm(this, other, out var r), r);
    /// <summary>torch.mm(this, other, out=@out): the product written into <paramref name="out"/> (resized if its shape differs); returns it.</summary>
    public Tensor Mm(Tensor other, Tensor @out) { Check(gd_tensor_mm_out(this, other, @out)); return @out; }
    public Tensor Bmm(Tensor other) => Wrap(gd_tensor_bmm(this, other, out var r), r);
    public Tensor Outer(Tensor other) => Wrap(gd_tensor_outer(this, other, out var r), r);
}
