// runtime.cpp: errors, threads, devices, version — the process-wide pieces of the ABI.
#include "common.h"
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>

namespace gd {
static thread_local std::string last_error;
void set_error(const char* msg) { last_error = msg ? msg : "(no message)"; }

std::vector<at::Tensor> list(const gd_tensor* hs, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(T(hs[i]));
  return v;
}
}  // namespace gd

GD_API const char* gd_last_error(void) { return gd::last_error.c_str(); }
GD_API int gd_set_num_threads(int n) { GD_TRY(TORCH_CHECK(n > 0, "thread count must be positive, got ", n); at::set_num_threads(n)) }
GD_API int gd_get_num_threads(int* out) { GD_TRY(*out = at::get_num_threads()) }
GD_API int gd_cuda_device_count(int* out) {
  GD_TRY(*out = static_cast<int>(torch::cuda::device_count()))
}
GD_API int gd_version(const char** out) { GD_TRY(*out = TORCH_VERSION) }
GD_API int gd_fail_for_test(void) { GD_TRY(TORCH_CHECK(false, "gd_fail_for_test: deliberate failure")) }
