/* gendsl.h: the C ABI over libtorch that GenDsl.Core binds; opaque handles, C types only.
 *
 * Conventions (see DESIGN.md):
 *   - every function returns a status, 0 = ok; on failure gd_last_error() holds the message
 *     (thread-local, valid until the next failing call on the same thread);
 *   - results come back through out-pointers; a new tensor handle is owned by the caller and
 *     released with gd_tensor_free (a handle is libtorch's TensorImpl* holding one reference, so
 *     making and freeing one allocates nothing of ours; a null handle is an undefined tensor);
 *   - names are gd_<area>_<verb>; a trailing _ marks an in-place op;
 *   - dtype codes are libtorch's ScalarType numbers (uint8 0, int32 3, int64 4, float32 6,
 *     float64 7, bool 11); devices are (type, index) with type 0 = cpu, 1 = cuda;
 *   - an optional tensor argument is a null handle when absent. */
#ifndef GENDSL_H
#define GENDSL_H
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define GD_API extern "C" __declspec(dllexport)
#elif defined(__cplusplus)
#define GD_API extern "C" __attribute__((visibility("default")))
#else
#define GD_API extern
#endif

typedef struct gd_tensor_s* gd_tensor;
typedef struct gd_generator_s* gd_generator;

enum { GD_DEVICE_CPU = 0, GD_DEVICE_CUDA = 1 };
enum { GD_SCALAR_DOUBLE = 0, GD_SCALAR_INT = 1, GD_SCALAR_BOOL = 2 };
/* A number crossing the ABI; kind says which field holds it (Python-like int/float semantics). */
typedef struct gd_scalar { double d; int64_t i; int32_t kind; } gd_scalar;

/* ---- runtime (runtime.cpp) ---- */
GD_API const char* gd_last_error(void);
GD_API int gd_set_num_threads(int n);
GD_API int gd_get_num_threads(int* out);
GD_API int gd_cuda_device_count(int* out);
GD_API int gd_version(const char** out);
/* The BLAS that libtorch's matrix products call (the library defining sgemm_ for libtorch) and, for OpenBLAS or BLIS,
   its version, threading and the kernel it runs: "OpenBLAS 0.3.21 (pthreads); kernel Cooperlake; libopenblasp-r0.3.21.so". */
GD_API int gd_blas_info(const char** out);
GD_API int gd_fail_for_test(void); /* always fails: lets tests check the error path of a void call */

/* ---- CPU allocator (allocator.cpp) ---- */
GD_API int gd_alloc_install(int64_t threshold_bytes, int huge_pages); /* large blocks kept for reuse, bounded by the peak */
GD_API int gd_alloc_stats(int64_t* out); /* out[6]: in use, kept, peak in use (bytes); hits; misses; threshold */
GD_API int gd_alloc_empty_cache(void);
GD_API int gd_alloc_reset_peak(void);

/* ---- tensors: lifetime, metadata, data (tensor.cpp) ---- */
GD_API int gd_tensor_free(gd_tensor a);
GD_API int gd_tensor_ndim(gd_tensor a, int* out);
GD_API int gd_tensor_sizes(gd_tensor a, int64_t* out); /* out has ndim entries */
GD_API int gd_tensor_size_dim(gd_tensor a, int64_t dim, int64_t* out); /* dim < 0 counts from the end */
GD_API int gd_tensor_strides(gd_tensor a, int64_t* out);
GD_API int gd_tensor_numel(gd_tensor a, int64_t* out);
GD_API int gd_tensor_dtype(gd_tensor a, int* out);
GD_API int gd_tensor_device(gd_tensor a, int* type, int* index);
GD_API int gd_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype, gd_tensor* out);
/* at::from_blob: a CPU tensor over the caller's contiguous memory, no copy. release(ctx) is called exactly once: from
   whatever thread drops the storage's last reference, or before this call returns when it fails. */
GD_API int gd_tensor_from_blob(void* data, const int64_t* shape, int ndim, int dtype, void (*release)(void*), void* ctx,
                               gd_tensor* out);
GD_API int gd_tensor_copy_out(gd_tensor a, void* buffer, int64_t nbytes); /* any device, any layout */
GD_API int gd_tensor_item(gd_tensor a, gd_scalar* out);
GD_API int gd_tensor_to(gd_tensor a, int dtype, int device_type, int device_index, int copy, gd_tensor* out);
GD_API int gd_tensor_clone(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_contiguous(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_contiguous_format(gd_tensor a, int format, gd_tensor* out);   /* format: 0 contiguous, 1 channels-last */
GD_API int gd_tensor_is_contiguous_format(gd_tensor a, int format, int* out);
GD_API int gd_tensor_copy_(gd_tensor dst, gd_tensor src);
GD_API int gd_tensor_fill_(gd_tensor a, gd_scalar value);
GD_API int gd_tensor_zero_(gd_tensor a);

/* ---- creation and randomness (random.cpp) ---- */
GD_API int gd_tensor_zeros(const int64_t* shape, int ndim, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_ones(const int64_t* shape, int ndim, int dtype, int dev, int idx, gd_tensor* out);
/* dtype -1: inferred from the value as torch.full does (bool -> bool, int -> int64, float -> float32). */
GD_API int gd_tensor_full(const int64_t* shape, int ndim, gd_scalar value, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_empty(const int64_t* shape, int ndim, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_arange(gd_scalar start, gd_scalar end, gd_scalar step, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_linspace(double start, double end, int64_t steps, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_logspace(double start, double end, int64_t steps, double base, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_eye(int64_t n, int64_t m, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_generator_new(uint64_t seed, gd_generator* out);
GD_API int gd_generator_free(gd_generator g);
GD_API int gd_generator_set_seed(gd_generator g, uint64_t seed);
/* The generator's full state as a uint8 tensor (a copy), and back; a null g is libtorch's default CPU generator. */
GD_API int gd_generator_get_state(gd_generator g, gd_tensor* out);
GD_API int gd_generator_set_state(gd_generator g, gd_tensor state);
GD_API int gd_manual_seed(uint64_t seed);
/* Random tensors draw on the CPU from g (null = the default generator) and are then moved to the
 * device, so a seed gives the same numbers on every device. */
GD_API int gd_tensor_rand(const int64_t* shape, int ndim, gd_generator g, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_randn(const int64_t* shape, int ndim, gd_generator g, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, gd_generator g, int dtype, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_randperm(int64_t n, gd_generator g, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_bernoulli(gd_tensor probs, gd_generator g, gd_tensor* out);
GD_API int gd_tensor_multinomial(gd_tensor probs, int64_t n, int replacement, gd_generator g, gd_tensor* out);
GD_API int gd_tensor_normal(gd_tensor mean, gd_tensor std, gd_generator g, gd_tensor* out);
GD_API int gd_tensor_uniform_(gd_tensor a, double low, double high, gd_generator g);
GD_API int gd_tensor_normal_(gd_tensor a, double mean, double std, gd_generator g);
GD_API int gd_tensor_dropout(gd_tensor a, double p, int train, gd_generator g, gd_tensor* out);
/* Dropout of the rows `rows` (int64, (n,)) of a batch of `whole` rows: the keep mask drawn for (whole, ...) and cut to them. */
GD_API int gd_tensor_dropout_rows(gd_tensor a, double p, int64_t whole, gd_tensor rows, gd_generator g, gd_tensor* out);

/* ---- shapes and indexing (shape.cpp) ---- */
GD_API int gd_tensor_view(gd_tensor a, const int64_t* shape, int ndim, gd_tensor* out);
GD_API int gd_tensor_reshape(gd_tensor a, const int64_t* shape, int ndim, gd_tensor* out);
GD_API int gd_tensor_expand(gd_tensor a, const int64_t* shape, int ndim, gd_tensor* out);
GD_API int gd_tensor_permute(gd_tensor a, const int64_t* dims, int ndim, gd_tensor* out);
GD_API int gd_tensor_transpose(gd_tensor a, int64_t d0, int64_t d1, gd_tensor* out);
GD_API int gd_tensor_unsqueeze(gd_tensor a, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_squeeze(gd_tensor a, const int64_t* dim, gd_tensor* out); /* dim null: all size-1 dims */
GD_API int gd_tensor_flatten(gd_tensor a, int64_t start, int64_t end, gd_tensor* out);
GD_API int gd_tensor_cat(const gd_tensor* xs, int n, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_stack(const gd_tensor* xs, int n, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_chunk(gd_tensor a, int64_t chunks, int64_t dim, gd_tensor* out, int* count); /* out has room for chunks */
/* torch.split(a, size, dim): pieces of `size` along dim (the last may be shorter); out has room for ceil(len / size). */
GD_API int gd_tensor_split(gd_tensor a, int64_t size, int64_t dim, gd_tensor* out, int* count);
/* torch.split(a, [s0, s1, ...], dim): the sizes must add up to the dim's length; out has room for n. */
GD_API int gd_tensor_split_with_sizes(gd_tensor a, const int64_t* sizes, int n, int64_t dim, gd_tensor* out);
/* torch.unbind(a, dim): the slices along dim, that dim removed; out has room for the dim's length. */
GD_API int gd_tensor_unbind(gd_tensor a, int64_t dim, gd_tensor* out, int* count);
GD_API int gd_tensor_select(gd_tensor a, int64_t dim, int64_t index, gd_tensor* out);
GD_API int gd_tensor_slice(gd_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step, gd_tensor* out);
GD_API int gd_tensor_narrow(gd_tensor a, int64_t dim, int64_t start, int64_t length, gd_tensor* out);
GD_API int gd_tensor_index_select(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor* out);
/* Rows rows[0..n) of a uint8 CPU tensor a (N, ...), every byte v replaced by table[v] (a CPU vector of 256 floating
   values): (n, ...) in the table's dtype. One pass, no index tensor: a data set's batch of bytes through a fixed
   pixel map (MNIST's x / 255, x / 255 > 0.5). */
GD_API int gd_tensor_index_select_mapped(gd_tensor a, const int64_t* rows, int64_t n, gd_tensor table, gd_tensor* out);
GD_API int gd_tensor_index(gd_tensor a, const gd_tensor* indices, int n, gd_tensor* out); /* null entry = ':' */
GD_API int gd_tensor_index_put_(gd_tensor a, const gd_tensor* indices, int n, gd_tensor values, int accumulate);
GD_API int gd_tensor_gather(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor* out);
GD_API int gd_tensor_scatter(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor src, gd_tensor* out);
GD_API int gd_tensor_scatter_add(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor src, gd_tensor* out);
GD_API int gd_tensor_masked_fill(gd_tensor a, gd_tensor mask, gd_scalar value, gd_tensor* out);
GD_API int gd_tensor_masked_select(gd_tensor a, gd_tensor mask, gd_tensor* out);
GD_API int gd_tensor_where(gd_tensor cond, gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_triu(gd_tensor a, int64_t diagonal, gd_tensor* out);
GD_API int gd_tensor_tril(gd_tensor a, int64_t diagonal, gd_tensor* out);
GD_API int gd_tensor_diagonal(gd_tensor a, int64_t offset, int64_t d0, int64_t d1, gd_tensor* out);
GD_API int gd_tensor_diag_embed(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_flip(gd_tensor a, const int64_t* dims, int ndim, gd_tensor* out);
GD_API int gd_tensor_repeat(gd_tensor a, const int64_t* reps, int ndim, gd_tensor* out);
GD_API int gd_tensor_nonzero(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_sort(gd_tensor a, int64_t dim, int descending, gd_tensor* values, gd_tensor* indices);
GD_API int gd_tensor_topk(gd_tensor a, int64_t k, int64_t dim, int largest, gd_tensor* values, gd_tensor* indices);
/* Out buffers have room for every result the caller expects (the room each call needs is noted). */
GD_API int gd_tensor_tensor_split(gd_tensor a, int64_t sections, int64_t dim, gd_tensor* out, int* count); /* room: sections */
GD_API int gd_tensor_tensor_split_indices(gd_tensor a, const int64_t* indices, int n, int64_t dim, gd_tensor* out, int* count); /* room: n + 1 */
GD_API int gd_tensor_movedim(gd_tensor a, const int64_t* src, const int64_t* dst, int n, gd_tensor* out);
GD_API int gd_tensor_broadcast_tensors(const gd_tensor* xs, int n, gd_tensor* out); /* room: n */
GD_API int gd_tensor_unflatten(gd_tensor a, int64_t dim, const int64_t* sizes, int n, gd_tensor* out);
GD_API int gd_tensor_roll(gd_tensor a, const int64_t* shifts, const int64_t* dims, int n, int ndims, gd_tensor* out); /* ndims 0: flattened */
GD_API int gd_tensor_tile(gd_tensor a, const int64_t* reps, int n, gd_tensor* out);
GD_API int gd_tensor_take_along_dim(gd_tensor a, gd_tensor indices, const int64_t* dim, gd_tensor* out); /* dim null: flattened */
GD_API int gd_tensor_index_add(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source, gd_scalar alpha, gd_tensor* out);
GD_API int gd_tensor_index_add_(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source, gd_scalar alpha);
GD_API int gd_tensor_index_copy(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source, gd_tensor* out);
GD_API int gd_tensor_index_copy_(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor source);
/* reduce: "sum", "prod", "mean", "amax" or "amin". */
GD_API int gd_tensor_scatter_reduce(gd_tensor a, int64_t dim, gd_tensor index, gd_tensor src, const char* reduce, int include_self, gd_tensor* out);
GD_API int gd_tensor_where_cond(gd_tensor cond, gd_tensor* out); /* torch.where(cond): room for cond's dim count */
GD_API int gd_tensor_meshgrid(const gd_tensor* xs, int n, const char* indexing, gd_tensor* out); /* "ij" or "xy"; room: n */
GD_API int gd_tensor_tril_indices(int64_t row, int64_t col, int64_t offset, int dev, int idx, gd_tensor* out);
GD_API int gd_tensor_triu_indices(int64_t row, int64_t col, int64_t offset, int dev, int idx, gd_tensor* out);

/* ---- elementwise math (math.cpp); binary ops broadcast like PyTorch ---- */
#define GD_DECLARE_UNARY(name) GD_API int gd_tensor_##name(gd_tensor a, gd_tensor* out);
#define GD_DECLARE_BINARY(name)                                            \
  GD_API int gd_tensor_##name(gd_tensor a, gd_tensor b, gd_tensor* out); \
  GD_API int gd_tensor_##name##_scalar(gd_tensor a, gd_scalar b, gd_tensor* out);
GD_DECLARE_UNARY(neg) GD_DECLARE_UNARY(abs) GD_DECLARE_UNARY(exp) GD_DECLARE_UNARY(log)
GD_DECLARE_UNARY(log1p) GD_DECLARE_UNARY(expm1) GD_DECLARE_UNARY(sqrt) GD_DECLARE_UNARY(rsqrt)
GD_DECLARE_UNARY(sigmoid) GD_DECLARE_UNARY(logsigmoid) GD_DECLARE_UNARY(tanh) GD_DECLARE_UNARY(relu)
GD_DECLARE_UNARY(sin) GD_DECLARE_UNARY(cos) GD_DECLARE_UNARY(floor) GD_DECLARE_UNARY(ceil)
GD_DECLARE_UNARY(round) GD_DECLARE_UNARY(sign) GD_DECLARE_UNARY(reciprocal) GD_DECLARE_UNARY(square)
GD_DECLARE_UNARY(logical_not) GD_DECLARE_UNARY(gelu) GD_DECLARE_UNARY(lgamma) GD_DECLARE_UNARY(erf)
GD_DECLARE_UNARY(isnan) GD_DECLARE_UNARY(isfinite) GD_DECLARE_UNARY(silu)
GD_DECLARE_BINARY(add) GD_DECLARE_BINARY(sub) GD_DECLARE_BINARY(mul) GD_DECLARE_BINARY(div)
GD_DECLARE_BINARY(pow) GD_DECLARE_BINARY(remainder) GD_DECLARE_BINARY(maximum) GD_DECLARE_BINARY(minimum)
GD_DECLARE_BINARY(eq) GD_DECLARE_BINARY(ne) GD_DECLARE_BINARY(lt) GD_DECLARE_BINARY(le)
GD_DECLARE_BINARY(gt) GD_DECLARE_BINARY(ge) GD_DECLARE_BINARY(logical_and) GD_DECLARE_BINARY(logical_or)
GD_DECLARE_BINARY(atan2) GD_DECLARE_BINARY(floor_divide)
GD_API int gd_tensor_logaddexp(gd_tensor a, gd_tensor b, gd_tensor* out); /* log(exp(a) + exp(b)), stably */
GD_API int gd_tensor_rsub_scalar(gd_tensor a, gd_scalar b, gd_tensor* out);  /* b - a */
GD_API int gd_tensor_rdiv_scalar(gd_tensor a, gd_scalar b, gd_tensor* out);  /* b / a */
GD_API int gd_tensor_rpow_scalar(gd_tensor a, gd_scalar b, gd_tensor* out);  /* b ^ a */
GD_API int gd_tensor_leaky_relu(gd_tensor a, double slope, gd_tensor* out);
GD_API int gd_tensor_softplus(gd_tensor a, double beta, double threshold, gd_tensor* out);
GD_API int gd_tensor_clamp(gd_tensor a, const gd_scalar* min, const gd_scalar* max, gd_tensor* out); /* null = unbounded */
/* In-place arithmetic for optimizers: a += alpha * b, a *= b, a += value * b * c, a += value * b / c. */
GD_API int gd_tensor_add_(gd_tensor a, gd_tensor b, gd_scalar alpha);
GD_API int gd_tensor_add_scalar_(gd_tensor a, gd_scalar b);
GD_API int gd_tensor_mul_(gd_tensor a, gd_tensor b);
GD_API int gd_tensor_mul_scalar_(gd_tensor a, gd_scalar b);
GD_API int gd_tensor_div_(gd_tensor a, gd_tensor b);
/* a = exp(a) in place (blockwise log-sum-exp without a temporary, KernelDensity). */
GD_API int gd_tensor_exp_(gd_tensor a);
GD_API int gd_tensor_addcmul_(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value);
GD_API int gd_tensor_addcdiv_(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value);
GD_API int gd_tensor_lerp_(gd_tensor a, gd_tensor end, gd_scalar weight);
GD_API int gd_tensor_clamp_(gd_tensor a, const gd_scalar* min, const gd_scalar* max);
/* Scalar operands of these ops join type promotion as PyTorch's wrapped numbers. */
GD_DECLARE_UNARY(tan) GD_DECLARE_UNARY(asin) GD_DECLARE_UNARY(acos) GD_DECLARE_UNARY(atan)
GD_DECLARE_UNARY(sinh) GD_DECLARE_UNARY(cosh) GD_DECLARE_UNARY(asinh) GD_DECLARE_UNARY(acosh)
GD_DECLARE_UNARY(atanh) GD_DECLARE_UNARY(log2) GD_DECLARE_UNARY(log10) GD_DECLARE_UNARY(exp2)
GD_DECLARE_UNARY(erfinv) GD_DECLARE_UNARY(erfc) GD_DECLARE_UNARY(digamma) GD_DECLARE_UNARY(isinf)
GD_DECLARE_UNARY(isposinf) GD_DECLARE_UNARY(isneginf) GD_DECLARE_UNARY(trunc) GD_DECLARE_UNARY(frac)
/* In-place unary ops: gd_tensor_<name>_(a), a = name(a). */
#define GD_DECLARE_UNARY_(name) GD_API int gd_tensor_##name##_(gd_tensor a);
GD_DECLARE_UNARY_(neg) GD_DECLARE_UNARY_(abs) GD_DECLARE_UNARY_(log) GD_DECLARE_UNARY_(log1p) GD_DECLARE_UNARY_(expm1)
GD_DECLARE_UNARY_(sqrt) GD_DECLARE_UNARY_(rsqrt) GD_DECLARE_UNARY_(sigmoid) GD_DECLARE_UNARY_(tanh) GD_DECLARE_UNARY_(relu)
GD_DECLARE_UNARY_(sin) GD_DECLARE_UNARY_(cos) GD_DECLARE_UNARY_(tan) GD_DECLARE_UNARY_(floor) GD_DECLARE_UNARY_(ceil)
GD_DECLARE_UNARY_(round) GD_DECLARE_UNARY_(trunc) GD_DECLARE_UNARY_(sign) GD_DECLARE_UNARY_(reciprocal)
GD_DECLARE_UNARY_(square) GD_DECLARE_UNARY_(erf) GD_DECLARE_UNARY_(lgamma) GD_DECLARE_UNARY_(asin) GD_DECLARE_UNARY_(acos)
GD_DECLARE_UNARY_(atan) GD_DECLARE_UNARY_(sinh) GD_DECLARE_UNARY_(cosh) GD_DECLARE_UNARY_(log2) GD_DECLARE_UNARY_(log10)
GD_DECLARE_UNARY_(exp2) GD_DECLARE_UNARY_(erfinv) GD_DECLARE_UNARY_(digamma)
GD_DECLARE_BINARY(xlogy) GD_DECLARE_BINARY(fmod)
GD_API int gd_tensor_hypot(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_logit(gd_tensor a, const double* eps, gd_tensor* out); /* eps null: no clamping */
GD_API int gd_tensor_isclose(gd_tensor a, gd_tensor b, double rtol, double atol, int equal_nan, gd_tensor* out);
GD_API int gd_tensor_nan_to_num(gd_tensor a, const double* nan, const double* posinf, const double* neginf, gd_tensor* out);
/* torch.div(a, b, rounding_mode): mode 0 true division, 1 "trunc", 2 "floor". */
GD_API int gd_tensor_div_mode(gd_tensor a, gd_tensor b, int mode, gd_tensor* out);
GD_API int gd_tensor_div_mode_scalar(gd_tensor a, gd_scalar b, int mode, gd_tensor* out);
GD_API int gd_tensor_lerp(gd_tensor a, gd_tensor end, gd_scalar weight, gd_tensor* out);
GD_API int gd_tensor_lerp_tensor(gd_tensor a, gd_tensor end, gd_tensor weight, gd_tensor* out);
GD_API int gd_tensor_addcmul(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value, gd_tensor* out);
GD_API int gd_tensor_addcdiv(gd_tensor a, gd_tensor b, gd_tensor c, gd_scalar value, gd_tensor* out);
GD_API int gd_tensor_sub_scalar_(gd_tensor a, gd_scalar b);
GD_API int gd_tensor_div_scalar_(gd_tensor a, gd_scalar b);
GD_API int gd_tensor_sub_(gd_tensor a, gd_tensor b, gd_scalar alpha); /* a -= alpha * b */
GD_API int gd_tensor_pow_scalar_(gd_tensor a, gd_scalar b);

/* ---- reductions (reduce.cpp); ndim 0 reduces over every dim; dtype -1 keeps the input's ---- */
GD_API int gd_tensor_sum(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out);
GD_API int gd_tensor_mean(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out);
GD_API int gd_tensor_prod(gd_tensor a, const int64_t* dim, int keepdim, gd_tensor* out); /* dim null: all */
GD_API int gd_tensor_var(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* out);
GD_API int gd_tensor_std(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* out);
GD_API int gd_tensor_logsumexp(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out);
GD_API int gd_tensor_norm(gd_tensor a, double p, const int64_t* dims, int ndim, int keepdim, gd_tensor* out);
GD_API int gd_tensor_amax(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out);
GD_API int gd_tensor_amin(gd_tensor a, const int64_t* dims, int ndim, int keepdim, gd_tensor* out);
GD_API int gd_tensor_max_all(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_min_all(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_max_dim(gd_tensor a, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices);
GD_API int gd_tensor_min_dim(gd_tensor a, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices);
GD_API int gd_tensor_argmax(gd_tensor a, const int64_t* dim, int keepdim, gd_tensor* out); /* dim null: flattened */
GD_API int gd_tensor_argmin(gd_tensor a, const int64_t* dim, int keepdim, gd_tensor* out);
GD_API int gd_tensor_softmax(gd_tensor a, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_log_softmax(gd_tensor a, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_cumsum(gd_tensor a, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_cumprod(gd_tensor a, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_all(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_any(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_allclose(gd_tensor a, gd_tensor b, double rtol, double atol, int* out);
GD_API int gd_tensor_equal(gd_tensor a, gd_tensor b, int* out);
GD_API int gd_tensor_median_all(gd_tensor a, gd_tensor* out); /* the lower of the two middle values */
GD_API int gd_tensor_median_dim(gd_tensor a, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices);
GD_API int gd_tensor_nanmedian_all(gd_tensor a, gd_tensor* out);
/* interpolation: "linear", "lower", "higher", "midpoint" or "nearest"; q a 0-d or 1-d tensor of a's dtype; dim null: flattened. */
GD_API int gd_tensor_quantile(gd_tensor a, gd_tensor q, const int64_t* dim, int keepdim, const char* interpolation, gd_tensor* out);
GD_API int gd_tensor_nanmean(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out);
GD_API int gd_tensor_nansum(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out);
GD_API int gd_tensor_var_mean(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* var, gd_tensor* mean);
GD_API int gd_tensor_std_mean(gd_tensor a, const int64_t* dims, int ndim, int64_t correction, int keepdim, gd_tensor* std, gd_tensor* mean);
GD_API int gd_tensor_logcumsumexp(gd_tensor a, int64_t dim, gd_tensor* out);
GD_API int gd_tensor_argsort(gd_tensor a, int64_t dim, int descending, int stable, gd_tensor* out);
GD_API int gd_tensor_kthvalue(gd_tensor a, int64_t k, int64_t dim, int keepdim, gd_tensor* values, gd_tensor* indices);
/* torch.unique(a, sorted, return_inverse=True, return_counts=True, dim): dim null flattens. */
GD_API int gd_tensor_unique(gd_tensor a, int sorted, const int64_t* dim, gd_tensor* values, gd_tensor* inverse, gd_tensor* counts);
GD_API int gd_tensor_bincount(gd_tensor a, gd_tensor weights, int64_t minlength, gd_tensor* out);
GD_API int gd_tensor_searchsorted(gd_tensor sorted, gd_tensor values, int right, int out_int32, gd_tensor* out);
GD_API int gd_tensor_count_nonzero(gd_tensor a, const int64_t* dims, int ndim, gd_tensor* out);
GD_API int gd_tensor_mean_dtype(gd_tensor a, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out);
GD_API int gd_tensor_softmax_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out);
GD_API int gd_tensor_log_softmax_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out);
GD_API int gd_tensor_cumsum_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out);
GD_API int gd_tensor_cumprod_dtype(gd_tensor a, int64_t dim, int dtype, gd_tensor* out);
GD_API int gd_tensor_cummax(gd_tensor a, int64_t dim, gd_tensor* values, gd_tensor* indices);

/* ---- linear algebra (linalg.cpp) ---- */
GD_API int gd_tensor_matmul(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_mm(gd_tensor a, gd_tensor b, gd_tensor* out);
/* torch.mm(a, b, out=out): writes the product into an existing (n, p) tensor (resized if needed). */
GD_API int gd_tensor_mm_out(gd_tensor a, gd_tensor b, gd_tensor out);
GD_API int gd_tensor_bmm(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_outer(gd_tensor a, gd_tensor b, gd_tensor* out);
/* torch.cdist: p-norm distances between the rows of a (*, P, M) and b (*, R, M) -> (*, P, R). */
GD_API int gd_tensor_cdist(gd_tensor a, gd_tensor b, double p, gd_tensor* out);
/* torch.einsum(equation, operands...). */
GD_API int gd_tensor_einsum(const char* equation, const gd_tensor* xs, int n, gd_tensor* out);
GD_API int gd_linalg_det(gd_tensor a, gd_tensor* out);
GD_API int gd_linalg_slogdet(gd_tensor a, gd_tensor* sign, gd_tensor* logabsdet);
GD_API int gd_linalg_inv(gd_tensor a, gd_tensor* out);
GD_API int gd_linalg_cholesky(gd_tensor a, int upper, gd_tensor* out);
GD_API int gd_linalg_solve(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_linalg_solve_triangular(gd_tensor a, gd_tensor b, int upper, gd_tensor* out);
GD_API int gd_linalg_eigvalsh(gd_tensor a, gd_tensor* out);
GD_API int gd_linalg_eigvals(gd_tensor a, gd_tensor* real, gd_tensor* imag); /* general square matrix */
GD_API int gd_tensor_dot(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_mv(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_kron(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_trace(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_matrix_exp(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_addmm(gd_tensor input, gd_tensor m1, gd_tensor m2, gd_scalar beta, gd_scalar alpha, gd_tensor* out);
GD_API int gd_tensor_baddbmm(gd_tensor input, gd_tensor b1, gd_tensor b2, gd_scalar beta, gd_scalar alpha, gd_tensor* out);
GD_API int gd_tensor_tensordot(gd_tensor a, gd_tensor b, const int64_t* dims_a, const int64_t* dims_b, int n, gd_tensor* out);
GD_API int gd_tensor_diag(gd_tensor a, int64_t diagonal, gd_tensor* out);
GD_API int gd_linalg_qr(gd_tensor a, const char* mode, gd_tensor* q, gd_tensor* r); /* "reduced", "complete" or "r" */
GD_API int gd_linalg_svd(gd_tensor a, int full_matrices, gd_tensor* u, gd_tensor* s, gd_tensor* vh);
GD_API int gd_linalg_svdvals(gd_tensor a, gd_tensor* out);
GD_API int gd_linalg_eigh(gd_tensor a, int upper, gd_tensor* values, gd_tensor* vectors);
GD_API int gd_linalg_lstsq(gd_tensor a, gd_tensor b, const double* rcond, const char* driver, gd_tensor* solution,
                           gd_tensor* residuals, gd_tensor* rank, gd_tensor* singular_values);
GD_API int gd_linalg_pinv(gd_tensor a, const double* atol, const double* rtol, int hermitian, gd_tensor* out);
GD_API int gd_linalg_vector_norm(gd_tensor a, double ord, const int64_t* dims, int ndim, int keepdim, int dtype, gd_tensor* out);
GD_API int gd_linalg_matrix_norm(gd_tensor a, double ord, const char* ord_name, const int64_t* dims, int keepdim, gd_tensor* out);
GD_API int gd_linalg_matrix_power(gd_tensor a, int64_t n, gd_tensor* out);
GD_API int gd_linalg_cholesky_solve(gd_tensor b, gd_tensor l, int upper, gd_tensor* out);

/* ---- nn functional (nn.cpp); reduction: 0 none, 1 mean, 2 sum ---- */
GD_API int gd_nn_linear(gd_tensor x, gd_tensor w, gd_tensor b, gd_tensor* out);
GD_API int gd_nn_conv2d(gd_tensor x, gd_tensor w, gd_tensor b, const int64_t* stride, const int64_t* padding,
                        const int64_t* dilation, int64_t groups, gd_tensor* out); /* each int64[2] */
GD_API int gd_nn_conv_transpose2d(gd_tensor x, gd_tensor w, gd_tensor b, const int64_t* stride, const int64_t* padding,
                                  const int64_t* output_padding, const int64_t* dilation, int64_t groups, gd_tensor* out);
GD_API int gd_nn_max_pool2d(gd_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, gd_tensor* out);
GD_API int gd_nn_avg_pool2d(gd_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, gd_tensor* out);
GD_API int gd_nn_embedding(gd_tensor weight, gd_tensor indices, int64_t padding_idx, gd_tensor* out);
GD_API int gd_nn_layer_norm(gd_tensor x, const int64_t* shape, int ndim, gd_tensor w, gd_tensor b, double eps, gd_tensor* out);
GD_API int gd_nn_batch_norm(gd_tensor x, gd_tensor w, gd_tensor b, gd_tensor running_mean, gd_tensor running_var,
                            int training, double momentum, double eps, gd_tensor* out);
GD_API int gd_nn_nll_loss(gd_tensor logp, gd_tensor target, gd_tensor weight, int reduction, int64_t ignore_index, gd_tensor* out);
GD_API int gd_nn_cross_entropy(gd_tensor logits, gd_tensor target, gd_tensor weight, int reduction, int64_t ignore_index,
                               double label_smoothing, gd_tensor* out);
GD_API int gd_nn_bce_with_logits(gd_tensor logits, gd_tensor target, gd_tensor weight, gd_tensor pos_weight, int reduction, gd_tensor* out);
GD_API int gd_nn_bce(gd_tensor probs, gd_tensor target, gd_tensor weight, int reduction, gd_tensor* out);
GD_API int gd_nn_mse_loss(gd_tensor a, gd_tensor b, int reduction, gd_tensor* out);
GD_API int gd_nn_one_hot(gd_tensor indices, int64_t classes, gd_tensor* out);
GD_API int gd_nn_pad(gd_tensor x, const int64_t* pad, int n, double value, gd_tensor* out); /* constant padding */
GD_API int gd_nn_clip_grad_norm_(const gd_tensor* params, int n, double max_norm, double norm_type, double* total);
GD_API int gd_nn_elu(gd_tensor x, double alpha, gd_tensor* out);
GD_API int gd_nn_selu(gd_tensor x, gd_tensor* out);
GD_API int gd_nn_celu(gd_tensor x, double alpha, gd_tensor* out);
GD_API int gd_nn_gelu(gd_tensor x, int tanh_approx, gd_tensor* out);
GD_API int gd_nn_hardtanh(gd_tensor x, double min, double max, gd_tensor* out);
GD_API int gd_nn_glu(gd_tensor x, int64_t dim, gd_tensor* out);
GD_API int gd_nn_cosine_similarity(gd_tensor a, gd_tensor b, int64_t dim, double eps, gd_tensor* out);
GD_API int gd_nn_group_norm(gd_tensor x, int64_t groups, gd_tensor w, gd_tensor b, double eps, gd_tensor* out);
GD_API int gd_nn_conv1d(gd_tensor x, gd_tensor w, gd_tensor b, int64_t stride, int64_t padding, int64_t dilation, int64_t groups, gd_tensor* out);
GD_API int gd_nn_adaptive_avg_pool1d(gd_tensor x, int64_t size, gd_tensor* out);
GD_API int gd_nn_adaptive_avg_pool2d(gd_tensor x, const int64_t* size, gd_tensor* out);
GD_API int gd_nn_adaptive_max_pool1d(gd_tensor x, int64_t size, gd_tensor* values, gd_tensor* indices);
GD_API int gd_nn_adaptive_max_pool2d(gd_tensor x, const int64_t* size, gd_tensor* values, gd_tensor* indices);
GD_API int gd_nn_interpolate2d(gd_tensor x, const int64_t* size, const double* scale, int mode, int align_corners, gd_tensor* out);
GD_API int gd_nn_pixel_shuffle(gd_tensor x, int64_t factor, gd_tensor* out);
GD_API int gd_nn_pixel_unshuffle(gd_tensor x, int64_t factor, gd_tensor* out);
GD_API int gd_nn_unfold(gd_tensor x, const int64_t* kernel, const int64_t* dilation, const int64_t* padding, const int64_t* stride, gd_tensor* out);
GD_API int gd_nn_fold(gd_tensor x, const int64_t* output_size, const int64_t* kernel, const int64_t* dilation, const int64_t* padding,
                      const int64_t* stride, gd_tensor* out);
GD_API int gd_nn_kl_div(gd_tensor input, gd_tensor target, int reduction, int log_target, gd_tensor* out);
GD_API int gd_nn_l1_loss(gd_tensor a, gd_tensor b, int reduction, gd_tensor* out);
GD_API int gd_nn_smooth_l1_loss(gd_tensor a, gd_tensor b, int reduction, double beta, gd_tensor* out);
GD_API int gd_nn_huber_loss(gd_tensor a, gd_tensor b, int reduction, double delta, gd_tensor* out);

/* ---- autograd (autograd.cpp) ---- */
GD_API int gd_tensor_requires_grad(gd_tensor a, int* out);
GD_API int gd_tensor_set_requires_grad_(gd_tensor a, int value);
GD_API int gd_tensor_grad(gd_tensor a, gd_tensor* out); /* null handle when no gradient */
GD_API int gd_tensor_set_grad(gd_tensor a, gd_tensor grad); /* null clears */
GD_API int gd_tensor_detach(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_is_leaf(gd_tensor a, int* out);
GD_API int gd_tensor_retain_grad(gd_tensor a);
GD_API int gd_tensor_backward(gd_tensor a, gd_tensor grad, int retain_graph, int create_graph);
GD_API int gd_autograd_grad(const gd_tensor* outputs, int n_out, const gd_tensor* inputs, int n_in,
                            const gd_tensor* grad_outputs, int retain_graph, int create_graph, int allow_unused,
                            gd_tensor* out); /* out has n_in entries; null where unused */
GD_API int gd_grad_mode_set(int enabled, int* previous);
GD_API int gd_grad_mode_get(int* out);
GD_API int gd_anomaly_mode_set(int enabled, int* previous);
GD_API int gd_anomaly_mode_get(int* out);
GD_API int gd_inference_mode_enter(int enabled, void** guard); /* exit on the same thread, innermost first */
GD_API int gd_inference_mode_exit(void* guard);
GD_API int gd_inference_mode_get(int* out);
GD_API int gd_tensor_is_inference(gd_tensor a, int* out);
/* A gradient hook: gets its own handle to the gradient; sets *replacement to a new handle to replace it (null keeps it);
 * returns nonzero to fail the backward pass. */
typedef int (*gd_hook_fn)(void* ctx, gd_tensor grad, gd_tensor* replacement);
GD_API int gd_tensor_register_hook(gd_tensor a, gd_hook_fn fn, void* ctx, int64_t* id);
GD_API int gd_tensor_remove_hook(gd_tensor a, int64_t id);

/* ---- serialization (serialize.cpp): torch.save-compatible pickles of {name: tensor} ---- */
GD_API int gd_save(const char* path, const char* const* names, const gd_tensor* tensors, int n);
GD_API int gd_load_count(const char* path, int* n, void** state); /* reads the file; state holds it */
GD_API int gd_load_entry(void* state, int i, const char** name, gd_tensor* tensor);
GD_API int gd_load_free(void* state);

/* ---- distributed (distributed.cpp): libtorch's c10d — stores, Gloo process groups, collectives ----
 * Built only where libtorch ships c10d with Gloo and the gloo headers are found (CMake sets GD_HAVE_C10D);
 * otherwise gd_dist_available gives 0 and every other call fails with "not built with c10d". */
typedef struct gd_store_s* gd_store;
typedef struct gd_pg_s* gd_pg;
enum { GD_REDUCE_SUM = 0, GD_REDUCE_AVG = 1, GD_REDUCE_MAX = 2, GD_REDUCE_MIN = 3 };
GD_API int gd_dist_available(int* out);
/* A FileStore over path shared by world_size processes on one machine (the file is removed by the last one). */
GD_API int gd_store_file_new(const char* path, int world_size, double timeout_s, gd_store* out);
/* A TCPStore at host:port; is_server: this process hosts it (rank 0); waits up to timeout_s for the others. */
GD_API int gd_store_tcp_new(const char* host, int port, int world_size, int is_server, double timeout_s, gd_store* out);
GD_API int gd_store_free(gd_store s);
/* A Gloo process group of world_size ranks over store, its keys under prefix (one prefix per group made on a
 * store); device_host: the address Gloo binds (null: GLOO_SOCKET_IFNAME, else this machine's hostname). */
GD_API int gd_pg_gloo_new(gd_store store, const char* prefix, int rank, int world_size, double timeout_s,
                          const char* device_host, gd_pg* out);
GD_API int gd_pg_free(gd_pg pg);
GD_API int gd_pg_all_reduce_(gd_pg pg, gd_tensor a, int op);
GD_API int gd_pg_broadcast_(gd_pg pg, gd_tensor a, int root);
GD_API int gd_pg_barrier(gd_pg pg);
/* Gradient synchronisation: for each parameter, grad <- sum over ranks of (scale * grad), in buckets of at most
 * bucket_bytes (one all-reduce each, same dtype and device); a missing grad counts as zeros and is made defined. */
GD_API int gd_pg_sync_grads(gd_pg pg, const gd_tensor* params, int n, double scale, int64_t bucket_bytes);
/* The same synchronisation overlapped with backward (grad_overlap.cpp): hooks on the parameters (removed by free)
 * fill buckets in reverse parameter order (the first at most first_bucket_bytes) and queue each bucket's all-reduce,
 * in bucket order, once its gradients have all arrived. arm(scale) before backward; finish after it waits and writes
 * the grads (a parameter whose gradient never arrived counts as zeros). */
typedef struct gd_overlap_s* gd_overlap;
GD_API int gd_pg_overlap_new(gd_pg pg, const gd_tensor* params, int n, int64_t first_bucket_bytes, int64_t bucket_bytes,
                             gd_overlap* out);
GD_API int gd_pg_overlap_arm(gd_overlap o, double scale);
GD_API int gd_pg_overlap_finish(gd_overlap o);
GD_API int gd_pg_overlap_free(gd_overlap o);

#endif
