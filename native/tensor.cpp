// tensor.cpp: tensor lifetime, metadata and copies between tensors and caller buffers.
#include "common.h"
#include <cstring>

GD_API int gd_tensor_free(gd_tensor a) {  // drops the handle's reference (the TensorImpl goes with the last one)
  GD_TRY(if (a) c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::reclaim(reinterpret_cast<c10::TensorImpl*>(a)))
}
GD_API int gd_tensor_ndim(gd_tensor a, int* out) { GD_TRY(*out = static_cast<int>(gd::T(a).dim())) }
GD_API int gd_tensor_sizes(gd_tensor a, int64_t* out) {
  GD_TRY(auto s = gd::T(a).sizes(); std::copy(s.begin(), s.end(), out))
}
GD_API int gd_tensor_size_dim(gd_tensor a, int64_t dim, int64_t* out) { GD_TRY(*out = gd::T(a).size(dim)) }
GD_API int gd_tensor_strides(gd_tensor a, int64_t* out) {
  GD_TRY(auto s = gd::T(a).strides(); std::copy(s.begin(), s.end(), out))
}
GD_API int gd_tensor_numel(gd_tensor a, int64_t* out) { GD_TRY(*out = gd::T(a).numel()) }
GD_API int gd_tensor_dtype(gd_tensor a, int* out) { GD_TRY(*out = static_cast<int>(gd::T(a).scalar_type())) }
GD_API int gd_tensor_device(gd_tensor a, int* type, int* index) {
  GD_TRY(auto d = gd::T(a).device(); *type = d.is_cuda() ? GD_DEVICE_CUDA : GD_DEVICE_CPU;
         *index = d.has_index() ? d.index() : 0)
}
GD_API int gd_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype, gd_tensor* out) {
  GD_TRY(auto t = at::empty(gd::dims(shape, ndim), at::TensorOptions().dtype(gd::dtype(dtype)));
         if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.nbytes());
         *out = gd::wrap(std::move(t)))
}
GD_API int gd_tensor_from_blob(void* data, const int64_t* shape, int ndim, int dtype, void (*release)(void*), void* ctx,
                               gd_tensor* out) {
  // release runs exactly once: when the storage goes, or here when the call failed before a storage took it.
  auto released = std::make_shared<bool>(false);
  auto deleter = [release, ctx, released](void*) { *released = true; release(ctx); };
  int status = [&]() -> int {
    GD_TRY(*out = gd::wrap(at::from_blob(data, gd::dims(shape, ndim), deleter, at::TensorOptions().dtype(gd::dtype(dtype)))))
  }();
  if (status != 0 && !*released) release(ctx);
  return status;
}
GD_API int gd_tensor_copy_out(gd_tensor a, void* buffer, int64_t nbytes) {
  GD_TRY(auto t = gd::T(a).detach().to(at::kCPU).contiguous();
         TORCH_CHECK(static_cast<int64_t>(t.nbytes()) == nbytes, "copy_out: buffer holds ", nbytes,
                     " bytes but the tensor has ", t.nbytes());
         // A ZeroTensor (libtorch's storage-free zeros, e.g. the second derivative of abs) has no data to copy.
         if (nbytes > 0 && t._is_zerotensor()) std::memset(buffer, 0, t.nbytes());
         else if (nbytes > 0) std::memcpy(buffer, t.data_ptr(), t.nbytes()))
}
GD_API int gd_tensor_item(gd_tensor a, gd_scalar* out) {
  GD_TRY(auto s = gd::T(a).item();
         if (s.isBoolean()) { out->kind = GD_SCALAR_BOOL; out->i = s.toBool(); out->d = s.toBool(); }
         else if (s.isIntegral(false)) { out->kind = GD_SCALAR_INT; out->i = s.toLong(); out->d = static_cast<double>(out->i); }
         else { out->kind = GD_SCALAR_DOUBLE; out->d = s.toDouble(); out->i = static_cast<int64_t>(out->d); })
}
GD_API int gd_tensor_to(gd_tensor a, int dtype, int device_type, int device_index, int copy, gd_tensor* out) {
  GD_TRY(auto& x = gd::T(a);
         auto dt = dtype < 0 ? x.scalar_type() : gd::dtype(dtype);
         auto dev = device_type < 0 ? x.device() : gd::device(device_type, device_index);
         *out = gd::wrap(x.to(dev, dt, /*non_blocking=*/false, copy != 0)))
}
GD_API int gd_tensor_clone(gd_tensor a, gd_tensor* out) { GD_TRY(*out = gd::wrap(gd::T(a).clone())) }
GD_API int gd_tensor_contiguous(gd_tensor a, gd_tensor* out) { GD_TRY(*out = gd::wrap(gd::T(a).contiguous())) }
// format: 0 the default (row-major) layout, 1 channels-last (NHWC strides for a 4-d tensor).
static at::MemoryFormat gd_format(int f) {
  if (f == 0) return at::MemoryFormat::Contiguous;
  if (f == 1) return at::MemoryFormat::ChannelsLast;
  throw std::invalid_argument("memory format must be 0 (contiguous) or 1 (channels-last), got " + std::to_string(f));
}
GD_API int gd_tensor_contiguous_format(gd_tensor a, int format, gd_tensor* out) { GD_TRY(*out = gd::wrap(gd::T(a).contiguous(gd_format(format)))) }
GD_API int gd_tensor_is_contiguous_format(gd_tensor a, int format, int* out) { GD_TRY(*out = gd::T(a).is_contiguous(gd_format(format)) ? 1 : 0) }
GD_API int gd_tensor_copy_(gd_tensor dst, gd_tensor src) { GD_TRY(gd::T(dst).copy_(gd::T(src))) }
GD_API int gd_tensor_fill_(gd_tensor a, gd_scalar value) { GD_TRY(gd::T(a).fill_(gd::scalar(value))) }
GD_API int gd_tensor_zero_(gd_tensor a) { GD_TRY(gd::T(a).zero_()) }
