// nn.cpp: the functional neural-network ops (layers, normalisation, losses, gradient clipping).
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
