// linalg.cpp: matrix products and the linear algebra the flows and Gaussians need.
#include "common.h"

using gd::T;
using gd::wrap;

GD_API int gd_tensor_matmul(gd_tensor a, gd_tensor b, gd_tensor* out) { GD_TRY(*out = wrap(at::matmul(T(a), T(b)))) }
GD_API int gd_tensor_mm(gd_tensor a, gd_tensor b, gd_tensor* out) { GD_TRY(*out = wrap(at::mm(T(a), T(b)))) }
GD_API int gd_tensor_mm_out(gd_tensor a, gd_tensor b, gd_tensor out) {
  GD_TRY(at::Tensor o = T(out); at::mm_out(o, T(a), T(b)))
}
GD_API int gd_tensor_bmm(gd_tensor a, gd_tensor b, gd_tensor* out) { GD_TRY(*out = wrap(at::bmm(T(a), T(b)))) }
GD_API int gd_tensor_outer(gd_tensor a, gd_tensor b, gd_tensor* out) { GD_TRY(*out = wrap(at::outer(T(a), T(b)))) }
GD_API int gd_tensor_cdist(gd_tensor a, gd_tensor b, double p, gd_tensor* out) { GD_TRY(*out = wrap(at::cdist(T(a), T(b), p))) }
GD_API int gd_tensor_einsum(const char* equation, const gd_tensor* xs, int n, gd_tensor* out) {
  GD_TRY(*out = wrap(at::einsum(equation, gd::list(xs, n))))
}
GD_API int gd_linalg_det(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(at::linalg_det(T(a)))) }
GD_API int gd_linalg_slogdet(gd_tensor a, gd_tensor* sign, gd_tensor* logabsdet) {
  GD_TRY(auto r = at::linalg_slogdet(T(a)); *sign = wrap(std::get<0>(r)); *logabsdet = wrap(std::get<1>(r)))
}
GD_API int gd_linalg_inv(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(at::linalg_inv(T(a)))) }
GD_API int gd_linalg_cholesky(gd_tensor a, int upper, gd_tensor* out) {
  GD_TRY(*out = wrap(at::linalg_cholesky(T(a), upper != 0)))
}
GD_API int gd_linalg_solve(gd_tensor a, gd_tensor b, gd_tensor* out) { GD_TRY(*out = wrap(at::linalg_solve(T(a), T(b)))) }
GD_API int gd_linalg_solve_triangular(gd_tensor a, gd_tensor b, int upper, gd_tensor* out) {
  GD_TRY(*out = wrap(at::linalg_solve_triangular(T(a), T(b), upper != 0)))
}
GD_API int gd_linalg_eigvalsh(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(at::linalg_eigvalsh(T(a)))) }
GD_API int gd_linalg_eigvals(gd_tensor a, gd_tensor* real, gd_tensor* imag) {
  GD_TRY(auto ev = at::linalg_eigvals(T(a)); *real = wrap(at::real(ev).clone()); *imag = wrap(at::imag(ev).clone()))
}
