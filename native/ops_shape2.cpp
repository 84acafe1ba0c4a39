// ops_shape2.cpp: the shape and indexing ops of issue 14 — tensor_split, movedim, broadcast_tensors, unflatten, roll,
// tile, take_along_dim, index_add/index_copy, scatter_reduce, one-argument where, meshgrid, tril/triu_indices.
#include "common.h"

using gd::T;
using gd::wrap;

namespace {
// Hands n results to a caller's buffer (it has room for as many as the caller computed).
void hand(const std::vector<at::Tensor>& ts, gd_tensor* out, int* count) {
  for (size_t i = 0; i < ts.size(); ++i) out[i] = wrap(ts[i]);
  if (count) *count = static_cast<int>(ts.size());
}
}  // namespace

GD_API int gd_tensor_tensor_split(gd_tensor a, int64_t sections, int64_t dim, gd_tensor* out, int* count) {
  GD_TRY(hand(at::tensor_split(T(a), sections, dim), out, count))
}
GD_API int gd_tensor_tensor_split_indices(gd_tensor a, const int64_t* indices, int n, int64_t dim, gd_tensor* out, int* count) {
  GD_TRY(hand(at::tensor_split(T(a), gd::dims(indices, n), dim), out, count))
}
GD_API int gd_tensor_movedim(gd_tensor a, const int64_t* src, const int64_t* dst, int n, gd_tensor* out) {
  GD_TRY(*out = wrap(at::movedim(T(a), gd::dims(src, n), gd::dims(dst, n))))
}
GD_API int gd_tensor_broadcast_tensors(const gd_tensor* xs, int n, gd_tensor* out) {
  GD_TRY(hand(at::broadcast_tensors(gd::list(xs, n)), out, nullptr))
}
GD_API int gd_tensor_unflatten(gd_tensor a, int64_t dim, const int64_t* sizes, int n, gd_tensor* out) {
  GD_TRY(*out = wrap(at::unflatten(T(a), dim, gd::dims(sizes, n))))
}
GD_API int gd_tensor_roll(gd_tensor a, const int64_t* shifts, const int64_t* dims, int n, int ndims, gd_tensor* out) {
  GD_TRY(*out = wrap(at::roll(T(a), gd::dims(shifts, n), gd::dims(dims, ndims))))
}
GD_API int gd_tensor_tile(gd_tensor a, const int64_t* reps, int n, gd_tensor* out) { GD_TRY(*out = wrap(at::tile(T(a), gd::dims(reps, n)))) }
GD_API int gd_tensor_take_along_dim(gd_tensor a, gd_tensor indices, const int64_t* dim, gd_tensor* out) {
  GD_TRY(*out = wrap(at::take_along_dim(T(a), T(indices), dim ? c10::optional<int64_t>(*dim) : c10::nullopt)))
}
GD_API int gd_tensor_index_add(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source, gd_scalar alpha, gd_tensor* out) {
  GD_TRY(*out = wrap(at::index_add(T(a), dim, T(index), T(source), gd::scalar(alpha))))
}
GD_API int gd_tensor_index_add_(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source, gd_scalar alpha) {
  GD_TRY(T(a).index_add_(dim, T(index), T(source), gd::scalar(alpha)))
}
GD_API int gd_tensor_index_copy(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source, gd_tensor* out) {
  GD_TRY(*out = wrap(at::index_copy(T(a), dim, T(index), T(source))))
}
GD_API int gd_tensor_index_copy_(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source) {
  GD_TRY(T(a).index_copy_(dim, T(index), T(source)))
}
GD_API int gd_tensor_scatter_reduce(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor src, const char* reduce, int include_self, gd_tensor* out) {
  GD_TRY(*out = wrap(at::scatter_reduce(T(a), dim, T(index), T(src), reduce, include_self != 0)))
}
GD_API int gd_tensor_where_cond(gd_tensor cond, gd_tensor* out) { GD_TRY(hand(at::where(T(cond)), out, nullptr)) }
GD_API int gd_tensor_meshgrid(const gd_tensor* xs, int n, const char* indexing, gd_tensor* out) {
  GD_TRY(hand(at::meshgrid(gd::list(xs, n), indexing), out, nullptr))
}
GD_API int gd_tensor_tril_indices(int64_t row, int64_t col, int64_t offset, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::tril_indices(row, col, offset, gd::options(4, dev, idx))))
}
GD_API int gd_tensor_triu_indices(int64_t row, int64_t col, int64_t offset, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::triu_indices(row, col, offset, gd::options(4, dev, idx))))
}
