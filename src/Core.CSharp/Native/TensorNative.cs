// TensorNative.cs: P/Invoke declarations for native/tensor.cpp (tensor lifetime, metadata and data copies).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_free(IntPtr a);
    [LibraryImport(Lib)] internal static partial int gd_tensor_ndim(Tensor a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_sizes(Tensor a, [Out] long[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_size_dim(Tensor a, long dim, out long @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_strides(Tensor a, [Out] long[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_numel(Tensor a, out long @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_dtype(Tensor a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_device(Tensor a, out int type, out int index);
    [LibraryImport(Lib)] internal static partial int gd_tensor_from_data(IntPtr data, long[]? shape, int ndim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_from_blob(IntPtr data, long[]? shape, int ndim, int dtype, IntPtr release, IntPtr ctx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_copy_out(Tensor a, IntPtr buffer, long nbytes);
    [LibraryImport(Lib)] internal static partial int gd_tensor_item(Tensor a, out Scalar @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_to(Tensor a, int dtype, int device_type, int device_index, int copy, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_clone(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_contiguous(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_contiguous_format(Tensor a, int format, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_is_contiguous_format(Tensor a, int format, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_copy_(Tensor dst, Tensor src);
    [LibraryImport(Lib)] internal static partial int gd_tensor_fill_(Tensor a, Scalar value);
    [LibraryImport(Lib)] internal static partial int gd_tensor_zero_(Tensor a);
}
