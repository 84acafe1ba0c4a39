// ops_autograd2.cpp: autograd switches and hooks of issue 14 — anomaly detection, inference mode, tensor gradient hooks.
#include "common.h"
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/anomaly_mode.h>
#include <stdexcept>

using gd::T;
using gd::wrap;

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
