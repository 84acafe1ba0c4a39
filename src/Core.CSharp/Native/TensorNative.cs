// TensorNative.cs: P/Invoke declarations for native/tensor.cpp (tensor lifetime, metadata and data copies).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_free(IntPtr a);
    [LibraryImport(Lib)] internal static partial int gd_tensor_ndim(TensorHandle a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_sizes(TensorHandle a, [Out] long[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_strides(TensorHandle a, [Out] long[] @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_numel(TensorHandle a, out long @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_dtype(TensorHandle a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_device(TensorHandle a, out int type, out int index);
    [LibraryImport(Lib)] internal static partial int gd_tensor_from_data(IntPtr data, long[]? shape, int ndim, int dtype, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_copy_out(TensorHandle a, IntPtr buffer, long nbytes);
    [LibraryImport(Lib)] internal static partial int gd_tensor_item(TensorHandle a, out Scalar @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_to(TensorHandle a, int dtype, int device_type, int device_index, int copy, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_clone(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_contiguous(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_copy_(TensorHandle dst, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int gd_tensor_fill_(TensorHandle a, Scalar value);
    [LibraryImport(Lib)] internal static partial int gd_tensor_zero_(TensorHandle a);
}
