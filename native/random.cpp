// random.cpp: creation (zeros, arange, eye ...) and seeded random sampling.
#include "common.h"
#include <ATen/CPUGeneratorImpl.h>

using gd::T;
using gd::wrap;

namespace {
// Draws happen on the CPU with the given generator, then move: one seed, same numbers on any device.
at::TensorOptions cpu(int dtype) { return at::TensorOptions().dtype(gd::dtype(dtype)); }
at::Tensor moved(at::Tensor t, int dev, int idx) {
  return dev == GD_DEVICE_CPU ? t : t.to(gd::device(dev, idx));
}
}  // namespace

GD_API int gd_tensor_zeros(const int64_t* shape, int ndim, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::zeros(gd::dims(shape, ndim), gd::options(dtype, dev, idx))))
}
GD_API int gd_tensor_ones(const int64_t* shape, int ndim, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::ones(gd::dims(shape, ndim), gd::options(dtype, dev, idx))))
}
GD_API int gd_tensor_full(const int64_t* shape, int ndim, gd_scalar value, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(auto o = at::TensorOptions().device(gd::device(dev, idx));
         if (dtype >= 0) o = o.dtype(gd::dtype(dtype));
         *out = wrap(at::full(gd::dims(shape, ndim), gd::scalar(value), o)))
}
GD_API int gd_tensor_empty(const int64_t* shape, int ndim, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::empty(gd::dims(shape, ndim), gd::options(dtype, dev, idx))))
}
GD_API int gd_tensor_arange(gd_scalar start, gd_scalar end, gd_scalar step, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(auto o = at::TensorOptions().device(gd::device(dev, idx));
         if (dtype >= 0) o = o.dtype(gd::dtype(dtype));
         *out = wrap(at::arange(gd::scalar(start), gd::scalar(end), gd::scalar(step), o)))
}
GD_API int gd_tensor_linspace(double start, double end, int64_t steps, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::linspace(start, end, steps, gd::options(dtype, dev, idx))))
}
GD_API int gd_tensor_logspace(double start, double end, int64_t steps, double base, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::logspace(start, end, steps, base, gd::options(dtype, dev, idx))))
}
GD_API int gd_tensor_eye(int64_t n, int64_t m, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(at::eye(n, m, gd::options(dtype, dev, idx))))
}

GD_API int gd_generator_new(uint64_t seed, gd_generator* out) {
  GD_TRY(*out = reinterpret_cast<gd_generator>(new at::Generator(at::detail::createCPUGenerator(seed))))
}
GD_API int gd_generator_free(gd_generator g) { GD_TRY(delete reinterpret_cast<at::Generator*>(g)) }
GD_API int gd_generator_set_seed(gd_generator g, uint64_t seed) {
  GD_TRY(auto& gen = *reinterpret_cast<at::Generator*>(g); std::lock_guard<std::mutex> lock(gen.mutex());
         gen.set_current_seed(seed))
}
namespace {
// The handle's generator, or the default CPU one for null (a copy of at::Generator shares its state).
at::Generator generator_or_default(gd_generator g) {
  return g ? *reinterpret_cast<at::Generator*>(g) : at::detail::getDefaultCPUGenerator();
}
}  // namespace
GD_API int gd_generator_get_state(gd_generator g, gd_tensor* out) {
  GD_TRY(auto gen = generator_or_default(g); std::lock_guard<std::mutex> lock(gen.mutex()); *out = wrap(gen.get_state()))
}
GD_API int gd_generator_set_state(gd_generator g, gd_tensor state) {
  GD_TRY(auto gen = generator_or_default(g); std::lock_guard<std::mutex> lock(gen.mutex()); gen.set_state(T(state)))
}
GD_API int gd_manual_seed(uint64_t seed) { GD_TRY(at::manual_seed(seed)) }

GD_API int gd_tensor_rand(const int64_t* shape, int ndim, gd_generator g, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(moved(at::rand(gd::dims(shape, ndim), gd::gen(g), cpu(dtype)), dev, idx)))
}
GD_API int gd_tensor_randn(const int64_t* shape, int ndim, gd_generator g, int dtype, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(moved(at::randn(gd::dims(shape, ndim), gd::gen(g), cpu(dtype)), dev, idx)))
}
GD_API int gd_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, gd_generator g, int dtype, int dev,
                             int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(moved(at::randint(low, high, gd::dims(shape, ndim), gd::gen(g), cpu(dtype)), dev, idx)))
}
GD_API int gd_tensor_randperm(int64_t n, gd_generator g, int dev, int idx, gd_tensor* out) {
  GD_TRY(*out = wrap(moved(at::randperm(n, gd::gen(g), cpu(static_cast<int>(at::kLong))), dev, idx)))
}
GD_API int gd_tensor_bernoulli(gd_tensor probs, gd_generator g, gd_tensor* out) {
  GD_TRY(auto& p = T(probs); *out = wrap(at::bernoulli(p.detach().to(at::kCPU), gd::gen(g)).to(p.device())))
}
GD_API int gd_tensor_multinomial(gd_tensor probs, int64_t n, int replacement, gd_generator g, gd_tensor* out) {
  GD_TRY(auto& p = T(probs);
         *out = wrap(at::multinomial(p.detach().to(at::kCPU), n, replacement != 0, gd::gen(g)).to(p.device())))
}
GD_API int gd_tensor_normal(gd_tensor mean, gd_tensor std, gd_generator g, gd_tensor* out) {
  // mean + std * eps keeps the sample differentiable in mean and std (the reparameterisation).
  GD_TRY(auto& m = T(mean); auto& s = T(std);
         auto shape = at::infer_size(m.sizes(), s.sizes());
         auto eps = at::randn(shape, gd::gen(g), at::TensorOptions().dtype(m.scalar_type())).to(m.device());
         *out = wrap(m + s * eps))
}
GD_API int gd_tensor_uniform_(gd_tensor a, double low, double high, gd_generator g) {
  GD_TRY(auto& x = T(a); at::NoGradGuard ng;
         x.copy_(at::empty(x.sizes(), cpu(static_cast<int>(x.scalar_type()))).uniform_(low, high, gd::gen(g))))
}
GD_API int gd_tensor_normal_(gd_tensor a, double mean, double std, gd_generator g) {
  GD_TRY(auto& x = T(a); at::NoGradGuard ng;
         x.copy_(at::empty(x.sizes(), cpu(static_cast<int>(x.scalar_type()))).normal_(mean, std, gd::gen(g))))
}
GD_API int gd_tensor_dropout(gd_tensor a, double p, int train, gd_generator g, gd_tensor* out) {
  GD_TRY(auto& x = T(a);
         TORCH_CHECK(p >= 0 && p <= 1, "dropout probability must be in [0, 1], got ", p);
         if (!train || p == 0) { *out = wrap(x); return 0; }
         if (p == 1) { *out = wrap(x * 0); return 0; }
         auto keep = at::empty(x.sizes(), at::TensorOptions().dtype(x.scalar_type()))
                         .bernoulli_(1 - p, gd::gen(g)).to(x.device());
         *out = wrap(x * keep / (1 - p)))
}
GD_API int gd_tensor_dropout_rows(gd_tensor a, double p, int64_t whole, gd_tensor rows, gd_generator g, gd_tensor* out) {
  // The keep mask of the whole batch (whole, ...), drawn as gd_tensor_dropout draws it, then cut to this part's rows.
  GD_TRY(auto& x = T(a);
         TORCH_CHECK(p >= 0 && p < 1, "dropout_rows: the probability must be in [0, 1), got ", p);
         TORCH_CHECK(x.dim() >= 1 && whole >= x.size(0), "dropout_rows: the batch of ", whole, " rows cannot hold ", x.size(0));
         auto shape = x.sizes().vec(); shape[0] = whole;
         auto keep = at::empty(shape, at::TensorOptions().dtype(x.scalar_type())).bernoulli_(1 - p, gd::gen(g))
                         .index_select(0, T(rows).to(at::kCPU)).to(x.device());
         *out = wrap(x * keep / (1 - p)))
}
