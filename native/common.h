// common.h: the one error-catching macro and the handle conversions every native file uses.
#pragma once
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <string>
#include "gendsl.h"

namespace gd {
void set_error(const char* msg);

// A tensor handle is libtorch's own TensorImpl* carrying one reference (no allocation of ours per tensor);
// a null handle is an undefined tensor. wrap() hands a result's reference to the caller; gd_tensor_free drops it.
inline gd_tensor wrap(at::Tensor t) {
  return t.defined() ? reinterpret_cast<gd_tensor>(t.unsafeReleaseTensorImpl()) : nullptr;
}
// T(h): the tensor behind a handle, borrowed for the call without touching its reference count. Use it as
// `auto& x = T(h);` or inline in an expression; copying it into an at::Tensor takes a reference of its own.
// It is const so that it can never be moved from (that would steal the caller's reference).
class Borrowed : public at::Tensor {
 public:
  explicit Borrowed(gd_tensor h)
      : at::Tensor(c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::reclaim(
            h ? reinterpret_cast<c10::TensorImpl*>(h) : c10::UndefinedTensorImpl::singleton())) {}
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  ~Borrowed() { unsafeReleaseTensorImpl(); }
};
inline const Borrowed T(gd_tensor h) { return Borrowed(h); }
// An optional tensor argument: a null handle means "absent".
inline c10::optional<at::Tensor> opt(gd_tensor h) {
  return h ? c10::optional<at::Tensor>(at::Tensor(T(h))) : c10::nullopt;
}
inline at::IntArrayRef dims(const int64_t* d, int n) { return at::IntArrayRef(d, static_cast<size_t>(n)); }
inline at::Scalar scalar(gd_scalar s) {
  switch (s.kind) {
    case GD_SCALAR_INT: return at::Scalar(static_cast<int64_t>(s.i));
    case GD_SCALAR_BOOL: return at::Scalar(s.i != 0);
    default: return at::Scalar(s.d);
  }
}
inline at::ScalarType dtype(int code) { return static_cast<at::ScalarType>(code); }
inline at::Device device(int type, int index) {
  return at::Device(type == GD_DEVICE_CUDA ? at::kCUDA : at::kCPU, static_cast<c10::DeviceIndex>(index));
}
inline at::TensorOptions options(int dt, int dev_type, int dev_index) {
  return at::TensorOptions().dtype(dtype(dt)).device(device(dev_type, dev_index));
}
std::vector<at::Tensor> list(const gd_tensor* hs, int n);
// A generator handle as libtorch's optional argument: null means the default generator.
inline c10::optional<at::Generator> gen(gd_generator g) {
  return g ? c10::optional<at::Generator>(*reinterpret_cast<at::Generator*>(g)) : c10::nullopt;
}
}  // namespace gd

// Wraps a function body: 0 on success; on any C++ exception, 1 and the message kept for gd_last_error().
#define GD_TRY(...)                                                        \
  try {                                                                    \
    __VA_ARGS__;                                                           \
    return 0;                                                              \
  } catch (const c10::Error& e) {                                          \
    gd::set_error(e.what_without_backtrace());                             \
  } catch (const std::exception& e) {                                      \
    gd::set_error(e.what());                                               \
  } catch (...) {                                                          \
    gd::set_error("unknown C++ exception");                                \
  }                                                                        \
  return 1;

// Op families generated from one line each (the header lists every name they make).
#define GD_UNARY(name, expr) \
  GD_API int gd_tensor_##name(gd_tensor a, gd_tensor* out) { GD_TRY(auto& x = gd::T(a); *out = gd::wrap(expr)) }
#define GD_UNARY_(name, expr) \
  GD_API int gd_tensor_##name##_(gd_tensor a) { GD_TRY(auto& x = gd::T(a); expr) }
#define GD_BINARY(name, expr)                                                 \
  GD_API int gd_tensor_##name(gd_tensor a, gd_tensor b, gd_tensor* out) {     \
    GD_TRY(auto& x = gd::T(a); auto& y = gd::T(b); *out = gd::wrap(expr))     \
  }
#define GD_BINARY_SCALAR(name, expr)                                          \
  GD_API int gd_tensor_##name##_scalar(gd_tensor a, gd_scalar b, gd_tensor* out) { \
    GD_TRY(auto& x = gd::T(a); auto y = gd::scalar(b); *out = gd::wrap(expr)) \
  }
