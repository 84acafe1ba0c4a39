// ops_elementwise.cpp: the elementwise ops of issue 14 — trigonometric and hyperbolic, log2/exp2, special functions,
// xlogy/hypot/fmod, isclose/nan_to_num, div with a rounding mode, out-of-place lerp/addcmul, and unary in-place forms.
#include "common.h"
#include <ATen/ScalarOps.h>

using gd::T;
using gd::wrap;

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
