// math.cpp: elementwise math — unary (trigonometric, hyperbolic, special functions), binary (tensor and scalar forms), isclose/nan_to_num, div with a rounding mode, lerp/addcmul, and in-place updates.
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

namespace {
// A scalar operand joins type promotion as PyTorch's wrapped number (int64 tensor op 0.5 -> float32).
at::Tensor wrapped(gd_scalar s, const at::Tensor& like) { return at::native::wrapped_scalar_tensor(gd::scalar(s), like.device()); }
c10::optional<double> optd(const double* p) { return p ? c10::optional<double>(*p) : c10::nullopt; }
c10::optional<c10::string_view> rounding(int mode) {
  if (mode == 1) return c10::string_view("trunc");
  if (mode == 2) return c10::string_view("floor");
  return c10::nullopt;
}
}  // namespace

GD_UNARY(tan, x.tan()) GD_UNARY(asin, x.asin()) GD_UNARY(acos, x.acos()) GD_UNARY(atan, x.atan())
GD_UNARY(sinh, x.sinh()) GD_UNARY(cosh, x.cosh()) GD_UNARY(asinh, x.asinh()) GD_UNARY(acosh, x.acosh())
GD_UNARY(atanh, x.atanh()) GD_UNARY(log2, x.log2()) GD_UNARY(log10, x.log10()) GD_UNARY(exp2, x.exp2())
GD_UNARY(erfinv, x.erfinv()) GD_UNARY(erfc, x.erfc()) GD_UNARY(digamma, x.digamma()) GD_UNARY(isinf, x.isinf())
GD_UNARY(isposinf, x.isposinf()) GD_UNARY(isneginf, x.isneginf()) GD_UNARY(trunc, x.trunc()) GD_UNARY(frac, x.frac())

GD_UNARY_(neg, x.neg_()) GD_UNARY_(abs, x.abs_()) GD_UNARY_(log, x.log_()) GD_UNARY_(log1p, x.log1p_())
GD_UNARY_(expm1, x.expm1_()) GD_UNARY_(sqrt, x.sqrt_()) GD_UNARY_(rsqrt, x.rsqrt_()) GD_UNARY_(sigmoid, x.sigmoid_())
GD_UNARY_(tanh, x.tanh_()) GD_UNARY_(relu, x.relu_()) GD_UNARY_(sin, x.sin_()) GD_UNARY_(cos, x.cos_())
GD_UNARY_(tan, x.tan_()) GD_UNARY_(floor, x.floor_()) GD_UNARY_(ceil, x.ceil_()) GD_UNARY_(round, x.round_())
GD_UNARY_(trunc, x.trunc_()) GD_UNARY_(sign, x.sign_()) GD_UNARY_(reciprocal, x.reciprocal_()) GD_UNARY_(square, x.square_())
GD_UNARY_(erf, x.erf_()) GD_UNARY_(lgamma, x.lgamma_()) GD_UNARY_(asin, x.asin_()) GD_UNARY_(acos, x.acos_())
GD_UNARY_(atan, x.atan_()) GD_UNARY_(sinh, x.sinh_()) GD_UNARY_(cosh, x.cosh_()) GD_UNARY_(log2, x.log2_())
GD_UNARY_(log10, x.log10_()) GD_UNARY_(exp2, x.exp2_()) GD_UNARY_(erfinv, x.erfinv_()) GD_UNARY_(digamma, x.digamma_())

GD_BINARY(xlogy, at::xlogy(x, y)) GD_BINARY(hypot, at::hypot(x, y)) GD_BINARY(fmod, at::fmod(x, y))
GD_API int gd_tensor_xlogy_scalar(gd_tensor a, gd_scalar b, gd_tensor* out) { GD_TRY(auto& x = T(a); *out = wrap(at::xlogy(x, wrapped(b, x)))) }
GD_API int gd_tensor_fmod_scalar(gd_tensor a, gd_scalar b, gd_tensor* out) { GD_TRY(auto& x = T(a); *out = wrap(at::fmod(x, wrapped(b, x)))) }
GD_API int gd_tensor_logit(gd_tensor a, const double* eps, gd_tensor* out) { GD_TRY(*out = wrap(at::logit(T(a), optd(eps)))) }
GD_API int gd_tensor_isclose(gd_tensor a, gd_tensor b, double rtol, double atol, int equal_nan, gd_tensor* out) {
  GD_TRY(*out = wrap(at::isclose(T(a), T(b), rtol, atol, equal_nan != 0)))
}
GD_API int gd_tensor_nan_to_num(gd_tensor a, const double* nan, const double* posinf, const double* neginf, gd_tensor* out) {
  GD_TRY(*out = wrap(at::nan_to_num(T(a), optd(nan), optd(posinf), optd(neginf))))
}
GD_API int gd_tensor_div_mode(gd_tensor a, gd_tensor b, int mode, gd_tensor* out) { GD_TRY(*out = wrap(at::div(T(a), T(b), rounding(mode)))) }
GD_API int gd_tensor_div_mode_scalar(gd_tensor a, gd_scalar b, int mode, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(at::div(x, wrapped(b, x), rounding(mode))))
}
GD_API int gd_tensor_lerp(gd_tensor a, gd_tensor end, gd_scalar weight, gd_tensor* out) { GD_TRY(*out = wrap(at::lerp(T(a), T(end), gd::scalar(weight)))) }
GD_API int gd_tensor_lerp_tensor(gd_tensor a, gd_tensor end, gd_tensor weight, gd_tensor* out) { GD_TRY(*out = wrap(at::lerp(T(a), T(end), T(weight)))) }
GD_API int gd_tensor_addcmul(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value, gd_tensor* out) {
  GD_TRY(*out = wrap(at::addcmul(T(a), T(b), T(c), gd::scalar(value))))
}
GD_API int gd_tensor_addcdiv(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value, gd_tensor* out) {
  GD_TRY(*out = wrap(at::addcdiv(T(a), T(b), T(c), gd::scalar(value))))
}
GD_API int gd_tensor_sub_scalar_(gd_tensor a, gd_scalar b) { GD_TRY(T(a).sub_(gd::scalar(b))) }
GD_API int gd_tensor_div_scalar_(gd_tensor a, gd_scalar b) { GD_TRY(T(a).div_(gd::scalar(b))) }
GD_API int gd_tensor_sub_(gd_tensor a, gd_tensor b, gd_scalar alpha) { GD_TRY(T(a).sub_(T(b), gd::scalar(alpha))) }
GD_API int gd_tensor_pow_scalar_(gd_tensor a, gd_scalar b) { GD_TRY(T(a).pow_(gd::scalar(b))) }
