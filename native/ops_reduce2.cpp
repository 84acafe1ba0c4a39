// ops_reduce2.cpp: the reductions of issue 14 — median, quantile, nan-aware sums, var_mean, logcumsumexp, argsort,
// kthvalue, unique, bincount, searchsorted, count_nonzero, and dtype arguments on mean/softmax/cumsum.
#include "common.h"

using gd::T;
using gd::wrap;

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
