// ReduceNative.cs: P/Invoke declarations for native/reduce.cpp (reductions).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_sum(Tensor a, long[]? dims, int ndim, int keepdim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mean(Tensor a, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_prod(Tensor a, long[]? dim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_var(Tensor a, long[]? dims, int ndim, long correction, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_std(Tensor a, long[]? dims, int ndim, long correction, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_logsumexp(Tensor a, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_norm(Tensor a, double p, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_max_all(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_amax(Tensor a, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_amin(Tensor a, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_min_all(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_max_dim(Tensor a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_min_dim(Tensor a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_argmax(Tensor a, long[]? dim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_argmin(Tensor a, long[]? dim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_softmax(Tensor a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_log_softmax(Tensor a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cumsum(Tensor a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cumprod(Tensor a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_all(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_any(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_allclose(Tensor a, Tensor b, double rtol, double atol, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_equal(Tensor a, Tensor b, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_median_all(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_median_dim(Tensor a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_nanmedian_all(Tensor a, out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_tensor_quantile(Tensor a, Tensor q, long[]? dim, int keepdim, string? interpolation, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_nanmean(Tensor a, long[]? dims, int ndim, int keepdim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_nansum(Tensor a, long[]? dims, int ndim, int keepdim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_var_mean(Tensor a, long[]? dims, int ndim, long correction, int keepdim, out IntPtr var, out IntPtr mean);
    [LibraryImport(Lib)] internal static partial int gd_tensor_std_mean(Tensor a, long[]? dims, int ndim, long correction, int keepdim, out IntPtr std, out IntPtr mean);
    [LibraryImport(Lib)] internal static partial int gd_tensor_logcumsumexp(Tensor a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_argsort(Tensor a, long dim, int descending, int stable, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_kthvalue(Tensor a, long k, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_unique(Tensor a, int sorted, long[]? dim, out IntPtr values, out IntPtr inverse, out IntPtr counts);
    [LibraryImport(Lib)] internal static partial int gd_tensor_bincount(Tensor a, Tensor weights, long minlength, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_searchsorted(Tensor sorted, Tensor values, int right, int out_int32, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_count_nonzero(Tensor a, long[]? dims, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mean_dtype(Tensor a, long[]? dims, int ndim, int keepdim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_softmax_dtype(Tensor a, long dim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_log_softmax_dtype(Tensor a, long dim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cumsum_dtype(Tensor a, long dim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cumprod_dtype(Tensor a, long dim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cummax(Tensor a, long dim, out IntPtr values, out IntPtr indices);
}
