// ShapeNative.cs: P/Invoke declarations for native/shape.cpp (views, joins, slicing and indexing).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_view(Tensor a, long[]? shape, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_reshape(Tensor a, long[]? shape, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_expand(Tensor a, long[]? shape, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_permute(Tensor a, long[]? dims, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_transpose(Tensor a, long d0, long d1, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_unsqueeze(Tensor a, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_squeeze(Tensor a, long[]? dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_flatten(Tensor a, long start, long end, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_cat(IntPtr[] xs, int n, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_stack(IntPtr[] xs, int n, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_chunk(Tensor a, long chunks, long dim, [Out] IntPtr[] @out, out int count);
    [LibraryImport(Lib)] internal static partial int gd_tensor_split(Tensor a, long size, long dim, [Out] IntPtr[] @out, out int count);
    [LibraryImport(Lib)] internal static partial int gd_tensor_split_with_sizes(Tensor a, long[] sizes, int n, long dim, [Out] IntPtr[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_unbind(Tensor a, long dim, [Out] IntPtr[] @out, out int count);
    [LibraryImport(Lib)] internal static partial int gd_tensor_select(Tensor a, long dim, long index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_slice(Tensor a, long dim, long start, long end, long step, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_narrow(Tensor a, long dim, long start, long length, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_select(Tensor a, long dim, Tensor index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_select_mapped(Tensor a, long[] rows, long n, Tensor table, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index(Tensor a, IntPtr[] indices, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_put_(Tensor a, IntPtr[] indices, int n, Tensor values, int accumulate);
    [LibraryImport(Lib)] internal static partial int gd_tensor_gather(Tensor a, long dim, Tensor index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_scatter(Tensor a, long dim, Tensor index, Tensor src, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_scatter_add(Tensor a, long dim, Tensor index, Tensor src, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_masked_fill(Tensor a, Tensor mask, Scalar value, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_masked_select(Tensor a, Tensor mask, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_where(Tensor cond, Tensor a, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_triu(Tensor a, long diagonal, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tril(Tensor a, long diagonal, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_diagonal(Tensor a, long offset, long d0, long d1, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_diag_embed(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_flip(Tensor a, long[]? dims, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_repeat(Tensor a, long[]? reps, int ndim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_nonzero(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_sort(Tensor a, long dim, int descending, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_topk(Tensor a, long k, long dim, int largest, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tensor_split(Tensor a, long sections, long dim, [Out] IntPtr[] @out, out int count);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tensor_split_indices(Tensor a, long[]? indices, int n, long dim, [Out] IntPtr[] @out, out int count);
    [LibraryImport(Lib)] internal static partial int gd_tensor_movedim(Tensor a, long[]? src, long[]? dst, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_broadcast_tensors(IntPtr[] xs, int n, [Out] IntPtr[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_unflatten(Tensor a, long dim, long[]? sizes, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_roll(Tensor a, long[]? shifts, long[]? dims, int n, int ndims, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tile(Tensor a, long[]? reps, int n, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_take_along_dim(Tensor a, Tensor indices, long[]? dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_add(Tensor a, long dim, Tensor index, Tensor source, Scalar alpha, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_add_(Tensor a, long dim, Tensor index, Tensor source, Scalar alpha);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_copy(Tensor a, long dim, Tensor index, Tensor source, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_index_copy_(Tensor a, long dim, Tensor index, Tensor source);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_tensor_scatter_reduce(Tensor a, long dim, Tensor index, Tensor src, string? reduce, int include_self, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_where_cond(Tensor cond, [Out] IntPtr[] @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_tensor_meshgrid(IntPtr[] xs, int n, string? indexing, [Out] IntPtr[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_tril_indices(long row, long col, long offset, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_triu_indices(long row, long col, long offset, int dev, int idx, out IntPtr @out);
}
