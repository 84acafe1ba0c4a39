// ReduceNative.cs: P/Invoke declarations for native/reduce.cpp (reductions).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_sum(TensorHandle a, long[]? dims, int ndim, int keepdim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mean(TensorHandle a, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_prod(TensorHandle a, long[]? dim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_var(TensorHandle a, long[]? dims, int ndim, long correction, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_std(TensorHandle a, long[]? dims, int ndim, long correction, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_logsumexp(TensorHandle a, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_norm(TensorHandle a, double p, long[]? dims, int ndim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_max_all(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_min_all(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_max_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_min_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_argmax(TensorHandle a, long[]? dim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_argmin(TensorHandle a, long[]? dim, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_softmax(TensorHandle a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_log_softmax(TensorHandle a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cumsum(TensorHandle a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cumprod(TensorHandle a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_all(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_any(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_equal(TensorHandle a, TensorHandle b, out int @out);
}
