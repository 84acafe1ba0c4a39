// reduce.cpp: reductions (sum, mean, var, logsumexp, max, median, quantile, nan-aware sums ...), softmax-like normalisations, sorting, unique, bincount, searchsorted.
#include "common.h"

using gd::T;
using gd::wrap;

namespace {
// ndim == 0 means "every dim", as a call without dim does in PyTorch.
std::vector<int64_t> all_or(const at::Tensor& x, const int64_t* d, int n) {
  if (n > 0) return std::vector<int64_t>(d, d + n);
  std::vector<int64_t> all(static_cast<size_t>(x.dim()));
  for (int64_t i = 0; i < x.dim(); ++i) all[static_cast<size_t>(i)] = i;
  return all;
}
}  // namespace

GD_API int gd_tensor_sum(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out) {
  GD_TRY(auto& x = T(a); c10::optional<at::ScalarType> dt;
         if (dtype >= 0) dt = gd::dtype(dtype);
         *out = wrap(ndim == 0 && !keepdim ? x.sum(dt) : x.sum(all_or(x, dims, ndim), keepdim != 0, dt)))
}
GD_API int gd_tensor_mean(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(ndim == 0 && !keepdim ? x.mean() : x.mean(all_or(x, dims, ndim), keepdim != 0)))
}
GD_API int gd_tensor_prod(gd_tensor a, const int64_t* dim, int keepdim, gd_tensor* out) {
  GD_TRY(*out = wrap(dim ? T(a).prod(*dim, keepdim != 0) : T(a).prod()))
}
GD_API int gd_tensor_var(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a);
         *out = wrap(at::var(x, at::OptionalIntArrayRef(all_or(x, dims, ndim)), c10::optional<int64_t>(correction), keepdim != 0)))
}
GD_API int gd_tensor_std(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a);
         *out = wrap(at::std(x, at::OptionalIntArrayRef(all_or(x, dims, ndim)), c10::optional<int64_t>(correction), keepdim != 0)))
}
GD_API int gd_tensor_logsumexp(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(at::logsumexp(x, all_or(x, dims, ndim), keepdim != 0)))
}
GD_API int gd_tensor_amax(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(at::amax(x, all_or(x, dims, ndim), keepdim != 0)))
}
GD_API int gd_tensor_amin(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(at::amin(x, all_or(x, dims, ndim), keepdim != 0)))
}
GD_API int gd_tensor_norm(gd_tensor a, double p, const int64_t* dims, int ndim, int keepdim, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(at::norm(x, at::Scalar(p), all_or(x, dims, ndim), keepdim != 0)))
}
GD_API int gd_tensor_max_all(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).max())) }
GD_API int gd_tensor_min_all(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).min())) }
GD_API int gd_tensor_max_dim(gd_tensor a, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(auto r = T(a).max(dim, keepdim != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)))
}
GD_API int gd_tensor_min_dim(gd_tensor a, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(auto r = T(a).min(dim, keepdim != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)))
}
GD_API int gd_tensor_argmax(gd_tensor a, const int64_t* dim, int keepdim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).argmax(dim ? c10::optional<int64_t>(*dim) : c10::nullopt, keepdim != 0)))
}
GD_API int gd_tensor_argmin(gd_tensor a, const int64_t* dim, int keepdim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).argmin(dim ? c10::optional<int64_t>(*dim) : c10::nullopt, keepdim != 0)))
}
GD_API int gd_tensor_softmax(gd_tensor a, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(T(a).softmax(dim))) }
GD_API int gd_tensor_log_softmax(gd_tensor a, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(T(a).log_softmax(dim))) }
GD_API int gd_tensor_cumsum(gd_tensor a, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(T(a).cumsum(dim))) }
GD_API int gd_tensor_cumprod(gd_tensor a, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(T(a).cumprod(dim))) }
GD_API int gd_tensor_all(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).all())) }
GD_API int gd_tensor_any(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).any())) }
GD_API int gd_tensor_allclose(gd_tensor a, gd_tensor b, double rtol, double atol, int* out) {
  GD_TRY(*out = T(a).allclose(T(b), rtol, atol) ? 1 : 0)
}
GD_API int gd_tensor_equal(gd_tensor a, gd_tensor b, int* out) { GD_TRY(*out = T(a).equal(T(b)) ? 1 : 0) }

namespace {
at::OptionalIntArrayRef dimsopt(const int64_t* d, int n) { return n > 0 ? at::OptionalIntArrayRef(gd::dims(d, n)) : c10::nullopt; }
c10::optional<at::ScalarType> dt(int code) { return code >= 0 ? c10::optional<at::ScalarType>(gd::dtype(code)) : c10::nullopt; }
void two(std::tuple<at::Tensor, at::Tensor> r, gd_tensor* a, gd_tensor* b) { *a = wrap(std::get<0>(r)); *b = wrap(std::get<1>(r)); }
}  // namespace

GD_API int gd_tensor_median_all(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).median())) }
GD_API int gd_tensor_median_dim(gd_tensor a, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(two(T(a).median(dim, keepdim != 0), values, indices))
}
GD_API int gd_tensor_nanmedian_all(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).nanmedian())) }
GD_API int gd_tensor_quantile(gd_tensor a, gd_tensor q, const int64_t* dim, int keepdim, const char* interpolation, gd_tensor* out) {
  GD_TRY(*out = wrap(at::quantile(T(a), T(q), dim ? c10::optional<int64_t>(*dim) : c10::nullopt, keepdim != 0, interpolation)))
}
GD_API int gd_tensor_nanmean(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out) {
  GD_TRY(*out = wrap(at::nanmean(T(a), dimsopt(dims, ndim), keepdim != 0, dt(dtype))))
}
GD_API int gd_tensor_nansum(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out) {
  GD_TRY(*out = wrap(at::nansum(T(a), dimsopt(dims, ndim), keepdim != 0, dt(dtype))))
}
GD_API int gd_tensor_var_mean(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* var, gd_tensor* mean) {
  GD_TRY(two(at::var_mean(T(a), dimsopt(dims, ndim), c10::optional<int64_t>(correction), keepdim != 0), var, mean))
}
GD_API int gd_tensor_std_mean(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* std, gd_tensor* mean) {
  GD_TRY(two(at::std_mean(T(a), dimsopt(dims, ndim), c10::optional<int64_t>(correction), keepdim != 0), std, mean))
}
GD_API int gd_tensor_logcumsumexp(gd_tensor a, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(at::logcumsumexp(T(a), dim))) }
GD_API int gd_tensor_argsort(gd_tensor a, int64_t dim, int descending, int stable, gd_tensor* out) {
  GD_TRY(*out = wrap(at::argsort(T(a), stable != 0, dim, descending != 0)))
}
GD_API int gd_tensor_kthvalue(gd_tensor a, int64_t k, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(two(at::kthvalue(T(a), k, dim, keepdim != 0), values, indices))
}
GD_API int gd_tensor_unique(gd_tensor a, int sorted, const int64_t* dim, gd_tensor* values, gd_tensor* inverse, gd_tensor* counts) {
  GD_TRY(auto r = dim ? at::unique_dim(T(a), *dim, sorted != 0, true, true) : at::_unique2(T(a), sorted != 0, true, true);
         *values = wrap(std::get<0>(r)); *inverse = wrap(std::get<1>(r)); *counts = wrap(std::get<2>(r)))
}
GD_API int gd_tensor_bincount(gd_tensor a, gd_tensor weights, int64_t minlength, gd_tensor* out) {
  GD_TRY(*out = wrap(at::bincount(T(a), gd::opt(weights), minlength)))
}
GD_API int gd_tensor_searchsorted(gd_tensor sorted, gd_tensor values, int right, int out_int32, gd_tensor* out) {
  GD_TRY(*out = wrap(at::searchsorted(T(sorted), T(values), out_int32 != 0, right != 0)))
}
GD_API int gd_tensor_count_nonzero(gd_tensor a, const int64_t* dims, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(ndim > 0 ? at::count_nonzero(T(a), gd::dims(dims, ndim)) : at::count_nonzero(T(a))))
}
GD_API int gd_tensor_mean_dtype(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out) {
  GD_TRY(auto& x = T(a); *out = wrap(ndim == 0 && !keepdim ? x.mean(dt(dtype)) : at::mean(x, dimsopt(dims, ndim), keepdim != 0, dt(dtype))))
}
GD_API int gd_tensor_softmax_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out) { GD_TRY(*out = wrap(T(a).softmax(dim, dt(dtype)))) }
GD_API int gd_tensor_log_softmax_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out) { GD_TRY(*out = wrap(T(a).log_softmax(dim, dt(dtype)))) }
GD_API int gd_tensor_cumsum_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out) { GD_TRY(*out = wrap(T(a).cumsum(dim, dt(dtype)))) }
GD_API int gd_tensor_cumprod_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out) { GD_TRY(*out = wrap(T(a).cumprod(dim, dt(dtype)))) }
GD_API int gd_tensor_cummax(gd_tensor a, int64_t dim, gd_tensor* values, gd_tensor* indices) { GD_TRY(two(at::cummax(T(a), dim), values, indices)) }
