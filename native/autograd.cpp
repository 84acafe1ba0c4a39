// autograd.cpp: gradients — requires_grad, backward, torch.autograd.grad (with create_graph), grad, anomaly and inference modes, tensor hooks.
#include "common.h"
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/anomaly_mode.h>
#include <stdexcept>

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

GD_API int gd_anomaly_mode_set(int enabled, int* previous) {
  GD_TRY(*previous = torch::autograd::AnomalyMode::is_enabled() ? 1 : 0; torch::autograd::AnomalyMode::set_enabled(enabled != 0))
}
GD_API int gd_anomaly_mode_get(int* out) { GD_TRY(*out = torch::autograd::AnomalyMode::is_enabled() ? 1 : 0) }
// A c10::InferenceMode guard kept on the heap between enter and exit (same thread, strictly nested, as the RAII guard).
GD_API int gd_inference_mode_enter(int enabled, void** guard) { GD_TRY(*guard = new c10::InferenceMode(enabled != 0)) }
GD_API int gd_inference_mode_exit(void* guard) { GD_TRY(delete static_cast<c10::InferenceMode*>(guard)) }
GD_API int gd_inference_mode_get(int* out) { GD_TRY(*out = c10::InferenceMode::is_enabled() ? 1 : 0) }
GD_API int gd_tensor_is_inference(gd_tensor a, int* out) { GD_TRY(*out = T(a).is_inference() ? 1 : 0) }
// The hook gets a new handle to the gradient (its own) and returns 0 with *replacement null (keep the gradient) or a new
// handle (use it instead); nonzero makes backward fail with the message from gd_last_error().
GD_API int gd_tensor_register_hook(gd_tensor a, gd_hook_fn fn, void* ctx, int64_t* id) {
  GD_TRY(auto& x = T(a);
         *id = static_cast<int64_t>(x.register_hook([fn, ctx](const at::Tensor& g) -> at::Tensor {
           gd_tensor repl = nullptr;
           if (fn(ctx, wrap(g), &repl) != 0) throw std::runtime_error("tensor hook failed");
           if (!repl) return at::Tensor();
           return at::Tensor(c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::reclaim(reinterpret_cast<c10::TensorImpl*>(repl)));
         })))
}
GD_API int gd_tensor_remove_hook(gd_tensor a, int64_t id) { GD_TRY(T(a).remove_hook(static_cast<unsigned>(id))) }
