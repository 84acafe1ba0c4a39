// conv_transpose.cpp: conv_transpose2d on oneDNN, as the input-gradient of conv2d, with its own autograd node.
//
// Why: libtorch 1.13 (Debian's) sends a float CPU transposed convolution to slow_conv_transpose2d (im2col + GEMM
// one image at a time), while conv2d and its gradients run on oneDNN's JIT kernels. On the 2-core AVX-512 machine
// the four 64-channel transposed convolutions of pytorch-generative's VAE decoder took 0.6-1.2 s of a 3-5 s
// training step (bench/vae/RESULTS.md). A transposed convolution is the adjoint of a convolution with the same
// weight: with C(u) = conv2d(u, w, stride, padding) mapping (B, C_out, H', W') to (B, C_in, H, W),
//   y = C^T x                          = convolution_backward(grad_output = x, input of shape y, w)[grad_input]
//   dL/dx = C(dL/dy)                   = conv2d(g, w, stride, padding)
//   dL/dw = <x, dC(g)/dw>              = convolution_backward(grad_output = x, input = g, w)[grad_weight]
// all three oneDNN primitives (backward_data, forward, backward_weights). Output padding needs nothing more: the
// rows and columns it adds are never read by C, so C^T leaves them zero, as PyTorch's transposed convolution does
// before the bias. Below 16 output channels oneDNN pads channels to its 16-wide blocks and the slow path wins
// (1 channel: about 2x slower here), so those calls keep at::conv_transpose2d.
#include "conv_transpose.h"
#include <torch/csrc/autograd/custom_function.h>

namespace {
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

std::vector<int64_t> vec(at::IntArrayRef a) { return a.vec(); }
const std::vector<int64_t> kOne{1, 1}, kZero{0, 0};

struct ConvTranspose2dOneDnn : public torch::autograd::Function<ConvTranspose2dOneDnn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w, std::vector<int64_t> stride,
                            std::vector<int64_t> padding, std::vector<int64_t> output_padding) {
    std::vector<int64_t> shape{x.size(0), w.size(1), 0, 0};   // (B, C_out, H', W')
    for (int d = 0; d < 2; d++)
      shape[2 + d] = (x.size(2 + d) - 1) * stride[d] - 2 * padding[d] + w.size(2 + d) + output_padding[d];
    auto like = at::empty(shape, x.options().memory_format(x.suggest_memory_format()));   // sizes only, never read
    auto y = std::get<0>(at::convolution_backward(x, like, w, c10::nullopt, stride, padding, kOne, false, kZero, 1,
                                                  {true, false, false}));
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &w = saved[1];
    auto stride = ctx->saved_data["stride"].toIntVector();
    auto padding = ctx->saved_data["padding"].toIntVector();
    auto g = grads[0].contiguous(x.suggest_memory_format());
    at::Tensor gx, gw;
    if (ctx->needs_input_grad(0)) gx = at::conv2d(g, w, {}, stride, padding);   // (B, C_in, H, W)
    if (ctx->needs_input_grad(1))
      gw = std::get<1>(at::convolution_backward(x, g, w, c10::nullopt, stride, padding, kOne, false, kZero, 1,
                                                {false, true, false}));   // (C_in, C_out, k, k)
    return {gx, gw, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};
}  // namespace

namespace gd {
bool conv_transpose2d_onednn_applies(const at::Tensor& x, const at::Tensor& w, at::IntArrayRef dilation, int64_t groups) {
  return at::hasMKLDNN() && at::globalContext().userEnabledMkldnn() && x.dim() == 4 && w.dim() == 4 &&
         x.device().is_cpu() && w.device().is_cpu() && x.scalar_type() == at::kFloat && w.scalar_type() == at::kFloat &&
         groups == 1 && dilation[0] == 1 && dilation[1] == 1 && w.size(1) >= 16 && x.size(1) == w.size(0);
}

at::Tensor conv_transpose2d_onednn(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b,
                                   at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding) {
  TORCH_CHECK(output_padding[0] < stride[0] && output_padding[1] < stride[1],
              "conv_transpose2d: output_padding must be smaller than stride");
  auto y = ConvTranspose2dOneDnn::apply(x, w, vec(stride), vec(padding), vec(output_padding));   // (B, C_out, H', W')
  return b.has_value() && b->defined() ? y + b->view({1, -1, 1, 1}) : y;
}
}  // namespace gd
