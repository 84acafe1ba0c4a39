// Tensor.Reduce2.cs: the reductions of issue 14 — median, quantile, nan-aware sums, var_mean/std_mean, logcumsumexp,
// argsort, kthvalue, unique, bincount, searchsorted, count_nonzero, and dtype arguments on mean/softmax/cumsum.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
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
