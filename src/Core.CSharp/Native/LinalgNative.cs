// LinalgNative.cs: P/Invoke declarations for native/linalg.cpp (linear algebra).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_matmul(TensorHandle a, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_mm(TensorHandle a, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_bmm(TensorHandle a, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_outer(TensorHandle a, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_det(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_slogdet(TensorHandle a, out IntPtr sign, out IntPtr logabsdet);
    [LibraryImport(Lib)] internal static partial int gd_linalg_inv(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_cholesky(TensorHandle a, int upper, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_solve(TensorHandle a, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_solve_triangular(TensorHandle a, TensorHandle b, int upper, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_eigvalsh(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_linalg_eigvals(TensorHandle a, out IntPtr real, out IntPtr imag);
}
