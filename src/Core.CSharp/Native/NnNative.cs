// NnNative.cs: P/Invoke declarations for native/nn.cpp (nn functional ops).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_nn_linear(TensorHandle x, TensorHandle w, TensorHandle b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, long[]? stride, long[]? padding, long[]? dilation, long groups, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_conv_transpose2d(TensorHandle x, TensorHandle w, TensorHandle b, long[]? stride, long[]? padding, long[]? output_padding, long[]? dilation, long groups, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_max_pool2d(TensorHandle x, long[]? kernel, long[]? stride, long[]? padding, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_avg_pool2d(TensorHandle x, long[]? kernel, long[]? stride, long[]? padding, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_embedding(TensorHandle weight, TensorHandle indices, long padding_idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_layer_norm(TensorHandle x, long[]? shape, int ndim, TensorHandle w, TensorHandle b, double eps, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_batch_norm(TensorHandle x, TensorHandle w, TensorHandle b, TensorHandle running_mean, TensorHandle running_var, int training, double momentum, double eps, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_nll_loss(TensorHandle logp, TensorHandle target, TensorHandle weight, int reduction, long ignore_index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_cross_entropy(TensorHandle logits, TensorHandle target, TensorHandle weight, int reduction, long ignore_index, double label_smoothing, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_bce_with_logits(TensorHandle logits, TensorHandle target, TensorHandle weight, TensorHandle pos_weight, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_bce(TensorHandle probs, TensorHandle target, TensorHandle weight, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_mse_loss(TensorHandle a, TensorHandle b, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_one_hot(TensorHandle indices, long classes, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_pad(TensorHandle x, long[]? pad, int n, double value, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_clip_grad_norm_(IntPtr[] @params, int n, double max_norm, double norm_type, out double total);
}
