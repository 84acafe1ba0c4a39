// math.cpp: elementwise math — unary, binary (tensor and scalar forms) and in-place updates.
#include "common.h"
#include <ATen/ScalarOps.h>

using gd::T;
using gd::wrap;

GD_UNARY(neg, x.neg()) GD_UNARY(abs, x.abs()) GD_UNARY(exp, x.exp()) GD_UNARY(log, x.log())
GD_UNARY(log1p, x.log1p()) GD_UNARY(expm1, x.expm1()) GD_UNARY(sqrt, x.sqrt()) GD_UNARY(rsqrt, x.rsqrt())
GD_UNARY(sigmoid, x.sigmoid()) GD_UNARY(logsigmoid, at::log_sigmoid(x)) GD_UNARY(tanh, x.tanh())
GD_UNARY(relu, x.relu()) GD_UNARY(sin, x.sin()) GD_UNARY(cos, x.cos()) GD_UNARY(floor, x.floor())
GD_UNARY(ceil, x.ceil()) GD_UNARY(round, x.round()) GD_UNARY(sign, x.sign()) GD_UNARY(reciprocal, x.reciprocal())
GD_UNARY(square, x.square()) GD_UNARY(logical_not, x.logical_not()) GD_UNARY(gelu, at::gelu(x))
GD_UNARY(lgamma, x.lgamma()) GD_UNARY(erf, x.erf()) GD_UNARY(isnan, x.isnan()) GD_UNARY(isfinite, x.isfinite())
GD_UNARY(silu, at::silu(x))

#define GD_BINARY_BOTH(name, expr) GD_BINARY(name, expr) GD_BINARY_SCALAR(name, expr)
GD_BINARY_BOTH(add, at::add(x, y)) GD_BINARY_BOTH(sub, at::sub(x, y)) GD_BINARY_BOTH(mul, at::mul(x, y))
GD_BINARY_BOTH(div, at::div(x, y)) GD_BINARY_BOTH(pow, at::pow(x, y)) GD_BINARY_BOTH(remainder, at::remainder(x, y))
GD_BINARY_BOTH(eq, at::eq(x, y)) GD_BINARY_BOTH(ne, at::ne(x, y)) GD_BINARY_BOTH(lt, at::lt(x, y))
GD_BINARY_BOTH(le, at::le(x, y)) GD_BINARY_BOTH(gt, at::gt(x, y)) GD_BINARY_BOTH(ge, at::ge(x, y))
GD_BINARY_BOTH(floor_divide, at::floor_divide(x, y))
// A scalar bound as torch.maximum(x, torch.tensor(b)): a 0-d tensor of result_type(x, b), so ties split the gradient
// (clamp_min gives it all to x) and bool tensors work.
namespace { at::Tensor scalar_like(const at::Tensor& x, const at::Scalar& b) { return at::scalar_tensor(b, x.options().dtype(at::result_type(x, b))); } }
GD_BINARY(maximum, at::maximum(x, y)) GD_BINARY_SCALAR(maximum, at::maximum(x, scalar_like(x, y)))
GD_BINARY(minimum, at::minimum(x, y)) GD_BINARY_SCALAR(minimum, at::minimum(x, scalar_like(x, y)))
GD_BINARY(logical_and, at::logical_and(x, y))
GD_BINARY_SCALAR(logical_and, at::logical_and(x, at::scalar_tensor(y, x.options().dtype(at::kBool))))
GD_BINARY(logical_or, at::logical_or(x, y))
GD_BINARY_SCALAR(logical_or, at::logical_or(x, at::scalar_tensor(y, x.options().dtype(at::kBool))))
GD_BINARY(atan2, at::atan2(x, y)) GD_BINARY(logaddexp, at::logaddexp(x, y))
// A scalar joins type promotion as PyTorch's wrapped number (int64 tensor, 0.5 -> float32), never cast to x's dtype first.
GD_BINARY_SCALAR(atan2, at::atan2(x, at::native::wrapped_scalar_tensor(y, x.device())))
GD_BINARY_SCALAR(rsub, at::rsub(x, y))
GD_BINARY_SCALAR(rdiv, x.reciprocal() * y)
// b ** x as Python's Tensor.__rpow__: b as a 0-d tensor of result_type(b, x), so a bool base stays differentiable in x
// and an int base with a float64 x takes log(b) in float64.
GD_BINARY_SCALAR(rpow, at::pow(at::scalar_tensor(y, x.options().dtype(at::result_type(x, y))), x))

GD_API int gd_tensor_leaky_relu(gd_tensor a, double slope, gd_tensor* out) {
  GD_TRY(*out = wrap(at::leaky_relu(T(a), slope)))
}
GD_API int gd_tensor_softplus(gd_tensor a, double beta, double threshold, gd_tensor* out) {
  GD_TRY(*out = wrap(at::softplus(T(a), beta, threshold)))
}
namespace {
// An int bound keeps an int64 tensor int64 (PyTorch: torch.clamp(long, -1, 2) is long); a float bound promotes.
c10::optional<at::Scalar> bound(const gd_scalar* v) { return v ? c10::optional<at::Scalar>(gd::scalar(*v)) : c10::nullopt; }
}  // namespace
GD_API int gd_tensor_clamp(gd_tensor a, const gd_scalar* min, const gd_scalar* max, gd_tensor* out) {
  GD_TRY(*out = wrap(at::clamp(T(a), bound(min), bound(max))))
}
GD_API int gd_tensor_clamp_(gd_tensor a, const gd_scalar* min, const gd_scalar* max) {
  GD_TRY(T(a).clamp_(bound(min), bound(max)))
}
GD_API int gd_tensor_add_(gd_tensor a, gd_tensor b, gd_scalar alpha) { GD_TRY(T(a).add_(T(b), gd::scalar(alpha))) }
GD_API int gd_tensor_add_scalar_(gd_tensor a, gd_scalar b) { GD_TRY(T(a).add_(gd::scalar(b))) }
GD_API int gd_tensor_mul_(gd_tensor a, gd_tensor b) { GD_TRY(T(a).mul_(T(b))) }
GD_API int gd_tensor_mul_scalar_(gd_tensor a, gd_scalar b) { GD_TRY(T(a).mul_(gd::scalar(b))) }
GD_API int gd_tensor_div_(gd_tensor a, gd_tensor b) { GD_TRY(T(a).div_(T(b))) }
GD_API int gd_tensor_exp_(gd_tensor a) { GD_TRY(T(a).exp_()) }
GD_API int gd_tensor_addcmul_(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value) {
  GD_TRY(T(a).addcmul_(T(b), T(c), gd::scalar(value)))
}
GD_API int gd_tensor_addcdiv_(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value) {
  GD_TRY(T(a).addcdiv_(T(b), T(c), gd::scalar(value)))
}
GD_API int gd_tensor_lerp_(gd_tensor a, gd_tensor end, gd_scalar weight) { GD_TRY(T(a).lerp_(T(end), gd::scalar(weight))) }
