// NnNative.cs: P/Invoke declarations for native/nn.cpp (nn functional ops).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_nn_linear(Tensor x, Tensor w, Tensor b, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_conv2d(Tensor x, Tensor w, Tensor b, long[]? stride, long[]? padding, long[]? dilation, long groups, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_conv_transpose2d(Tensor x, Tensor w, Tensor b, long[]? stride, long[]? padding, long[]? output_padding, long[]? dilation, long groups, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_max_pool2d(Tensor x, long[]? kernel, long[]? stride, long[]? padding, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_avg_pool2d(Tensor x, long[]? kernel, long[]? stride, long[]? padding, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_embedding(Tensor weight, Tensor indices, long padding_idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_layer_norm(Tensor x, long[]? shape, int ndim, Tensor w, Tensor b, double eps, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_batch_norm(Tensor x, Tensor w, Tensor b, Tensor running_mean, Tensor running_var, int training, double momentum, double eps, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_nll_loss(Tensor logp, Tensor target, Tensor weight, int reduction, long ignore_index, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_cross_entropy(Tensor logits, Tensor target, Tensor weight, int reduction, long ignore_index, double label_smoothing, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_bce_with_logits(Tensor logits, Tensor target, Tensor weight, Tensor pos_weight, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_bce(Tensor probs, Tensor target, Tensor weight, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_mse_loss(Tensor a, Tensor b, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_one_hot(Tensor indices, long classes, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_pad(Tensor x, long[]? pad, int n, double value, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_clip_grad_norm_(IntPtr[] @params, int n, double max_norm, double norm_type, out double total);
    [LibraryImport(Lib)] internal static partial int gd_nn_elu(Tensor x, double alpha, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_selu(Tensor x, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_celu(Tensor x, double alpha, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_gelu(Tensor x, int tanh_approx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_hardtanh(Tensor x, double min, double max, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_glu(Tensor x, long dim, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_cosine_similarity(Tensor a, Tensor b, long dim, double eps, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_group_norm(Tensor x, long groups, Tensor w, Tensor b, double eps, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_conv1d(Tensor x, Tensor w, Tensor b, long stride, long padding, long dilation, long groups, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_adaptive_avg_pool1d(Tensor x, long size, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_adaptive_avg_pool2d(Tensor x, long[]? size, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_adaptive_max_pool1d(Tensor x, long size, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_nn_adaptive_max_pool2d(Tensor x, long[]? size, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gd_nn_interpolate2d(Tensor x, long[]? size, double[]? scale, int mode, int align_corners, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_pixel_shuffle(Tensor x, long factor, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_pixel_unshuffle(Tensor x, long factor, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_unfold(Tensor x, long[]? kernel, long[]? dilation, long[]? padding, long[]? stride, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_fold(Tensor x, long[]? output_size, long[]? kernel, long[]? dilation, long[]? padding, long[]? stride, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_kl_div(Tensor input, Tensor target, int reduction, int log_target, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_l1_loss(Tensor a, Tensor b, int reduction, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_smooth_l1_loss(Tensor a, Tensor b, int reduction, double beta, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_nn_huber_loss(Tensor a, Tensor b, int reduction, double delta, out IntPtr @out);
}
