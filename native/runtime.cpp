// runtime.cpp: errors, threads, devices, version — the process-wide pieces of the ABI.
#include "common.h"
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <dlfcn.h>
#include <climits>
#include <cstdlib>

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

// ---- which BLAS runs the matrix products ----
// libtorch calls the Fortran sgemm_ it finds through libblas.so.3 (Debian's alternative: OpenBLAS, BLIS, the
// reference BLAS, or a library loaded under that name before libtorch). dladdr names the file that defines it; the
// library's own query functions, looked up in that file's scope, name its version and kernel.
namespace {
std::string describe_blas() {
  void* blas = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
  if (!blas) return "unknown (libblas.so.3 is not loaded)";
  void* sgemm = dlsym(blas, "sgemm_");
  std::string file = "?";
  Dl_info di{};
  if (sgemm && dladdr(sgemm, &di) && di.dli_fname) {
    file = di.dli_fname;  // as loaded: through the alternatives' symlink when the system resolved it
    if (char* real = realpath(di.dli_fname, nullptr)) { file = real; free(real); }
    auto slash = file.find_last_of('/');  // the file and its folder (Debian's openblas-pthread/, blis-openmp/, ...)
    if (slash != std::string::npos && slash > 0) {
      auto parent = file.find_last_of('/', slash - 1);
      file = file.substr(parent == std::string::npos ? 0 : parent + 1);
    }
  }
  std::string text;
  using cstr_fn = char* (*)();
  using int_fn = int (*)();
  if (auto corename = reinterpret_cast<cstr_fn>(dlsym(blas, "openblas_get_corename"))) {
    auto config = reinterpret_cast<cstr_fn>(dlsym(blas, "openblas_get_config"));
    auto parallel = reinterpret_cast<int_fn>(dlsym(blas, "openblas_get_parallel"));
    std::string version = "OpenBLAS";
    if (config) {  // "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64": the first two words
      std::string c = config();
      auto second = c.find(' ', c.find(' ') + 1);
      version = c.substr(0, second);
    }
    const char* threading = "?";
    if (parallel) switch (parallel()) { case 0: threading = "sequential"; break; case 1: threading = "pthreads"; break; case 2: threading = "OpenMP"; break; }
    text = version + " (" + threading + "); kernel " + corename();
  } else if (auto bli_version = reinterpret_cast<const char* (*)()>(dlsym(blas, "bli_info_get_version_str"))) {
    auto arch_id = reinterpret_cast<int (*)()>(dlsym(blas, "bli_arch_query_id"));
    auto arch_name = reinterpret_cast<const char* (*)(int)>(dlsym(blas, "bli_arch_string"));
    text = std::string("BLIS ") + bli_version() + "; kernel " + (arch_id && arch_name ? arch_name(arch_id()) : "?");
  } else {
    text = "unknown BLAS";
  }
  return text + "; " + file;
}
}  // namespace

GD_API int gd_blas_info(const char** out) {
  GD_TRY(static const std::string info = describe_blas(); *out = info.c_str())
}
