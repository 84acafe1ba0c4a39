// autograd.cpp: gradients — requires_grad, backward, torch.autograd.grad (with create_graph), grad mode.
#include "common.h"
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>

using gd::T;
using gd::wrap;

GD_API int gd_tensor_requires_grad(gd_tensor a, int* out) { GD_TRY(*out = T(a).requires_grad() ? 1 : 0) }
GD_API int gd_tensor_set_requires_grad_(gd_tensor a, int value) { GD_TRY(T(a).set_requires_grad(value != 0)) }
GD_API int gd_tensor_grad(gd_tensor a, gd_tensor* out) {
  GD_TRY(auto g = T(a).grad(); *out = g.defined() ? wrap(g) : nullptr)
}
GD_API int gd_tensor_set_grad(gd_tensor a, gd_tensor grad) {
  GD_TRY(T(a).mutable_grad() = T(grad))  // a null handle clears it
}
GD_API int gd_tensor_detach(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).detach())) }
GD_API int gd_tensor_is_leaf(gd_tensor a, int* out) { GD_TRY(*out = T(a).is_leaf() ? 1 : 0) }
GD_API int gd_tensor_retain_grad(gd_tensor a) { GD_TRY(T(a).retain_grad()) }
GD_API int gd_tensor_backward(gd_tensor a, gd_tensor grad, int retain_graph, int create_graph) {
  GD_TRY(auto& x = T(a);
         TORCH_CHECK(grad || x.numel() == 1, "backward: grad can be implicitly created only for scalar outputs; ",
                     "pass a gradient of shape ", x.sizes());
         x.backward(T(grad), retain_graph ? c10::optional<bool>(true) : c10::nullopt,
                    create_graph != 0))
}
GD_API int gd_autograd_grad(const gd_tensor* outputs, int n_out, const gd_tensor* inputs, int n_in,
                            const gd_tensor* grad_outputs, int retain_graph, int create_graph, int allow_unused,
                            gd_tensor* out) {
  GD_TRY(std::vector<at::Tensor> gos;
         for (int i = 0; i < n_out; ++i) gos.push_back(T(grad_outputs ? grad_outputs[i] : nullptr));
         auto gs = torch::autograd::grad(gd::list(outputs, n_out), gd::list(inputs, n_in), gos,
                                         retain_graph ? c10::optional<bool>(true) : c10::nullopt, create_graph != 0,
                                         allow_unused != 0);
         for (int i = 0; i < n_in; ++i) out[i] = gs[i].defined() ? wrap(gs[i]) : nullptr)
}
GD_API int gd_grad_mode_set(int enabled, int* previous) {
  GD_TRY(*previous = c10::GradMode::is_enabled() ? 1 : 0; c10::GradMode::set_enabled(enabled != 0))
}
GD_API int gd_grad_mode_get(int* out) { GD_TRY(*out = c10::GradMode::is_enabled() ? 1 : 0) }
