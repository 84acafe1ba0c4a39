// nn.cpp: the functional neural-network ops (layers, activations, normalisation, pooling, interpolation, fold/unfold, losses, gradient clipping).
#include "common.h"
#include "conv_transpose.h"

using gd::T;
using gd::wrap;

namespace {
at::IntArrayRef pair(const int64_t* v) { return at::IntArrayRef(v, 2); }
}  // namespace

GD_API int gd_nn_linear(gd_tensor x, gd_tensor w, gd_tensor b, gd_tensor* out) {
  GD_TRY(*out = wrap(at::linear(T(x), T(w), gd::opt(b))))
}
GD_API int gd_nn_conv2d(gd_tensor x, gd_tensor w, gd_tensor b, const int64_t* stride, const int64_t* padding,
                        const int64_t* dilation, int64_t groups, gd_tensor* out) {
  GD_TRY(*out = wrap(at::conv2d(T(x), T(w), gd::opt(b), pair(stride), pair(padding), pair(dilation), groups)))
}
GD_API int gd_nn_conv_transpose2d(gd_tensor x, gd_tensor w, gd_tensor b, const int64_t* stride, const int64_t* padding,
                                  const int64_t* output_padding, const int64_t* dilation, int64_t groups, gd_tensor* out) {
  GD_TRY(
      const auto& xt = T(x); const auto& wt = T(w);
      *out = wrap(gd::conv_transpose2d_onednn_applies(xt, wt, pair(dilation), groups)
                      ? gd::conv_transpose2d_onednn(xt, wt, gd::opt(b), pair(stride), pair(padding), pair(output_padding))
                      : at::conv_transpose2d(xt, wt, gd::opt(b), pair(stride), pair(padding), pair(output_padding), groups,
                                             pair(dilation))))
}
GD_API int gd_nn_max_pool2d(gd_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, gd_tensor* out) {
  GD_TRY(*out = wrap(at::max_pool2d(T(x), pair(kernel), pair(stride), pair(padding))))
}
GD_API int gd_nn_avg_pool2d(gd_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, gd_tensor* out) {
  GD_TRY(*out = wrap(at::avg_pool2d(T(x), pair(kernel), pair(stride), pair(padding))))
}
GD_API int gd_nn_embedding(gd_tensor weight, gd_tensor indices, int64_t padding_idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::embedding(T(weight), T(indices), padding_idx)))
}
GD_API int gd_nn_layer_norm(gd_tensor x, const int64_t* shape, int ndim, gd_tensor w, gd_tensor b, double eps, gd_tensor* out) {
  GD_TRY(*out = wrap(at::layer_norm(T(x), gd::dims(shape, ndim), gd::opt(w), gd::opt(b), eps)))
}
GD_API int gd_nn_batch_norm(gd_tensor x, gd_tensor w, gd_tensor b, gd_tensor running_mean, gd_tensor running_var,
                            int training, double momentum, double eps, gd_tensor* out) {
  GD_TRY(*out = wrap(at::batch_norm(T(x), gd::opt(w), gd::opt(b), gd::opt(running_mean), gd::opt(running_var),
                                    training != 0, momentum, eps, /*cudnn_enabled=*/true)))
}
GD_API int gd_nn_nll_loss(gd_tensor logp, gd_tensor target, gd_tensor weight, int reduction, int64_t ignore_index, gd_tensor* out) {
  GD_TRY(*out = wrap(at::nll_loss_nd(T(logp), T(target), gd::opt(weight), reduction, ignore_index)))
}
GD_API int gd_nn_cross_entropy(gd_tensor logits, gd_tensor target, gd_tensor weight, int reduction, int64_t ignore_index,
                               double label_smoothing, gd_tensor* out) {
  GD_TRY(*out = wrap(at::cross_entropy_loss(T(logits), T(target), gd::opt(weight), reduction, ignore_index, label_smoothing)))
}
GD_API int gd_nn_bce_with_logits(gd_tensor logits, gd_tensor target, gd_tensor weight, gd_tensor pos_weight, int reduction,
                                 gd_tensor* out) {
  GD_TRY(*out = wrap(at::binary_cross_entropy_with_logits(T(logits), T(target), gd::opt(weight), gd::opt(pos_weight), reduction)))
}
GD_API int gd_nn_bce(gd_tensor probs, gd_tensor target, gd_tensor weight, int reduction, gd_tensor* out) {
  GD_TRY(*out = wrap(at::binary_cross_entropy(T(probs), T(target), gd::opt(weight), reduction)))
}
GD_API int gd_nn_mse_loss(gd_tensor a, gd_tensor b, int reduction, gd_tensor* out) {
  GD_TRY(*out = wrap(at::mse_loss(T(a), T(b), reduction)))
}
GD_API int gd_nn_one_hot(gd_tensor indices, int64_t classes, gd_tensor* out) { GD_TRY(*out = wrap(at::one_hot(T(indices), classes))) }
GD_API int gd_nn_pad(gd_tensor x, const int64_t* pad, int n, double value, gd_tensor* out) {
  GD_TRY(*out = wrap(at::constant_pad_nd(T(x), gd::dims(pad, n), value)))
}
// Scales the gradients in place so that their joint p-norm is at most max_norm (torch.nn.utils.clip_grad_norm_).
GD_API int gd_nn_clip_grad_norm_(const gd_tensor* params, int n, double max_norm, double norm_type, double* total) {
  GD_TRY(
      at::NoGradGuard ng; std::vector<at::Tensor> norms;
      for (int i = 0; i < n; ++i) {
        auto g = T(params[i]).grad();
        if (g.defined()) norms.push_back(std::isinf(norm_type) ? g.abs().max() : at::norm(g, norm_type));
      }
      if (norms.empty()) { *total = 0; return 0; }
      auto stacked = at::stack(norms);
      auto t = std::isinf(norm_type) ? stacked.max() : at::norm(stacked, norm_type);
      *total = t.item<double>();
      double coef = max_norm / (*total + 1e-6);
      if (coef < 1) {
        for (int i = 0; i < n; ++i) {
          auto g = T(params[i]).grad();
          if (g.defined()) g.mul_(coef);
        }
      })
}

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
