// Tensor.Math.cs: elementwise math — methods (trigonometric, hyperbolic, special functions, xlogy, hypot, fmod, isclose, nan_to_num, div with a rounding mode, lerp, addcmul), C# operators (broadcasting) and in-place updates.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

/// <summary>torch.div's rounding_mode: true division (null in PyTorch), "trunc" (towards zero) or "floor".</summary>
public enum RoundingMode { None = 0, Trunc = 1, Floor = 2 }

public sealed partial class Tensor
{
    public Tensor Neg() => Wrap(gd_tensor_neg(this, out var r), r);
    public Tensor Abs() => Wrap(gd_tensor_abs(this, out var r), r);
    public Tensor Exp() => Wrap(gd_tensor_exp(this, out var r), r);
    public Tensor Log() => Wrap(gd_tensor_log(this, out var r), r);
    public Tensor Log1p() => Wrap(gd_tensor_log1p(this, out var r), r);
    public Tensor Expm1() => Wrap(gd_tensor_expm1(this, out var r), r);
    public Tensor Sqrt() => Wrap(gd_tensor_sqrt(this, out var r), r);
    public Tensor Rsqrt() => Wrap(gd_tensor_rsqrt(this, out var r), r);
    public Tensor Sigmoid() => Wrap(gd_tensor_sigmoid(this, out var r), r);
    public Tensor LogSigmoid() => Wrap(gd_tensor_logsigmoid(this, out var r), r);
    public Tensor Tanh() => Wrap(gd_tensor_tanh(this, out var r), r);
    public Tensor Relu() => Wrap(gd_tensor_relu(this, out var r), r);
    public Tensor Sin() => Wrap(gd_tensor_sin(this, out var r), r);
    public Tensor Cos() => Wrap(gd_tensor_cos(this, out var r), r);
    public Tensor Floor() => Wrap(gd_tensor_floor(this, out var r), r);
    public Tensor Ceil() => Wrap(gd_tensor_ceil(this, out var r), r);
    public Tensor Round() => Wrap(gd_tensor_round(this, out var r), r);
    public Tensor Sign() => Wrap(gd_tensor_sign(this, out var r), r);
    public Tensor Reciprocal() => Wrap(gd_tensor_reciprocal(this, out var r), r);
    public Tensor Square() => Wrap(gd_tensor_square(this, out var r), r);
    public Tensor LogicalNot() => Wrap(gd_tensor_logical_not(this, out var r), r);
    public Tensor Gelu() => Wrap(gd_tensor_gelu(this, out var r), r);
    public Tensor Lgamma() => Wrap(gd_tensor_lgamma(this, out var r), r);
    public Tensor Erf() => Wrap(gd_tensor_erf(this, out var r), r);
    public Tensor IsNaN() => Wrap(gd_tensor_isnan(this, out var r), r);
    public Tensor IsFinite() => Wrap(gd_tensor_isfinite(this, out var r), r);
    public Tensor Silu() => Wrap(gd_tensor_silu(this, out var r), r);

    public Tensor Add(Tensor other) => Wrap(gd_tensor_add(this, other, out var r), r);
    public Tensor Add(Scalar other) => Wrap(gd_tensor_add_scalar(this, other, out var r), r);
    public Tensor Sub(Tensor other) => Wrap(gd_tensor_sub(this, other, out var r), r);
    public Tensor Sub(Scalar other) => Wrap(gd_tensor_sub_scalar(this, other, out var r), r);
    public Tensor Mul(Tensor other) => Wrap(gd_tensor_mul(this, other, out var r), r);
    public Tensor Mul(Scalar other) => Wrap(gd_tensor_mul_scalar(this, other, out var r), r);
    public Tensor Div(Tensor other) => Wrap(gd_tensor_div(this, other, out var r), r);
    public Tensor Div(Scalar other) => Wrap(gd_tensor_div_scalar(this, other, out var r), r);
    public Tensor Pow(Tensor other) => Wrap(gd_tensor_pow(this, other, out var r), r);
    public Tensor Pow(Scalar other) => Wrap(gd_tensor_pow_scalar(this, other, out var r), r);
    public Tensor Remainder(Tensor other) => Wrap(gd_tensor_remainder(this, other, out var r), r);
    public Tensor Remainder(Scalar other) => Wrap(gd_tensor_remainder_scalar(this, other, out var r), r);
    public Tensor Maximum(Tensor other) => Wrap(gd_tensor_maximum(this, other, out var r), r);
    public Tensor Maximum(Scalar other) => Wrap(gd_tensor_maximum_scalar(this, other, out var r), r);
    public Tensor Minimum(Tensor other) => Wrap(gd_tensor_minimum(this, other, out var r), r);
    public Tensor Minimum(Scalar other) => Wrap(gd_tensor_minimum_scalar(this, other, out var r), r);
    public Tensor Eq(Tensor other) => Wrap(gd_tensor_eq(this, other, out var r), r);
    public Tensor Eq(Scalar other) => Wrap(gd_tensor_eq_scalar(this, other, out var r), r);
    public Tensor Ne(Tensor other) => Wrap(gd_tensor_ne(this, other, out var r), r);
    public Tensor Ne(Scalar other) => Wrap(gd_tensor_ne_scalar(this, other, out var r), r);
    public Tensor Lt(Tensor other) => Wrap(gd_tensor_lt(this, other, out var r), r);
    public Tensor Lt(Scalar other) => Wrap(gd_tensor_lt_scalar(this, other, out var r), r);
    public Tensor Le(Tensor other) => Wrap(gd_tensor_le(this, other, out var r), r);
    public Tensor Le(Scalar other) => Wrap(gd_tensor_le_scalar(this, other, out var r), r);
    public Tensor Gt(Tensor other) => Wrap(gd_tensor_gt(this, other, out var r), r);
    public Tensor Gt(Scalar other) => Wrap(gd_tensor_gt_scalar(this, other, out var r), r);
    public Tensor Ge(Tensor other) => Wrap(gd_tensor_ge(this, other, out var r), r);
    public Tensor Ge(Scalar other) => Wrap(gd_tensor_ge_scalar(this, other, out var r), r);
    public Tensor LogicalAnd(Tensor other) => Wrap(gd_tensor_logical_and(this, other, out var r), r);
    public Tensor LogicalAnd(Scalar other) => Wrap(gd_tensor_logical_and_scalar(this, other, out var r), r);
    public Tensor LogicalOr(Tensor other) => Wrap(gd_tensor_logical_or(this, other, out var r), r);
    public Tensor LogicalOr(Scalar other) => Wrap(gd_tensor_logical_or_scalar(this, other, out var r), r);
    public Tensor Atan2(Tensor other) => Wrap(gd_tensor_atan2(this, other, out var r), r);
    public Tensor Atan2(Scalar other) => Wrap(gd_tensor_atan2_scalar(this, other, out var r), r);
    /// <summary>log(exp(this) + exp(other)) without overflow (torch.logaddexp); broadcasts.</summary>
    public Tensor LogAddExp(Tensor other) => Wrap(gd_tensor_logaddexp(this, other, out var r), r);
    public Tensor FloorDivide(Tensor other) => Wrap(gd_tensor_floor_divide(this, other, out var r), r);
    public Tensor FloorDivide(Scalar other) => Wrap(gd_tensor_floor_divide_scalar(this, other, out var r), r);

    /// <summary>other - this.</summary>
    public Tensor RSub(Scalar other) => Wrap(gd_tensor_rsub_scalar(this, other, out var r), r);
    /// <summary>other / this.</summary>
    public Tensor RDiv(Scalar other) => Wrap(gd_tensor_rdiv_scalar(this, other, out var r), r);
    /// <summary>other ^ this.</summary>
    public Tensor RPow(Scalar other) => Wrap(gd_tensor_rpow_scalar(this, other, out var r), r);
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Wrap(gd_tensor_leaky_relu(this, negativeSlope, out var r), r);
    public Tensor Softplus(double beta = 1, double threshold = 20) => Wrap(gd_tensor_softplus(this, beta, threshold, out var r), r);
    /// <summary>
    /// Elementwise min(max(x, min), max); a null bound is absent. Integer bounds keep an integer tensor's dtype, float
    /// bounds promote it to float32 (torch.clamp's type promotion).
    /// </summary>
    public Tensor Clamp(double? min = null, double? max = null) => ClampScalar(Bound(min), Bound(max));
    /// <summary>Clamp with integer bounds: an int64 tensor stays int64, as in PyTorch.</summary>
    public Tensor Clamp(long? min, long? max) => ClampScalar(Bound(min), Bound(max));
    public Tensor ClampMin(double min) => Clamp(min, null);
    public Tensor ClampMin(long min) => Clamp(min, null);
    public Tensor ClampMax(double max) => Clamp(null, max);
    public Tensor ClampMax(long max) => Clamp(null, max);
    private Tensor ClampScalar(Scalar[]? min, Scalar[]? max)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp: give min, max or both (at least one bound is required)");
        return Wrap(gd_tensor_clamp(this, min, max, out var r), r);
    }
    private static Scalar[]? Bound(double? v) => v is { } x ? new Scalar[] { x } : null;
    private static Scalar[]? Bound(long? v) => v is { } x ? new Scalar[] { x } : null;

    // ---- operators: PyTorch broadcasting; == and != keep .NET reference semantics (use Eq/Ne) ----
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator +(double b, Tensor a) => a.Add(b);
    public static Tensor operator +(Tensor a, long b) => a.Add(b);
    public static Tensor operator +(long b, Tensor a) => a.Add(b);
    public static Tensor operator +(Tensor a, int b) => a.Add(b);
    public static Tensor operator +(int b, Tensor a) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator -(double b, Tensor a) => a.RSub(b);
    public static Tensor operator -(Tensor a, long b) => a.Sub(b);
    public static Tensor operator -(long b, Tensor a) => a.RSub(b);
    public static Tensor operator -(Tensor a, int b) => a.Sub(b);
    public static Tensor operator -(int b, Tensor a) => a.RSub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator *(double b, Tensor a) => a.Mul(b);
    public static Tensor operator *(Tensor a, long b) => a.Mul(b);
    public static Tensor operator *(long b, Tensor a) => a.Mul(b);
    public static Tensor operator *(Tensor a, int b) => a.Mul(b);
    public static Tensor operator *(int b, Tensor a) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator /(double b, Tensor a) => a.RDiv(b);
    public static Tensor operator /(Tensor a, long b) => a.Div(b);
    public static Tensor operator /(long b, Tensor a) => a.RDiv(b);
    public static Tensor operator /(Tensor a, int b) => a.Div(b);
    public static Tensor operator /(int b, Tensor a) => a.RDiv(b);
    public static Tensor operator %(Tensor a, Tensor b) => a.Remainder(b);
    public static Tensor operator %(Tensor a, double b) => a.Remainder(b);
    public static Tensor operator %(Tensor a, long b) => a.Remainder(b);
    public static Tensor operator %(Tensor a, int b) => a.Remainder(b);
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    public static Tensor operator <(Tensor a, double b) => a.Lt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    public static Tensor operator <=(Tensor a, double b) => a.Le(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    public static Tensor operator >(Tensor a, double b) => a.Gt(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    public static Tensor operator >=(Tensor a, double b) => a.Ge(b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator &(Tensor a, Tensor b) => a.LogicalAnd(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.LogicalOr(b);
    public static Tensor operator !(Tensor a) => a.LogicalNot();

    // ---- in place (for optimizers and buffers; returns this) ----
    /// <summary>this += alpha * other.</summary>
    public Tensor Add_(Tensor other, Scalar? alpha = null) { Check(gd_tensor_add_(this, other, alpha ?? 1)); return this; }
    public Tensor Add_(Scalar other) { Check(gd_tensor_add_scalar_(this, other)); return this; }
    /// <summary>this -= other (torch.Tensor.sub_: bool operands are refused, as in PyTorch).</summary>
    public Tensor Sub_(Tensor other) => Sub_(other, 1);   // refuses bool operands, as torch.sub_
    public Tensor Mul_(Tensor other) { Check(gd_tensor_mul_(this, other)); return this; }
    /// <summary>exp in place (torch.Tensor.exp_); returns this.</summary>
    public Tensor Exp_() { Check(gd_tensor_exp_(this)); return this; }
    public Tensor Mul_(Scalar other) { Check(gd_tensor_mul_scalar_(this, other)); return this; }
    public Tensor Div_(Tensor other) { Check(gd_tensor_div_(this, other)); return this; }
    /// <summary>this += value * a * b.</summary>
    public Tensor AddCMul_(Tensor a, Tensor b, Scalar? value = null) { Check(gd_tensor_addcmul_(this, a, b, value ?? 1)); return this; }
    /// <summary>this += value * a / b.</summary>
    public Tensor AddCDiv_(Tensor a, Tensor b, Scalar? value = null) { Check(gd_tensor_addcdiv_(this, a, b, value ?? 1)); return this; }
    /// <summary>this += weight * (end - this).</summary>
    public Tensor Lerp_(Tensor end, Scalar weight) { Check(gd_tensor_lerp_(this, end, weight)); return this; }
    public Tensor Clamp_(double? min = null, double? max = null) => ClampScalar_(Bound(min), Bound(max));
    /// <summary>Clamp in place with integer bounds (the only kind an integer tensor accepts in place).</summary>
    public Tensor Clamp_(long? min, long? max) => ClampScalar_(Bound(min), Bound(max));
    private Tensor ClampScalar_(Scalar[]? min, Scalar[]? max)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp_: give min, max or both (at least one bound is required)");
        Check(gd_tensor_clamp_(this, min, max));
        return this;
    }

    public Tensor Tan() => Wrap(gd_tensor_tan(this, out var r), r);
    public Tensor Asin() => Wrap(gd_tensor_asin(this, out var r), r);
    public Tensor Acos() => Wrap(gd_tensor_acos(this, out var r), r);
    public Tensor Atan() => Wrap(gd_tensor_atan(this, out var r), r);
    public Tensor Sinh() => Wrap(gd_tensor_sinh(this, out var r), r);
    public Tensor Cosh() => Wrap(gd_tensor_cosh(this, out var r), r);
    public Tensor Asinh() => Wrap(gd_tensor_asinh(this, out var r), r);
    public Tensor Acosh() => Wrap(gd_tensor_acosh(this, out var r), r);
    public Tensor Atanh() => Wrap(gd_tensor_atanh(this, out var r), r);
    public Tensor Log2() => Wrap(gd_tensor_log2(this, out var r), r);
    public Tensor Log10() => Wrap(gd_tensor_log10(this, out var r), r);
    /// <summary>2^x.</summary>
    public Tensor Exp2() => Wrap(gd_tensor_exp2(this, out var r), r);
    /// <summary>The inverse of erf on (-1, 1): the standard normal quantile is sqrt(2) erfinv(2p - 1).</summary>
    public Tensor Erfinv() => Wrap(gd_tensor_erfinv(this, out var r), r);
    /// <summary>1 - erf(x), accurate in the tails.</summary>
    public Tensor Erfc() => Wrap(gd_tensor_erfc(this, out var r), r);
    /// <summary>psi(x) = d/dx log Gamma(x) (the gradient of Lgamma; Dirichlet and Beta expectations of log p).</summary>
    public Tensor Digamma() => Wrap(gd_tensor_digamma(this, out var r), r);
    public Tensor IsInf() => Wrap(gd_tensor_isinf(this, out var r), r);
    public Tensor IsPosInf() => Wrap(gd_tensor_isposinf(this, out var r), r);
    public Tensor IsNegInf() => Wrap(gd_tensor_isneginf(this, out var r), r);
    /// <summary>Rounds towards zero.</summary>
    public Tensor Trunc() => Wrap(gd_tensor_trunc(this, out var r), r);
    /// <summary>x - trunc(x).</summary>
    public Tensor Frac() => Wrap(gd_tensor_frac(this, out var r), r);
    /// <summary>log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given (torch.logit).</summary>
    public Tensor Logit(double? eps = null) => Wrap(gd_tensor_logit(this, eps is { } e ? new[] { e } : null, out var r), r);
    /// <summary>x log(y), 0 where x == 0 (even for y == 0): the entropy terms p log p without a NaN at p = 0.</summary>
    public Tensor Xlogy(Tensor other) => Wrap(gd_tensor_xlogy(this, other, out var r), r);
    public Tensor Xlogy(Scalar other) => Wrap(gd_tensor_xlogy_scalar(this, other, out var r), r);
    /// <summary>sqrt(x^2 + y^2) without overflow.</summary>
    public Tensor Hypot(Tensor other) => Wrap(gd_tensor_hypot(this, other, out var r), r);
    /// <summary>C's fmod: the remainder with the sign of the dividend (Remainder takes the divisor's sign).</summary>
    public Tensor Fmod(Tensor other) => Wrap(gd_tensor_fmod(this, other, out var r), r);
    public Tensor Fmod(Scalar other) => Wrap(gd_tensor_fmod_scalar(this, other, out var r), r);
    /// <summary>|x - y| &lt;= atol + rtol |y| elementwise, as a Bool tensor (torch.isclose); NaNs equal when equalNan.</summary>
    public Tensor IsClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false) =>
        Wrap(gd_tensor_isclose(this, other, rtol, atol, equalNan ? 1 : 0, out var r), r);
    /// <summary>NaN -> nan, +inf -> posinf, -inf -> neginf; absent values default to 0 and the dtype's largest/smallest finite value.</summary>
    public Tensor NanToNum(double? nan = null, double? posinf = null, double? neginf = null) =>
        Wrap(gd_tensor_nan_to_num(this, new[] { nan ?? 0.0 }, posinf is { } p ? new[] { p } : null, neginf is { } n ? new[] { n } : null, out var r), r);
    /// <summary>torch.div(x, y, rounding_mode): Trunc and Floor keep integer dtypes integer; None is true division.</summary>
    public Tensor Div(Tensor other, RoundingMode roundingMode) => Wrap(gd_tensor_div_mode(this, other, (int)roundingMode, out var r), r);
    public Tensor Div(Scalar other, RoundingMode roundingMode) => Wrap(gd_tensor_div_mode_scalar(this, other, (int)roundingMode, out var r), r);
    /// <summary>this + weight (end - this).</summary>
    public Tensor Lerp(Tensor end, Scalar weight) => Wrap(gd_tensor_lerp(this, end, weight, out var r), r);
    public Tensor Lerp(Tensor end, Tensor weight) => Wrap(gd_tensor_lerp_tensor(this, end, weight, out var r), r);
    /// <summary>this + value a b.</summary>
    public Tensor AddCMul(Tensor a, Tensor b, Scalar? value = null) => Wrap(gd_tensor_addcmul(this, a, b, value ?? 1, out var r), r);
    /// <summary>this + value a / b.</summary>
    public Tensor AddCDiv(Tensor a, Tensor b, Scalar? value = null) => Wrap(gd_tensor_addcdiv(this, a, b, value ?? 1, out var r), r);

    // ---- in place (returns this; an integer tensor refuses a float result, as in PyTorch) ----
    public Tensor Sub_(Scalar other) { Check(gd_tensor_sub_scalar_(this, other)); return this; }
    /// <summary>this -= alpha * other.</summary>
    public Tensor Sub_(Tensor other, Scalar alpha) { Check(gd_tensor_sub_(this, other, alpha)); return this; }
    public Tensor Div_(Scalar other) { Check(gd_tensor_div_scalar_(this, other)); return this; }
    public Tensor Pow_(Scalar exponent) { Check(gd_tensor_pow_scalar_(this, exponent)); return this; }
    public Tensor Neg_() { Check(gd_tensor_neg_(this)); return this; }
    public Tensor Abs_() { Check(gd_tensor_abs_(this)); return this; }
    public Tensor Log_() { Check(gd_tensor_log_(this)); return this; }
    public Tensor Log1p_() { Check(gd_tensor_log1p_(this)); return this; }
    public Tensor Expm1_() { Check(gd_tensor_expm1_(this)); return this; }
    public Tensor Sqrt_() { Check(gd_tensor_sqrt_(this)); return this; }
    public Tensor Rsqrt_() { Check(gd_tensor_rsqrt_(this)); return this; }
    public Tensor Sigmoid_() { Check(gd_tensor_sigmoid_(this)); return this; }
    public Tensor Tanh_() { Check(gd_tensor_tanh_(this)); return this; }
    public Tensor Relu_() { Check(gd_tensor_relu_(this)); return this; }
    public Tensor Sin_() { Check(gd_tensor_sin_(this)); return this; }
    public Tensor Cos_() { Check(gd_tensor_cos_(this)); return this; }
    public Tensor Tan_() { Check(gd_tensor_tan_(this)); return this; }
    public Tensor Floor_() { Check(gd_tensor_floor_(this)); return this; }
    public Tensor Ceil_() { Check(gd_tensor_ceil_(this)); return this; }
    public Tensor Round_() { Check(gd_tensor_round_(this)); return this; }
    public Tensor Trunc_() { Check(gd_tensor_trunc_(this)); return this; }
    public Tensor Sign_() { Check(gd_tensor_sign_(this)); return this; }
    public Tensor Reciprocal_() { Check(gd_tensor_reciprocal_(this)); return this; }
    public Tensor Square_() { Check(gd_tensor_square_(this)); return this; }
    public Tensor Erf_() { Check(gd_tensor_erf_(this)); return this; }
    public Tensor Lgamma_() { Check(gd_tensor_lgamma_(this)); return this; }
    public Tensor Asin_() { Check(gd_tensor_asin_(this)); return this; }
    public Tensor Acos_() { Check(gd_tensor_acos_(this)); return this; }
    public Tensor Atan_() { Check(gd_tensor_atan_(this)); return this; }
    public Tensor Sinh_() { Check(gd_tensor_sinh_(this)); return this; }
    public Tensor Cosh_() { Check(gd_tensor_cosh_(this)); return this; }
    public Tensor Log2_() { Check(gd_tensor_log2_(this)); return this; }
    public Tensor Log10_() { Check(gd_tensor_log10_(this)); return this; }
    public Tensor Exp2_() { Check(gd_tensor_exp2_(this)); return this; }
    public Tensor Erfinv_() { Check(gd_tensor_erfinv_(this)); return this; }
    public Tensor Digamma_() { Check(gd_tensor_digamma_(this)); return this; }
}
