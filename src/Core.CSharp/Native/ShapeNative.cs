// ShapeNative.cs: P/Invoke declarations for native/shape.cpp (views, joins, slicing and indexing).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_view(TensorHandle a, long[]? shape, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_reshape(TensorHandle a, long[]? shape, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_expand(TensorHandle a, long[]? shape, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_permute(TensorHandle a, long[]? dims, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_transpose(TensorHandle a, long d0, long d1, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_unsqueeze(TensorHandle a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_squeeze(TensorHandle a, long[]? dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_flatten(TensorHandle a, long start, long end, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cat(IntPtr[] xs, int n, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_stack(IntPtr[] xs, int n, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_chunk(TensorHandle a, long chunks, long dim, [Out] IntPtr[] @out, out int count);
    [LibraryImport(Lib)] internal static partial int gd_tensor_select(TensorHandle a, long dim, long index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_slice(TensorHandle a, long dim, long start, long end, long step, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_narrow(TensorHandle a, long dim, long start, long length, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_select(TensorHandle a, long dim, TensorHandle index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index(TensorHandle a, IntPtr[] indices, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_put_(TensorHandle a, IntPtr[] indices, int n, TensorHandle values, int accumulate);
    [LibraryImport(Lib)] internal static partial int gd_tensor_gather(TensorHandle a, long dim, TensorHandle index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_scatter(TensorHandle a, long dim, TensorHandle index, TensorHandle src, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_masked_fill(TensorHandle a, TensorHandle mask, Scalar value, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_masked_select(TensorHandle a, TensorHandle mask, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_where(TensorHandle cond, TensorHandle a, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_triu(TensorHandle a, long diagonal, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tril(TensorHandle a, long diagonal, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_diagonal(TensorHandle a, long offset, long d0, long d1, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_diag_embed(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_flip(TensorHandle a, long[]? dims, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_repeat(TensorHandle a, long[]? reps, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_nonzero(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_sort(TensorHandle a, long dim, int descending, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_topk(TensorHandle a, long k, long dim, int largest, out IntPtr values, out IntPtr indices);
}
