// ops_functional2.cpp: the torch.nn.functional ops of issue 14 — activations (elu, selu, gelu tanh, hardtanh, glu),
// cosine_similarity, group_norm, conv1d, adaptive pooling, interpolate, pixel_shuffle, unfold/fold, and the losses
// kl_div, l1, smooth_l1 and huber.
#include "common.h"

using gd::T;
using gd::wrap;

GD_API int gd_nn_elu(gd_tensor x, double alpha, gd_tensor* out) { GD_TRY(*out = wrap(at::elu(T(x), alpha))) }
GD_API int gd_nn_selu(gd_tensor x, gd_tensor* out) { GD_TRY(*out = wrap(at::selu(T(x)))) }
GD_API int gd_nn_celu(gd_tensor x, double alpha, gd_tensor* out) { GD_TRY(*out = wrap(at::celu(T(x), alpha))) }
GD_API int gd_nn_gelu(gd_tensor x, int tanh_approx, gd_tensor* out) { GD_TRY(*out = wrap(at::gelu(T(x), tanh_approx ? "tanh" : "none"))) }
GD_API int gd_nn_hardtanh(gd_tensor x, double min, double max, gd_tensor* out) { GD_TRY(*out = wrap(at::hardtanh(T(x), min, max))) }
GD_API int gd_nn_glu(gd_tensor x, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(at::glu(T(x), dim))) }
GD_API int gd_nn_cosine_similarity(gd_tensor a, gd_tensor b, int64_t dim, double eps, gd_tensor* out) {
  GD_TRY(*out = wrap(at::cosine_similarity(T(a), T(b), dim, eps)))
}
GD_API int gd_nn_group_norm(gd_tensor x, int64_t groups, gd_tensor w, gd_tensor b, double eps, gd_tensor* out) {
  GD_TRY(*out = wrap(at::group_norm(T(x), groups, gd::opt(w), gd::opt(b), eps)))
}
GD_API int gd_nn_conv1d(gd_tensor x, gd_tensor w, gd_tensor b, int64_t stride, int64_t padding, int64_t dilation, int64_t groups, gd_tensor* out) {
  GD_TRY(*out = wrap(at::conv1d(T(x), T(w), gd::opt(b), stride, padding, dilation, groups)))
}
GD_API int gd_nn_adaptive_avg_pool1d(gd_tensor x, int64_t size, gd_tensor* out) { GD_TRY(*out = wrap(at::adaptive_avg_pool1d(T(x), size))) }
GD_API int gd_nn_adaptive_avg_pool2d(gd_tensor x, const int64_t* size, gd_tensor* out) { GD_TRY(*out = wrap(at::adaptive_avg_pool2d(T(x), gd::dims(size, 2)))) }
GD_API int gd_nn_adaptive_max_pool1d(gd_tensor x, int64_t size, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(auto r = at::adaptive_max_pool1d(T(x), size); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)))
}
GD_API int gd_nn_adaptive_max_pool2d(gd_tensor x, const int64_t* size, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(auto r = at::adaptive_max_pool2d(T(x), gd::dims(size, 2)); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)))
}
/* mode 0 nearest, 1 bilinear; size (int64[2]) or scale (double[2]), the other null. */
GD_API int gd_nn_interpolate2d(gd_tensor x, const int64_t* size, const double* scale, int mode, int align_corners, gd_tensor* out) {
  GD_TRY(at::OptionalIntArrayRef os = size ? at::OptionalIntArrayRef(gd::dims(size, 2)) : c10::nullopt;
         c10::optional<at::ArrayRef<double>> sf = scale ? c10::optional<at::ArrayRef<double>>(at::ArrayRef<double>(scale, 2)) : c10::nullopt;
         *out = wrap(mode == 1 ? at::upsample_bilinear2d(T(x), os, align_corners != 0, sf) : at::upsample_nearest2d(T(x), os, sf)))
}
GD_API int gd_nn_pixel_shuffle(gd_tensor x, int64_t factor, gd_tensor* out) { GD_TRY(*out = wrap(at::pixel_shuffle(T(x), factor))) }
GD_API int gd_nn_pixel_unshuffle(gd_tensor x, int64_t factor, gd_tensor* out) { GD_TRY(*out = wrap(at::pixel_unshuffle(T(x), factor))) }
/* kernel, dilation, padding, stride: int64[2] each; output_size int64[2]. */
GD_API int gd_nn_unfold(gd_tensor x, const int64_t* kernel, const int64_t* dilation, const int64_t* padding, const int64_t* stride, gd_tensor* out) {
  GD_TRY(*out = wrap(at::im2col(T(x), gd::dims(kernel, 2), gd::dims(dilation, 2), gd::dims(padding, 2), gd::dims(stride, 2))))
}
GD_API int gd_nn_fold(gd_tensor x, const int64_t* output_size, const int64_t* kernel, const int64_t* dilation, const int64_t* padding,
                      const int64_t* stride, gd_tensor* out) {
  GD_TRY(*out = wrap(at::col2im(T(x), gd::dims(output_size, 2), gd::dims(kernel, 2), gd::dims(dilation, 2), gd::dims(padding, 2), gd::dims(stride, 2))))
}
GD_API int gd_nn_kl_div(gd_tensor input, gd_tensor target, int reduction, int log_target, gd_tensor* out) {
  GD_TRY(*out = wrap(at::kl_div(T(input), T(target), reduction, log_target != 0)))
}
GD_API int gd_nn_l1_loss(gd_tensor a, gd_tensor b, int reduction, gd_tensor* out) { GD_TRY(*out = wrap(at::l1_loss(T(a), T(b), reduction))) }
GD_API int gd_nn_smooth_l1_loss(gd_tensor a, gd_tensor b, int reduction, double beta, gd_tensor* out) {
  GD_TRY(*out = wrap(at::smooth_l1_loss(T(a), T(b), reduction, beta)))
}
GD_API int gd_nn_huber_loss(gd_tensor a, gd_tensor b, int reduction, double delta, gd_tensor* out) {
  GD_TRY(*out = wrap(at::huber_loss(T(a), T(b), reduction, delta)))
}
