// linalg.cpp: matrix products (matmul, addmm, tensordot, kron ...) and torch.linalg (decompositions, solves, norms, pinv, lstsq).
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

GD_BINARY(dot, at::dot(x, y)) GD_BINARY(mv, at::mv(x, y)) GD_BINARY(kron, at::kron(x, y))
GD_UNARY(trace, x.trace()) GD_UNARY(matrix_exp, at::linalg_matrix_exp(x))
GD_API int gd_tensor_addmm(gd_tensor input, gd_tensor m1, gd_tensor m2, gd_scalar beta, gd_scalar alpha, gd_tensor* out) {
  GD_TRY(*out = wrap(at::addmm(T(input), T(m1), T(m2), gd::scalar(beta), gd::scalar(alpha))))
}
// beta = 0 ignores the input (nan/inf not propagated, as PyTorch documents). libtorch 1.13's CPU kernel instead scales its
// uninitialised output by beta (NaN from reused memory), so that case adds a zeroed input with beta 1: the same value, broadcasting,
// dtype checks, and a zero gradient for the input.
GD_API int gd_tensor_baddbmm(gd_tensor input, gd_tensor b1, gd_tensor b2, gd_scalar beta, gd_scalar alpha, gd_tensor* out) {
  GD_TRY(auto b = gd::scalar(beta); auto& x = T(input);
         auto zero = b.toDouble() == 0.0;
         *out = wrap(zero ? at::baddbmm(x.masked_fill(at::ones_like(x, at::kBool), 0), T(b1), T(b2), 1, gd::scalar(alpha))
                          : at::baddbmm(x, T(b1), T(b2), b, gd::scalar(alpha))))
}
GD_API int gd_tensor_tensordot(gd_tensor a, gd_tensor b, const int64_t* dims_a, const int64_t* dims_b, int n, gd_tensor* out) {
  GD_TRY(*out = wrap(at::tensordot(T(a), T(b), gd::dims(dims_a, n), gd::dims(dims_b, n))))
}
GD_API int gd_tensor_diag(gd_tensor a, int64_t diagonal, gd_tensor* out) { GD_TRY(*out = wrap(at::diag(T(a), diagonal))) }
GD_API int gd_linalg_qr(gd_tensor a, const char* mode, gd_tensor* q, gd_tensor* r) {
  GD_TRY(auto t = at::linalg_qr(T(a), mode); *q = wrap(std::get<0>(t)); *r = wrap(std::get<1>(t)))
}
GD_API int gd_linalg_svd(gd_tensor a, int full_matrices, gd_tensor* u, gd_tensor* s, gd_tensor* vh) {
  GD_TRY(auto t = at::linalg_svd(T(a), full_matrices != 0); *u = wrap(std::get<0>(t)); *s = wrap(std::get<1>(t)); *vh = wrap(std::get<2>(t)))
}
GD_API int gd_linalg_svdvals(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(at::linalg_svdvals(T(a)))) }
GD_API int gd_linalg_eigh(gd_tensor a, int upper, gd_tensor* values, gd_tensor* vectors) {
  GD_TRY(auto t = at::linalg_eigh(T(a), upper ? "U" : "L"); *values = wrap(std::get<0>(t)); *vectors = wrap(std::get<1>(t)))
}
GD_API int gd_linalg_lstsq(gd_tensor a, gd_tensor b, const double* rcond, const char* driver, gd_tensor* solution,
                           gd_tensor* residuals, gd_tensor* rank, gd_tensor* singular_values) {
  GD_TRY(auto t = at::linalg_lstsq(T(a), T(b), rcond ? c10::optional<double>(*rcond) : c10::nullopt,
                                   driver ? c10::optional<c10::string_view>(driver) : c10::nullopt);
         *solution = wrap(std::get<0>(t)); *residuals = wrap(std::get<1>(t)); *rank = wrap(std::get<2>(t));
         *singular_values = wrap(std::get<3>(t)))
}
GD_API int gd_linalg_pinv(gd_tensor a, const double* atol, const double* rtol, int hermitian, gd_tensor* out) {
  GD_TRY(*out = wrap(at::linalg_pinv(T(a), atol ? c10::optional<double>(*atol) : c10::nullopt,
                                     rtol ? c10::optional<double>(*rtol) : c10::nullopt, hermitian != 0)))
}
GD_API int gd_linalg_vector_norm(gd_tensor a, double ord, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out) {
  GD_TRY(*out = wrap(at::linalg_vector_norm(T(a), ord, ndim > 0 ? at::OptionalIntArrayRef(gd::dims(dims, ndim)) : c10::nullopt,
                                            keepdim != 0, dtype >= 0 ? c10::optional<at::ScalarType>(gd::dtype(dtype)) : c10::nullopt)))
}
/* ord_name: "fro" or "nuc" (then ord is ignored), or null for a numeric ord (inf, -inf, 1, -1, 2, -2). */
GD_API int gd_linalg_matrix_norm(gd_tensor a, double ord, const char* ord_name, const int64_t* dims, int keepdim, gd_tensor* out) {
  GD_TRY(*out = wrap(ord_name ? at::linalg_matrix_norm(T(a), c10::string_view(ord_name), gd::dims(dims, 2), keepdim != 0)
                              : at::linalg_matrix_norm(T(a), at::Scalar(ord), gd::dims(dims, 2), keepdim != 0)))
}
GD_API int gd_linalg_matrix_power(gd_tensor a, int64_t n, gd_tensor* out) { GD_TRY(*out = wrap(at::linalg_matrix_power(T(a), n))) }
GD_API int gd_linalg_cholesky_solve(gd_tensor b, gd_tensor l, int upper, gd_tensor* out) {
  GD_TRY(*out = wrap(at::cholesky_solve(T(b), T(l), upper != 0)))
}
