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
}
