// AutogradNative.cs: P/Invoke declarations for native/autograd.cpp (autograd).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_requires_grad(TensorHandle a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_set_requires_grad_(TensorHandle a, int value);
    [LibraryImport(Lib)] internal static partial int gd_tensor_grad(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_set_grad(TensorHandle a, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int gd_tensor_detach(TensorHandle a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_is_leaf(TensorHandle a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_retain_grad(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int gd_tensor_backward(TensorHandle a, TensorHandle grad, int retain_graph, int create_graph);
    [LibraryImport(Lib)] internal static partial int gd_autograd_grad(IntPtr[] outputs, int n_out, IntPtr[] inputs, int n_in, IntPtr[] grad_outputs, int retain_graph, int create_graph, int allow_unused, [Out] IntPtr[] @out);
    [LibraryImport(Lib)] internal static partial int gd_grad_mode_set(int enabled, out int previous);
    [LibraryImport(Lib)] internal static partial int gd_grad_mode_get(out int @out);
}
