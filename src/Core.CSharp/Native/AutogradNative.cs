// AutogradNative.cs: P/Invoke declarations for native/autograd.cpp (autograd).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_requires_grad(Tensor a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_set_requires_grad_(Tensor a, int value);
    [LibraryImport(Lib)] internal static partial int gd_tensor_grad(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_set_grad(Tensor a, Tensor grad);
    [LibraryImport(Lib)] internal static partial int gd_tensor_detach(Tensor a, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_is_leaf(Tensor a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_retain_grad(Tensor a);
    [LibraryImport(Lib)] internal static partial int gd_tensor_backward(Tensor a, Tensor grad, int retain_graph, int create_graph);
    [LibraryImport(Lib)] internal static partial int gd_autograd_grad(IntPtr[] outputs, int n_out, IntPtr[] inputs, int n_in, IntPtr[] grad_outputs, int retain_graph, int create_graph, int allow_unused, [Out] IntPtr[] @out);
    [LibraryImport(Lib)] internal static partial int gd_grad_mode_set(int enabled, out int previous);
    [LibraryImport(Lib)] internal static partial int gd_grad_mode_get(out int @out);
    [LibraryImport(Lib)] internal static partial int gd_anomaly_mode_set(int enabled, out int previous);
    [LibraryImport(Lib)] internal static partial int gd_anomaly_mode_get(out int @out);
    [LibraryImport(Lib)] internal static partial int gd_inference_mode_enter(int enabled, out IntPtr guard);
    [LibraryImport(Lib)] internal static partial int gd_inference_mode_exit(IntPtr guard);
    [LibraryImport(Lib)] internal static partial int gd_inference_mode_get(out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_is_inference(Tensor a, out int @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_register_hook(Tensor a, IntPtr fn, IntPtr ctx, out long id);
    [LibraryImport(Lib)] internal static partial int gd_tensor_remove_hook(Tensor a, long id);
}
