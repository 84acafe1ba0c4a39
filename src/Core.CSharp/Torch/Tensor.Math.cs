// Tensor.Math.cs: elementwise math — methods, C# operators (broadcasting) and in-place updates.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    public Tensor Neg() => Wrap(gd_tensor_neg(Handle, out var r), r);
    public Tensor Abs() => Wrap(gd_tensor_abs(Handle, out var r), r);
    public Tensor Exp() => Wrap(gd_tensor_exp(Handle, out var r), r);
    public Tensor Log() => Wrap(gd_tensor_log(Handle, out var r), r);
    public Tensor Log1p() => Wrap(gd_tensor_log1p(Handle, out var r), r);
    public Tensor Expm1() => Wrap(gd_tensor_expm1(Handle, out var r), r);
    public Tensor Sqrt() => Wrap(gd_tensor_sqrt(Handle, out var r), r);
    public Tensor Rsqrt() => Wrap(gd_tensor_rsqrt(Handle, out var r), r);
    public Tensor Sigmoid() => Wrap(gd_tensor_sigmoid(Handle, out var r), r);
    public Tensor LogSigmoid() => Wrap(gd_tensor_logsigmoid(Handle, out var r), r);
    public Tensor Tanh() => Wrap(gd_tensor_tanh(Handle, out var r), r);
    public Tensor Relu() => Wrap(gd_tensor_relu(Handle, out var r), r);
    public Tensor Sin() => Wrap(gd_tensor_sin(Handle, out var r), r);
    public Tensor Cos() => Wrap(gd_tensor_cos(Handle, out var r), r);
    public Tensor Floor() => Wrap(gd_tensor_floor(Handle, out var r), r);
    public Tensor Ceil() => Wrap(gd_tensor_ceil(Handle, out var r), r);
    public Tensor Round() => Wrap(gd_tensor_round(Handle, out var r), r);
    public Tensor Sign() => Wrap(gd_tensor_sign(Handle, out var r), r);
    public Tensor Reciprocal() => Wrap(gd_tensor_reciprocal(Handle, out var r), r);
    public Tensor Square() => Wrap(gd_tensor_square(Handle, out var r), r);
    public Tensor LogicalNot() => Wrap(gd_tensor_logical_not(Handle, out var r), r);
    public Tensor Gelu() => Wrap(gd_tensor_gelu(Handle, out var r), r);
    public Tensor Lgamma() => Wrap(gd_tensor_lgamma(Handle, out var r), r);
    public Tensor Erf() => Wrap(gd_tensor_erf(Handle, out var r), r);
    public Tensor IsNaN() => Wrap(gd_tensor_isnan(Handle, out var r), r);
    public Tensor IsFinite() => Wrap(gd_tensor_isfinite(Handle, out var r), r);
    public Tensor Silu() => Wrap(gd_tensor_silu(Handle, out var r), r);

    public Tensor Add(Tensor other) => Wrap(gd_tensor_add(Handle, other.Handle, out var r), r);
    public Tensor Add(Scalar other) => Wrap(gd_tensor_add_scalar(Handle, other, out var r), r);
    public Tensor Sub(Tensor other) => Wrap(gd_tensor_sub(Handle, other.Handle, out var r), r);
    public Tensor Sub(Scalar other) => Wrap(gd_tensor_sub_scalar(Handle, other, out var r), r);
    public Tensor Mul(Tensor other) => Wrap(gd_tensor_mul(Handle, other.Handle, out var r), r);
    public Tensor Mul(Scalar other) => Wrap(gd_tensor_mul_scalar(Handle, other, out var r), r);
    public Tensor Div(Tensor other) => Wrap(gd_tensor_div(Handle, other.Handle, out var r), r);
    public Tensor Div(Scalar other) => Wrap(gd_tensor_div_scalar(Handle, other, out var r), r);
    public Tensor Pow(Tensor other) => Wrap(gd_tensor_pow(Handle, other.Handle, out var r), r);
    public Tensor Pow(Scalar other) => Wrap(gd_tensor_pow_scalar(Handle, other, out var r), r);
    public Tensor Remainder(Tensor other) => Wrap(gd_tensor_remainder(Handle, other.Handle, out var r), r);
    public Tensor Remainder(Scalar other) => Wrap(gd_tensor_remainder_scalar(Handle, other, out var r), r);
    public Tensor Maximum(Tensor other) => Wrap(gd_tensor_maximum(Handle, other.Handle, out var r), r);
    public Tensor Maximum(Scalar other) => Wrap(gd_tensor_maximum_scalar(Handle, other, out var r), r);
    public Tensor Minimum(Tensor other) => Wrap(gd_tensor_minimum(Handle, other.Handle, out var r), r);
    public Tensor Minimum(Scalar other) => Wrap(gd_tensor_minimum_scalar(Handle, other, out var r), r);
    public Tensor Eq(Tensor other) => Wrap(gd_tensor_eq(Handle, other.Handle, out var r), r);
    public Tensor Eq(Scalar other) => Wrap(gd_tensor_eq_scalar(Handle, other, out var r), r);
    public Tensor Ne(Tensor other) => Wrap(gd_tensor_ne(Handle, other.Handle, out var r), r);
    public Tensor Ne(Scalar other) => Wrap(gd_tensor_ne_scalar(Handle, other, out var r), r);
    public Tensor Lt(Tensor other) => Wrap(gd_tensor_lt(Handle, other.Handle, out var r), r);
    public Tensor Lt(Scalar other) => Wrap(gd_tensor_lt_scalar(Handle, other, out var r), r);
    public Tensor Le(Tensor other) => Wrap(gd_tensor_le(Handle, other.Handle, out var r), r);
    public Tensor Le(Scalar other) => Wrap(gd_tensor_le_scalar(Handle, other, out var r), r);
    public Tensor Gt(Tensor other) => Wrap(gd_tensor_gt(Handle, other.Handle, out var r), r);
    public Tensor Gt(Scalar other) => Wrap(gd_tensor_gt_scalar(Handle, other, out var r), r);
    public Tensor Ge(Tensor other) => Wrap(gd_tensor_ge(Handle, other.Handle, out var r), r);
    public Tensor Ge(Scalar other) => Wrap(gd_tensor_ge_scalar(Handle, other, out var r), r);
    public Tensor LogicalAnd(Tensor other) => Wrap(gd_tensor_logical_and(Handle, other.Handle, out var r), r);
    public Tensor LogicalAnd(Scalar other) => Wrap(gd_tensor_logical_and_scalar(Handle, other, out var r), r);
    public Tensor LogicalOr(Tensor other) => Wrap(gd_tensor_logical_or(Handle, other.Handle, out var r), r);
    public Tensor LogicalOr(Scalar other) => Wrap(gd_tensor_logical_or_scalar(Handle, other, out var r), r);
    public Tensor Atan2(Tensor other) => Wrap(gd_tensor_atan2(Handle, other.Handle, out var r), r);
    public Tensor Atan2(Scalar other) => Wrap(gd_tensor_atan2_scalar(Handle, other, out var r), r);
    public Tensor FloorDivide(Tensor other) => Wrap(gd_tensor_floor_divide(Handle, other.Handle, out var r), r);
    public Tensor FloorDivide(Scalar other) => Wrap(gd_tensor_floor_divide_scalar(Handle, other, out var r), r);

    /// <summary>other - this.</summary>
    public Tensor RSub(Scalar other) => Wrap(gd_tensor_rsub_scalar(Handle, other, out var r), r);
    /// <summary>other / this.</summary>
    public Tensor RDiv(Scalar other) => Wrap(gd_tensor_rdiv_scalar(Handle, other, out var r), r);
    /// <summary>other ^ this.</summary>
    public Tensor RPow(Scalar other) => Wrap(gd_tensor_rpow_scalar(Handle, other, out var r), r);
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Wrap(gd_tensor_leaky_relu(Handle, negativeSlope, out var r), r);
    public Tensor Softplus(double beta = 1, double threshold = 20) => Wrap(gd_tensor_softplus(Handle, beta, threshold, out var r), r);
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(gd_tensor_clamp(Handle, min is { } a ? new[] { a } : null, max is { } b ? new[] { b } : null, out var r), r);
    public Tensor ClampMin(double min) => Clamp(min, null);
    public Tensor ClampMax(double max) => Clamp(null, max);

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
    public Tensor Add_(Tensor other, Scalar? alpha = null) { Check(gd_tensor_add_(Handle, other.Handle, alpha ?? 1)); return this; }
    public Tensor Add_(Scalar other) { Check(gd_tensor_add_scalar_(Handle, other)); return this; }
    public Tensor Sub_(Tensor other) { Check(gd_tensor_add_(Handle, other.Handle, -1)); return this; }
    public Tensor Mul_(Tensor other) { Check(gd_tensor_mul_(Handle, other.Handle)); return this; }
    public Tensor Mul_(Scalar other) { Check(gd_tensor_mul_scalar_(Handle, other)); return this; }
    public Tensor Div_(Tensor other) { Check(gd_tensor_div_(Handle, other.Handle)); return this; }
    /// <summary>this += value * a * b.</summary>
    public Tensor AddCMul_(Tensor a, Tensor b, Scalar? value = null) { Check(gd_tensor_addcmul_(Handle, a.Handle, b.Handle, value ?? 1)); return this; }
    /// <summary>this += value * a / b.</summary>
    public Tensor AddCDiv_(Tensor a, Tensor b, Scalar? value = null) { Check(gd_tensor_addcdiv_(Handle, a.Handle, b.Handle, value ?? 1)); return this; }
    /// <summary>this += weight * (end - this).</summary>
    public Tensor Lerp_(Tensor end, Scalar weight) { Check(gd_tensor_lerp_(Handle, end.Handle, weight)); return this; }
    public Tensor Clamp_(double? min = null, double? max = null)
    {
        Check(gd_tensor_clamp_(Handle, min is { } a ? new[] { a } : null, max is { } b ? new[] { b } : null));
        return this;
    }
}
