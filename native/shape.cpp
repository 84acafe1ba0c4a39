// shape.cpp: views, reshapes, joins and splits, slicing, indexing and scatter/index updates, meshgrid, tril/triu_indices.
#include "common.h"

using gd::T;
using gd::wrap;

GD_API int gd_tensor_view(gd_tensor a, const int64_t* shape, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).view(gd::dims(shape, ndim))))
}
GD_API int gd_tensor_reshape(gd_tensor a, const int64_t* shape, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).reshape(gd::dims(shape, ndim))))
}
GD_API int gd_tensor_expand(gd_tensor a, const int64_t* shape, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).expand(gd::dims(shape, ndim))))
}
GD_API int gd_tensor_permute(gd_tensor a, const int64_t* dims, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).permute(gd::dims(dims, ndim))))
}
GD_API int gd_tensor_transpose(gd_tensor a, int64_t d0, int64_t d1, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).transpose(d0, d1)))
}
GD_API int gd_tensor_unsqueeze(gd_tensor a, int64_t dim, gd_tensor* out) { GD_TRY(*out = wrap(T(a).unsqueeze(dim))) }
GD_API int gd_tensor_squeeze(gd_tensor a, const int64_t* dim, gd_tensor* out) {
  GD_TRY(*out = wrap(dim ? T(a).squeeze(*dim) : T(a).squeeze()))
}
GD_API int gd_tensor_flatten(gd_tensor a, int64_t start, int64_t end, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).flatten(start, end)))
}
GD_API int gd_tensor_cat(const gd_tensor* xs, int n, int64_t dim, gd_tensor* out) {
  GD_TRY(*out = wrap(at::cat(gd::list(xs, n), dim)))
}
GD_API int gd_tensor_stack(const gd_tensor* xs, int n, int64_t dim, gd_tensor* out) {
  GD_TRY(*out = wrap(at::stack(gd::list(xs, n), dim)))
}
GD_API int gd_tensor_chunk(gd_tensor a, int64_t chunks, int64_t dim, gd_tensor* out, int* count) {
  GD_TRY(auto parts = T(a).chunk(chunks, dim); *count = static_cast<int>(parts.size());
         for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]))
}
GD_API int gd_tensor_split(gd_tensor a, int64_t size, int64_t dim, gd_tensor* out, int* count) {
  GD_TRY(auto parts = T(a).split(size, dim); *count = static_cast<int>(parts.size());
         for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]))
}
GD_API int gd_tensor_split_with_sizes(gd_tensor a, const int64_t* sizes, int n, int64_t dim, gd_tensor* out) {
  GD_TRY(auto parts = T(a).split_with_sizes(gd::dims(sizes, n), dim);
         for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]))
}
GD_API int gd_tensor_unbind(gd_tensor a, int64_t dim, gd_tensor* out, int* count) {
  GD_TRY(auto parts = T(a).unbind(dim); *count = static_cast<int>(parts.size());
         for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]))
}
GD_API int gd_tensor_select(gd_tensor a, int64_t dim, int64_t index, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).select(dim, index)))
}
GD_API int gd_tensor_slice(gd_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).slice(dim, start, end, step)))
}
GD_API int gd_tensor_narrow(gd_tensor a, int64_t dim, int64_t start, int64_t length, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).narrow(dim, start, length)))
}
GD_API int gd_tensor_index_select(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).index_select(dim, T(index))))
}
GD_API int gd_tensor_index_select_mapped(gd_tensor a, const int64_t* rows, int64_t n, gd_tensor table, gd_tensor* out) {
  GD_TRY(
    auto& x = T(a); auto& m = T(table);
    TORCH_CHECK(x.scalar_type() == at::kByte && x.device().is_cpu() && x.dim() >= 1,
                "index_select_mapped: the source must be a uint8 CPU tensor with at least one dimension, got ",
                x.scalar_type(), " on ", x.device(), " with ", x.dim(), " dimensions");
    TORCH_CHECK(m.dim() == 1 && m.size(0) == 256 && m.device().is_cpu() && at::isFloatingType(m.scalar_type()),
                "index_select_mapped: the table must be a floating CPU vector of 256 entries, got ", m.scalar_type(),
                " ", m.sizes());
    TORCH_CHECK(n >= 0, "index_select_mapped: the row count must be >= 0, got ", n);
    auto src = x.contiguous(); auto tab = m.contiguous();
    const int64_t count = src.size(0);
    for (int64_t i = 0; i < n; i++)
      TORCH_CHECK(rows[i] >= 0 && rows[i] < count, "index_select_mapped: row ", rows[i], " is outside 0..", count - 1);
    auto shape = src.sizes().vec();
    shape[0] = n;
    auto result = at::empty(shape, tab.options());
    const int64_t len = count == 0 ? 0 : src.numel() / count;   // elements per row
    const uint8_t* s = src.data_ptr<uint8_t>();
    AT_DISPATCH_FLOATING_TYPES_AND_HALF(tab.scalar_type(), "index_select_mapped", [&] {
      const scalar_t* t = tab.data_ptr<scalar_t>();
      scalar_t* o = result.data_ptr<scalar_t>();
      for (int64_t i = 0; i < n; i++) {
        const uint8_t* r = s + rows[i] * len;
        scalar_t* w = o + i * len;
        for (int64_t j = 0; j < len; j++) w[j] = t[r[j]];
      }
    });
    *out = wrap(std::move(result)))
}
namespace {
c10::List<c10::optional<at::Tensor>> index_list(const gd_tensor* indices, int n) {
  c10::List<c10::optional<at::Tensor>> l;
  for (int i = 0; i < n; ++i) l.push_back(gd::opt(indices[i]));
  return l;
}
}  // namespace
GD_API int gd_tensor_index(gd_tensor a, const gd_tensor* indices, int n, gd_tensor* out) {
  GD_TRY(*out = wrap(at::index(T(a), index_list(indices, n))))
}
GD_API int gd_tensor_index_put_(gd_tensor a, const gd_tensor* indices, int n, gd_tensor values, int accumulate) {
  GD_TRY(T(a).index_put_(index_list(indices, n), T(values), accumulate != 0))
}
GD_API int gd_tensor_gather(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).gather(dim, T(index))))
}
GD_API int gd_tensor_scatter(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor src, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).scatter(dim, T(index), T(src))))
}
GD_API int gd_tensor_scatter_add(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor src, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).scatter_add(dim, T(index), T(src))))
}
GD_API int gd_tensor_masked_fill(gd_tensor a, gd_tensor mask, gd_scalar value, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).masked_fill(T(mask), gd::scalar(value))))
}
GD_API int gd_tensor_masked_select(gd_tensor a, gd_tensor mask, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).masked_select(T(mask))))
}
GD_API int gd_tensor_where(gd_tensor cond, gd_tensor a, gd_tensor b, gd_tensor* out) {
  GD_TRY(*out = wrap(at::where(T(cond), T(a), T(b))))
}
GD_API int gd_tensor_triu(gd_tensor a, int64_t diagonal, gd_tensor* out) { GD_TRY(*out = wrap(T(a).triu(diagonal))) }
GD_API int gd_tensor_tril(gd_tensor a, int64_t diagonal, gd_tensor* out) { GD_TRY(*out = wrap(T(a).tril(diagonal))) }
GD_API int gd_tensor_diagonal(gd_tensor a, int64_t offset, int64_t d0, int64_t d1, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).diagonal(offset, d0, d1)))
}
GD_API int gd_tensor_diag_embed(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(at::diag_embed(T(a)))) }
GD_API int gd_tensor_flip(gd_tensor a, const int64_t* dims, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).flip(gd::dims(dims, ndim))))
}
GD_API int gd_tensor_repeat(gd_tensor a, const int64_t* reps, int ndim, gd_tensor* out) {
  GD_TRY(*out = wrap(T(a).repeat(gd::dims(reps, ndim))))
}
GD_API int gd_tensor_nonzero(gd_tensor a, gd_tensor* out) { GD_TRY(*out = wrap(T(a).nonzero())) }
GD_API int gd_tensor_sort(gd_tensor a, int64_t dim, int descending, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(auto r = T(a).sort(dim, descending != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)))
}
GD_API int gd_tensor_topk(gd_tensor a, int64_t k, int64_t dim, int largest, gd_tensor* values, gd_tensor* indices) {
  GD_TRY(auto r = T(a).topk(k, dim, largest != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)))
}

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
