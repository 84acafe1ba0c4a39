// InvertibleMaps.cs: Mila Q5's flows — sigmoid-mixture (monotone), residual z + f(z) (fixed point / Newton), radial (closed-form inverse).
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>Elementwise inversion of strictly increasing scalar maps: bracketing then safeguarded Newton.</summary>
public static class Monotone
{
    /// <summary>
    /// Solves g(z) = y elementwise for a strictly increasing, elementwise g. The bracket [lo, hi] starts at
    /// y ± 1 and doubles until g(lo) &lt;= y &lt;= g(hi); then Newton steps (g' by autograd) that leave the
    /// bracket are replaced by bisection; the first step starts at the bracket's midpoint. Stops when
    /// |g(z) - y| &lt;= tol everywhere.
    /// </summary>
    public static Tensor InvertIncreasing(Func<Tensor, Tensor> g, Tensor y, double tol = 1e-10, int maxIter = 200)
    {
        using var s = Scope.Begin();
        Tensor lo, hi;
        using (Autograd.NoGrad())
        {
            var width = Torch.Torch.OnesLike(y);
            lo = y - width;
            hi = y + width;
            for (var i = 0; ; i++)
            {
                var badLo = g(lo).Gt(y);
                var badHi = g(hi).Lt(y);
                if (!badLo.Any().Item<bool>() && !badHi.Any().Item<bool>()) break;
                if (i > 60) throw new InvalidOperationException("Monotone.InvertIncreasing: no bracket found; is g increasing and unbounded (onto R)?");
                width = width * 2.0;
                lo = Torch.Torch.Where(badLo, lo - width, lo);
                hi = Torch.Torch.Where(badHi, hi + width, hi);
            }
        }
        var z = 0.5 * (lo + hi);
        for (var it = 0; it < maxIter; it++)
        {
            var zi = z.Detach().RequiresGrad_();
            var gz = g(zi);
            var dg = Autograd.Grad(gz.Sum(), zi);
            using (Autograd.NoGrad())
            {
                var r = gz.Detach() - y;
                if (r.Abs().Max().ToDouble() <= tol) { z = zi.Detach(); break; }
                var pos = r.Gt(0.0);
                hi = Torch.Torch.Where(pos, zi.Detach(), hi);
                lo = Torch.Torch.Where(pos, lo, zi.Detach());
                var newton = zi.Detach() - r / dg;
                var inside = newton.Gt(lo).LogicalAnd(newton.Lt(hi)).LogicalAnd(dg.Gt(0.0));
                z = Torch.Torch.Where(inside, newton, 0.5 * (lo + hi));
            }
        }
        return z.Detach().MoveToOuterScope();
    }
}

/// <summary>
/// Mila Q5.2: g(z) = logit(sum_i w_i sigmoid(a_i z + b_i)) with w on the simplex and a_i &gt; 0.
/// g'(z) = (sum_i w_i a_i s_i (1 - s_i)) / (S (1 - S)) &gt; 0, S = sum_i w_i s_i in (0, 1): strictly increasing,
/// hence invertible (inverted numerically by <see cref="Monotone"/>). Acts elementwise.
/// </summary>
public sealed class SigmoidMixtureMap
{
    public Tensor W { get; }
    public Tensor A { get; }
    public Tensor B { get; }

    public SigmoidMixtureMap(Tensor w, Tensor a, Tensor b)
    {
        if (w.Dim != 1 || !w.Shape.SequenceEqual(a.Shape) || !w.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException("SigmoidMixtureMap: w, a and b must be (N) vectors of the same length");
        using (var wp = w.Gt(0.0).LogicalAnd(w.Lt(1.0)).All())
            if (!wp.Item<bool>()) throw new ArgumentException("SigmoidMixtureMap: need 0 < w_i < 1");
        using (var sum = w.Sum())
            if (Math.Abs(sum.ToDouble() - 1) > 1e-9) throw new ArgumentException("SigmoidMixtureMap: the w_i must sum to 1");
        using (var ap = a.Gt(0.0).All())
            if (!ap.Item<bool>()) throw new ArgumentException("SigmoidMixtureMap: need a_i > 0 (otherwise g need not be increasing)");
        W = w; A = a; B = b;
    }

    public Tensor Forward(Tensor z)
    {
        using var s = Scope.Begin();
        var m = ((z.Unsqueeze(-1) * A + B).Sigmoid() * W).Sum(-1);     // (*, N) summed -> (*)
        var r = m.Log() - (1.0 - m).Log();                             // logit
        return r.MoveToOuterScope();
    }

    public Tensor Inverse(Tensor x) => Monotone.InvertIncreasing(Forward, x);
}

/// <summary>
/// Mila Q5.3: the residual map g(z) = z + f(z). If f' &gt; -1 (scalar, elementwise f) then g' &gt; 0 and g is
/// invertible (<see cref="InverseNewton"/>). If f is a contraction (Lipschitz &lt; 1, any D) the inverse is the
/// fixed point of z = x - f(z) (<see cref="InverseFixedPoint"/>, Banach; i-ResNet style).
/// </summary>
public sealed class ResidualMap
{
    private readonly Func<Tensor, Tensor> f;
    public ResidualMap(Func<Tensor, Tensor> f) => this.f = f;

    public Tensor Forward(Tensor z) { using var fz = f(z); return z + fz; }

    /// <summary>z_{k+1} = x - f(z_k) from z_0 = x, until |z_{k+1} - z_k| &lt;= tol; throws if it does not settle.</summary>
    public Tensor InverseFixedPoint(Tensor x, double tol = 1e-12, int maxIter = 1000)
    {
        using var s = Scope.Begin();
        using var _ = Autograd.NoGrad();
        var z = x.Clone();
        for (var k = 0; k < maxIter; k++)
        {
            var next = x - f(z);
            var step = (next - z).Abs().Max().ToDouble();
            z = next;
            if (step <= tol) return z.MoveToOuterScope();
        }
        throw new InvalidOperationException($"ResidualMap: the fixed-point iteration did not converge in {maxIter} steps; f must be a contraction (Lipschitz < 1), or use InverseNewton for elementwise f with f' > -1");
    }

    /// <summary>Elementwise inverse for scalar f with f' &gt; -1, by safeguarded Newton on the increasing g.</summary>
    public Tensor InverseNewton(Tensor x, double tol = 1e-10) => Monotone.InvertIncreasing(Forward, x, tol);
}

/// <summary>
/// The radial flow of Mila Q5.4: g(z) = z + beta h(r) (z - z0), h(r) = 1 / (alpha + r), r = |z - z0|, alpha &gt; 0.
/// Writing z = z0 + r u (|u| = 1): y - z0 = r (1 + beta h(r)) u, so |y - z0| = r + beta r / (alpha + r) =: s.
/// (i) r -&gt; r + beta r/(alpha + r) has derivative 1 + alpha beta / (alpha + r)^2 &gt; 0 for r &gt; 0 when beta &gt;= -alpha,
/// so r is unique: the positive root of r^2 + (alpha + beta - s) r - alpha s = 0.
/// (ii) given r, u = (y - z0) / (r (1 + beta h(r))) is unique (the factor is positive).
/// log|det J| = (D - 1) log(1 + beta h) + log(1 + beta h + beta h'(r) r), h' = -1/(alpha + r)^2.
/// </summary>
public sealed class RadialFlow : IFlow
{
    public Tensor Z0 { get; }
    public double Alpha { get; }
    public double Beta { get; }

    public RadialFlow(Tensor z0, double alpha, double beta)
    {
        if (z0.Dim != 1) throw new ArgumentException("RadialFlow: z0 must be a (D) vector");
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be > 0, got {alpha}");
        if (beta < -alpha) throw new ArgumentOutOfRangeException(nameof(beta), $"beta = {beta} < -alpha = {-alpha}: the radial map is then not guaranteed invertible; use beta >= -alpha");
        Z0 = z0; Alpha = alpha; Beta = beta;
    }

    public Tensor Forward(Tensor z)
    {
        Flow.CheckRows(z, Z0.Size(0), "RadialFlow");
        using var s = Scope.Begin();
        var d = z - Z0;                                         // (N, D)
        var r = d.Norm(2, new long[] { 1 }, keepdim: true);     // (N, 1)
        var y = z + Beta * d / (Alpha + r);
        return y.MoveToOuterScope();
    }

    /// <summary>The radius r of z from |y - z0| = s (closed form, part (i)).</summary>
    public Tensor RadiusFromOutput(Tensor s)
    {
        using var sc = Scope.Begin();
        var b = Alpha + Beta - s;
        var r = 0.5 * (-b + (b.Square() + 4.0 * Alpha * s).Sqrt());
        return r.MoveToOuterScope();
    }

    public Tensor Inverse(Tensor y)
    {
        Flow.CheckRows(y, Z0.Size(0), "RadialFlow");
        using var s = Scope.Begin();
        var d = y - Z0;                                         // (N, D)
        var sn = d.Norm(2, new long[] { 1 }, keepdim: true);    // (N, 1)
        var r = RadiusFromOutput(sn);
        var factor = 1.0 + Beta / (Alpha + r);                  // (N, 1), > 0
        var z = Z0 + d / factor;                                // r u = (y - z0) / factor
        return z.MoveToOuterScope();
    }

    public Tensor LogAbsDetJacobian(Tensor z)
    {
        using var s = Scope.Begin();
        var dim = Z0.Size(0);
        var r = (z - Z0).Norm(2, new long[] { 1 });             // (N)
        var h = 1.0 / (Alpha + r);
        var bh = Beta * h;
        var dh = -1.0 * h.Square();
        var res = (dim - 1) * (1.0 + bh).Abs().Log() + (1.0 + bh + Beta * dh * r).Abs().Log();
        return res.MoveToOuterScope();
    }
}
