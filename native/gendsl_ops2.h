/* gendsl_ops2.h: the C ABI of the PyTorch-parity op families (issue 14) — included by gendsl.h, never on its own. */
#ifndef GENDSL_OPS2_H
#define GENDSL_OPS2_H

/* ==== issue 14: PyTorch parity op families (ops_elementwise.cpp, ops_reduce2.cpp, ops_shape2.cpp, ops_linalg2.cpp,
 * ops_functional2.cpp, ops_autograd2.cpp). Scalar operands join type promotion as PyTorch's wrapped numbers. ==== */

/* ---- elementwise (ops_elementwise.cpp) ---- */
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

/* ---- reductions (ops_reduce2.cpp); ndim 0 reduces over every dim; dtype -1 keeps the input's ---- */
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

/* ---- shapes and indexing (ops_shape2.cpp); out buffers have room for every result the caller expects ---- */
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

/* ---- products, creation and linear algebra (ops_linalg2.cpp) ---- */
GD_API int gd_tensor_dot(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_mv(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_kron(gd_tensor a, gd_tensor b, gd_tensor* out);
GD_API int gd_tensor_trace(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_matrix_exp(gd_tensor a, gd_tensor* out);
GD_API int gd_tensor_addmm(gd_tensor input, gd_tensor m1, gd_tensor m2, gd_scalar beta, gd_scalar alpha, gd_tensor* out);
GD_API int gd_tensor_baddbmm(gd_tensor input, gd_tensor b1, gd_tensor b2, gd_scalar beta, gd_scalar alpha, gd_tensor* out);
GD_API int gd_tensor_tensordot(gd_tensor a, gd_tensor b, const int64_t* dims_a, const int64_t* dims_b, int n, gd_tensor* out);
GD_API int gd_tensor_diag(gd_tensor a, int64_t diagonal, gd_tensor* out);
GD_API int gd_tensor_logspace(double start, double end, int64_t steps, double base, int dtype, int dev, int idx, gd_tensor* out);
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

/* ---- nn functional (ops_functional2.cpp); reduction: 0 none, 1 mean, 2 sum ---- */
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

/* ---- autograd switches and hooks (ops_autograd2.cpp) ---- */
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

#endif
