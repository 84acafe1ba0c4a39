// Tensor.Reduce.cs: reductions with dims and keepdim (median, quantile, nan-aware, var_mean ...), softmax family, cumulative ops, sorting, unique, bincount, searchsorted, comparisons of whole tensors.
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

    private static (Tensor, Tensor) Pair(int status, IntPtr a, IntPtr b, [System.Runtime.CompilerServices.CallerMemberName] string op = "")
    {
        Check(status, op);
        return (new Tensor(a), new Tensor(b));
    }

    /// <summary>The median of every element; for an even count the lower of the two middle values (PyTorch, unlike NumPy).</summary>
    public Tensor Median() => Wrap(gd_tensor_median_all(this, out var r), r);
    public (Tensor Values, Tensor Indices) Median(long dim, bool keepdim = false) =>
        Pair(gd_tensor_median_dim(this, dim, keepdim ? 1 : 0, out var v, out var i), v, i);
    /// <summary>The median ignoring NaNs.</summary>
    public Tensor NanMedian() => Wrap(gd_tensor_nanmedian_all(this, out var r), r);
    /// <summary>
    /// The q-quantile (q in [0, 1]) over every element or along dim; "linear" interpolates between the order statistics
    /// at positions q (n - 1) (NumPy's default type 7); "lower", "higher", "nearest", "midpoint" as in torch.quantile.
    /// </summary>
    public Tensor Quantile(double q, long? dim = null, bool keepdim = false, string interpolation = "linear")
    {
        using var qt = Torch.Scalar(q, Dtype, Device);
        return Quantile(qt, dim, keepdim, interpolation);
    }
    /// <summary>Several quantiles at once: q (Q,) puts a leading dim of size Q on the result.</summary>
    public Tensor Quantile(Tensor q, long? dim = null, bool keepdim = false, string interpolation = "linear")
    {
        if (interpolation is not ("linear" or "lower" or "higher" or "nearest" or "midpoint"))
            throw new ArgumentException($"Quantile: interpolation '{interpolation}' is unknown; use linear, lower, higher, nearest or midpoint");
        return Wrap(gd_tensor_quantile(this, q, dim is { } d ? new[] { d } : null, keepdim ? 1 : 0, interpolation, out var r), r);
    }
    /// <summary>The mean of the non-NaN elements.</summary>
    public Tensor NanMean(long[]? dims = null, bool keepdim = false, ScalarType? dtype = null) =>
        Wrap(gd_tensor_nanmean(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, dtype is { } t ? (int)t : -1, out var r), r);
    /// <summary>The sum treating NaN as zero.</summary>
    public Tensor NanSum(long[]? dims = null, bool keepdim = false, ScalarType? dtype = null) =>
        Wrap(gd_tensor_nansum(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, dtype is { } t ? (int)t : -1, out var r), r);
    /// <summary>(variance, mean) in one pass (torch.var_mean); correction 1 is Bessel's.</summary>
    public (Tensor Var, Tensor Mean) VarMean(long[]? dims = null, long correction = 1, bool keepdim = false) =>
        Pair(gd_tensor_var_mean(this, Dims(dims), dims?.Length ?? 0, correction, keepdim ? 1 : 0, out var v, out var m), v, m);
    /// <summary>(standard deviation, mean) in one pass (torch.std_mean).</summary>
    public (Tensor Std, Tensor Mean) StdMean(long[]? dims = null, long correction = 1, bool keepdim = false) =>
        Pair(gd_tensor_std_mean(this, Dims(dims), dims?.Length ?? 0, correction, keepdim ? 1 : 0, out var s, out var m), s, m);
    /// <summary>y_i = log sum_{j &lt;= i} exp(x_j) along dim, stably.</summary>
    public Tensor LogCumSumExp(long dim) => Wrap(gd_tensor_logcumsumexp(this, dim, out var r), r);
    /// <summary>The indices that sort dim (stable keeps the order of ties).</summary>
    public Tensor ArgSort(long dim = -1, bool descending = false, bool stable = false) =>
        Wrap(gd_tensor_argsort(this, dim, descending ? 1 : 0, stable ? 1 : 0, out var r), r);
    /// <summary>The k-th smallest value along dim (k from 1) and its index.</summary>
    public (Tensor Values, Tensor Indices) KthValue(long k, long dim = -1, bool keepdim = false) =>
        Pair(gd_tensor_kthvalue(this, k, dim, keepdim ? 1 : 0, out var v, out var i), v, i);
    /// <summary>
    /// The distinct values (sorted), the index of each element's value among them (Inverse, this tensor's shape) and how often
    /// each occurs (torch.unique with return_inverse and return_counts). With dim, distinct slices along dim.
    /// </summary>
    public (Tensor Values, Tensor Inverse, Tensor Counts) Unique(bool sorted = true, long? dim = null)
    {
        Check(gd_tensor_unique(this, sorted ? 1 : 0, dim is { } d ? new[] { d } : null, out var v, out var i, out var c));
        return (new Tensor(v), new Tensor(i), new Tensor(c));
    }
    /// <summary>Counts of each non-negative integer in a 1-d int tensor (weighted sums with weights); length max+1 or minlength.</summary>
    public Tensor BinCount(Tensor? weights = null, long minlength = 0) =>
        Wrap(gd_tensor_bincount(this, Of(weights), minlength, out var r), r);
    /// <summary>
    /// For this sorted sequence (last dim sorted), the index where each value would be inserted to keep it sorted: the first
    /// such index, or the last with right (torch.searchsorted(self, values)).
    /// </summary>
    public Tensor SearchSorted(Tensor values, bool right = false, bool outInt32 = false) =>
        Wrap(gd_tensor_searchsorted(this, values, right ? 1 : 0, outInt32 ? 1 : 0, out var r), r);
    public Tensor CountNonzero(long[]? dims = null) => Wrap(gd_tensor_count_nonzero(this, Dims(dims), dims?.Length ?? 0, out var r), r);
    public Tensor CountNonzero(long dim) => CountNonzero(new[] { dim });

    // ---- dtype arguments: the input is cast to dtype before the op (accumulating int32 in int64, float32 in float64) ----
    public Tensor Mean(long[]? dims, bool keepdim, ScalarType dtype) =>
        Wrap(gd_tensor_mean_dtype(this, Dims(dims), dims?.Length ?? 0, keepdim ? 1 : 0, (int)dtype, out var r), r);
    public Tensor Softmax(long dim, ScalarType dtype) => Wrap(gd_tensor_softmax_dtype(this, dim, (int)dtype, out var r), r);
    public Tensor LogSoftmax(long dim, ScalarType dtype) => Wrap(gd_tensor_log_softmax_dtype(this, dim, (int)dtype, out var r), r);
    public Tensor CumSum(long dim, ScalarType dtype) => Wrap(gd_tensor_cumsum_dtype(this, dim, (int)dtype, out var r), r);
    public Tensor CumProd(long dim, ScalarType dtype) => Wrap(gd_tensor_cumprod_dtype(this, dim, (int)dtype, out var r), r);
    /// <summary>The running maximum along dim and where it was attained.</summary>
    public (Tensor Values, Tensor Indices) CumMax(long dim) => Pair(gd_tensor_cummax(this, dim, out var v, out var i), v, i);
}
