// LinalgNative.cs: P/Invoke declarations for native/linalg.cpp (linear algebra).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_matmul(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mm(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mm_out(Tensor a, Tensor b, Tensor @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_bmm(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_outer(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cdist(Tensor a, Tensor b, double p, out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int gd_tensor_einsum(string equation, IntPtr[] xs, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_det(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_slogdet(Tensor a, out IntPtr sign, out IntPtr logabsdet);
    [LibraryImport(Lib)] internal static partial int gd_linalg_inv(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_cholesky(Tensor a, int upper, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_solve(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_solve_triangular(Tensor a, Tensor b, int upper, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_eigvalsh(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_eigvals(Tensor a, out IntPtr real, out IntPtr imag);
    [LibraryImport(Lib)] internal static partial int gd_tensor_dot(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mv(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_kron(Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_trace(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_matrix_exp(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_addmm(Tensor input, Tensor m1, Tensor m2, Scalar beta, Scalar alpha, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_baddbmm(Tensor input, Tensor b1, Tensor b2, Scalar beta, Scalar alpha, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tensordot(Tensor a, Tensor b, long[]? dims_a, long[]? dims_b, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_diag(Tensor a, long diagonal, out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_linalg_qr(Tensor a, string? mode, out IntPtr q, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gd_linalg_svd(Tensor a, int full_matrices, out IntPtr u, out IntPtr s, out IntPtr vh);
    [LibraryImport(Lib)] internal static partial int gd_linalg_svdvals(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_eigh(Tensor a, int upper, out IntPtr values, out IntPtr vectors);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_linalg_lstsq(Tensor a, Tensor b, double[]? rcond, string? driver, out IntPtr solution, out IntPtr residuals, out IntPtr rank, out IntPtr singular_values);
    [LibraryImport(Lib)] internal static partial int gd_linalg_pinv(Tensor a, double[]? atol, double[]? rtol, int hermitian, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_vector_norm(Tensor a, double ord, long[]? dims, int ndim, int keepdim, int dtype, out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_linalg_matrix_norm(Tensor a, double ord, string? ord_name, long[]? dims, int keepdim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_matrix_power(Tensor a, long n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_cholesky_solve(Tensor b, Tensor l, int upper, out IntPtr @out);
}
