// Tensor.Elementwise2.cs: the elementwise ops of issue 14 — trigonometric and hyperbolic functions, log2/exp2, erfinv,
// digamma, logit, xlogy, hypot, fmod, isinf/isclose, nan_to_num, div with a rounding mode, lerp/addcmul, in-place forms.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

/// <summary>torch.div's rounding_mode: true division (null in PyTorch), "trunc" (towards zero) or "floor".</summary>
public enum RoundingMode { None = 0, Trunc = 1, Floor = 2 }

public sealed partial class Tensor
{
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
