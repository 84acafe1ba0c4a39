// Diffusion.cs: DDPM's mathematics (Ho et al. 2020) — linear and cosine noise schedules, the forward marginals, the simple loss, the variational bound's terms, ancestral sampling.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// A noise schedule beta_1..beta_T with alpha_t = 1 - beta_t and alpha-bar_t = prod_{s &lt;= t} alpha_s (alpha-bar_0 = 1).
/// Linear: beta_t evenly from beta_1 to beta_T (Ho et al.: 1e-4 to 0.02 for T = 1000). Cosine (Nichol and Dhariwal 2021):
/// <code>alpha-bar_t = f(t) / f(0),  f(t) = cos^2((t/T + s) / (1 + s) pi/2),  beta_t = min(1 - alpha-bar_t / alpha-bar_{t-1}, maxBeta).</code>
/// Arrays are indexed by t - 1 (t = 1..T).
/// </summary>
public sealed class DiffusionSchedule
{
    public int Steps { get; }
    public double[] Betas { get; }
    public double[] AlphaBars { get; }

    public DiffusionSchedule(double[] betas)
    {
        ArgumentNullException.ThrowIfNull(betas);
        if (betas.Length == 0 || betas.Any(b => !(b > 0 && b < 1)))
            throw new ArgumentException("DiffusionSchedule: betas must be non-empty, each in (0, 1)");
        (Steps, Betas) = (betas.Length, betas.ToArray());
        AlphaBars = new double[Steps];
        var ab = 1.0;
        for (var t = 0; t < Steps; t++) AlphaBars[t] = ab *= 1 - Betas[t];
    }

    public static DiffusionSchedule Linear(int steps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        if (steps < 1) throw new ArgumentException($"DiffusionSchedule.Linear: steps must be >= 1, got {steps}");
        if (!(betaStart > 0 && betaEnd >= betaStart && betaEnd < 1))
            throw new ArgumentException($"DiffusionSchedule.Linear: need 0 < betaStart <= betaEnd < 1, got {betaStart} and {betaEnd}");
        return new(Enumerable.Range(0, steps).Select(i => steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * i / (steps - 1)).ToArray());
    }

    public static DiffusionSchedule Cosine(int steps = 1000, double s = 0.008, double maxBeta = 0.999)
    {
        if (steps < 1) throw new ArgumentException($"DiffusionSchedule.Cosine: steps must be >= 1, got {steps}");
        if (!(s >= 0) || !(maxBeta > 0 && maxBeta < 1)) throw new ArgumentException($"DiffusionSchedule.Cosine: need s >= 0 and 0 < maxBeta < 1, got {s} and {maxBeta}");
        double F(int t) => Math.Pow(Math.Cos(((double)t / steps + s) / (1 + s) * Math.PI / 2), 2);
        return new(Enumerable.Range(1, steps).Select(t => Math.Min(1 - F(t) / F(t - 1), maxBeta)).ToArray());
    }

    public double Beta(int t) => Betas[t - 1];
    public double AlphaBar(int t) => t == 0 ? 1.0 : AlphaBars[t - 1];
    /// <summary>beta-tilde_t = beta_t (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t), the variance of q(x_{t-1} | x_t, x_0) (0 at t = 1).</summary>
    public double PosteriorVariance(int t) => Beta(t) * (1 - AlphaBar(t - 1)) / (1 - AlphaBar(t));
}

/// <summary>The reverse process's variance sigma_t^2: beta_t ("fixed large") or beta-tilde_t ("fixed small"; beta_1 at t = 1).</summary>
public enum DdpmVariance { Beta, Posterior }

/// <summary>
/// DDPM with an epsilon-predictor eps(x_t, t) (t a (B) tensor of steps 1..T in x's dtype). Forward process and its marginal:
/// <code>q(x_t | x_{t-1}) = N(sqrt(alpha_t) x_{t-1}, beta_t I),   q(x_t | x_0) = N(sqrt(ab_t) x_0, (1 - ab_t) I).</code>
/// Reverse model p(x_{t-1} | x_t) = N(mu, sigma_t^2 I), mu = (x_t - beta_t / sqrt(1 - ab_t) eps) / sqrt(alpha_t).
/// Variational bound on -log p(x_0), in nats per example:
/// <code>L = L_T + sum_{t=2}^T L_{t-1} + L_0,   L_T = KL(q(x_T | x_0) || N(0, I)),
/// L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)),  x_t ~ q(x_t | x_0),
/// q(x_{t-1} | x_t, x_0) = N(sqrt(ab_{t-1}) beta_t / (1 - ab_t) x_0 + sqrt(alpha_t)(1 - ab_{t-1}) / (1 - ab_t) x_t, beta-tilde_t I),
/// L_0 = -log p(x_0 | x_1): a Gaussian density (continuous data) or, for data on K levels in [-1, 1], the mass of x_0's bin
/// [x_0 - 1/(K-1), x_0 + 1/(K-1)] (the end bins open), Ho et al.'s discretised decoder.</code>
/// The simple loss is E_{t ~ U{1..T}, eps ~ N(0, I)} |eps - eps(sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps, t)|^2 (mean over elements).
/// </summary>
public static class Diffusion
{
    /// <summary>Per-example coefficient values at steps t (B, int64, 1..T), shaped (B, 1, ...) to broadcast over x.</summary>
    public static Tensor At(Func<int, double> f, Tensor t, Tensor like)
    {
        var steps = t.ToArray<long>();
        var shape = new[] { (long)steps.Length }.Concat(Enumerable.Repeat(1L, like.Dim - 1)).ToArray();
        return Torch.Torch.Tensor(steps.Select(s => f((int)s)).ToArray(), shape).To(like.Device, like.Dtype);   // (B, 1, ...)
    }

    /// <summary>x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps.</summary>
    public static Tensor QSample(DiffusionSchedule q, Tensor x0, Tensor t, Tensor eps)
    {
        using var sc = Scope.Begin();
        var r = At(s => Math.Sqrt(q.AlphaBar(s)), t, x0) * x0 + At(s => Math.Sqrt(1 - q.AlphaBar(s)), t, x0) * eps;
        return r.MoveToOuterScope();
    }

    /// <summary>The simple loss at uniformly drawn steps and noise (a scalar).</summary>
    public static Tensor SimpleLoss(DiffusionSchedule q, Func<Tensor, Tensor, Tensor> eps, Tensor x0, Generator? generator)
    {
        using var sc = Scope.Begin();
        var t = Torch.Torch.RandInt(1, q.Steps + 1, new[] { x0.Size(0) }, generator);      // (B)
        var noise = Torch.Torch.RandnLike(x0, generator);
        var xt = QSample(q, x0, t, noise);
        return (eps(xt, t.To(x0.Dtype)) - noise).Square().Mean().MoveToOuterScope();
    }

    /// <summary>mu(x_t, t) = (x_t - beta_t / sqrt(1 - ab_t) eps) / sqrt(alpha_t).</summary>
    public static Tensor ModelMean(DiffusionSchedule q, Tensor xt, Tensor t, Tensor epsHat)
    {
        using var sc = Scope.Begin();
        var r = (xt - At(s => q.Beta(s) / Math.Sqrt(1 - q.AlphaBar(s)), t, xt) * epsHat) / At(s => Math.Sqrt(1 - q.Beta(s)), t, xt);
        return r.MoveToOuterScope();
    }

    /// <summary>The mean of q(x_{t-1} | x_t, x_0).</summary>
    public static Tensor PosteriorMean(DiffusionSchedule q, Tensor x0, Tensor xt, Tensor t)
    {
        using var sc = Scope.Begin();
        var a = At(s => Math.Sqrt(q.AlphaBar(s - 1)) * q.Beta(s) / (1 - q.AlphaBar(s)), t, x0);
        var b = At(s => Math.Sqrt(1 - q.Beta(s)) * (1 - q.AlphaBar(s - 1)) / (1 - q.AlphaBar(s)), t, x0);
        return (a * x0 + b * xt).MoveToOuterScope();
    }

    public static double ModelVariance(DiffusionSchedule q, DdpmVariance v, int t) =>
        v == DdpmVariance.Beta || t == 1 ? q.Beta(t) : q.PosteriorVariance(t);

    /// <summary>
    /// The bound's terms per example, (B, T + 1): column 0 is L_0, column t - 1 is L_{t-1} for t = 2..T, column T is L_T
    /// (nats; one draw of x_t per term). <c>levels</c>: null for continuous data, K for data on K levels in [-1, 1].
    /// </summary>
    public static Tensor BoundTerms(DiffusionSchedule q, Func<Tensor, Tensor, Tensor> eps, Tensor x0, Generator? generator,
        DdpmVariance variance = DdpmVariance.Beta, int? levels = null)
    {
        if (levels is { } k && k < 2) throw new ArgumentException($"Diffusion.BoundTerms: levels must be >= 2 (256 for 8-bit data) or null for continuous data, got {k}");
        using var sc = Scope.Begin();
        var b = x0.Size(0);
        var cols = new List<Tensor>();
        for (var t = 1; t <= q.Steps; t++)
        {
            using var inner = Scope.Begin();
            var tt = Torch.Torch.Full(new[] { b }, t, ScalarType.Int64);
            var xt = QSample(q, x0, tt, Torch.Torch.RandnLike(x0, generator));
            var mu = ModelMean(q, xt, tt, eps(xt, tt.To(x0.Dtype)));
            var v = ModelVariance(q, variance, t);
            Tensor term;
            if (t == 1) term = levels is { } kk ? DiscretisedNll(x0, mu, Math.Sqrt(v), kk) : GaussianNll(x0, mu, v);
            else term = GaussianKl(PosteriorMean(q, x0, xt, tt), q.PosteriorVariance(t), mu, v);
            cols.Add(term.MoveToOuterScope());
        }
        var abT = q.AlphaBar(q.Steps);
        cols.Add(GaussianKl(Math.Sqrt(abT) * x0, 1 - abT, Torch.Torch.ZerosLike(x0), 1.0));
        return Torch.Torch.Stack(cols, 1).MoveToOuterScope();                       // (B, T + 1)
    }

    /// <summary>KL(N(m1, v1 I) || N(m2, v2 I)) summed over each example's elements: 0.5 sum(log(v2/v1) + (v1 + (m1 - m2)^2) / v2 - 1).</summary>
    public static Tensor GaussianKl(Tensor m1, double v1, Tensor m2, double v2)
    {
        using var sc = Scope.Begin();
        var per = 0.5 * (Math.Log(v2 / v1) + v1 / v2 - 1) + 0.5 * (m1 - m2).Square() / v2;
        return per.Flatten(1).Sum(1).MoveToOuterScope();
    }

    private static Tensor GaussianNll(Tensor x, Tensor mu, double v)
    {
        using var sc = Scope.Begin();
        var per = 0.5 * (x - mu).Square() / v + 0.5 * Math.Log(2 * Math.PI * v);
        return per.Flatten(1).Sum(1).MoveToOuterScope();
    }

    /// <summary>
    /// -log of the N(mu, sd^2) mass of each value's bin on K levels in [-1, 1] (level k at 2k/(K-1) - 1, bins of width
    /// 2/(K-1), the end bins open to -inf and +inf, so the K masses sum to 1), summed per example: (B, ...) -> (B).
    /// </summary>
    public static Tensor DiscretisedNll(Tensor x, Tensor mu, double sd, int levels)
    {
        using var sc = Scope.Begin();
        var half = 1.0 / (levels - 1);
        Tensor Cdf(Tensor z) => 0.5 * (1.0 + (z / Math.Sqrt(2)).Erf());
        var upper = Torch.Torch.Where(x.Gt(1 - half), Torch.Torch.OnesLike(x), Cdf((x + half - mu) / sd));
        var lower = Torch.Torch.Where(x.Lt(-1 + half), Torch.Torch.ZerosLike(x), Cdf((x - half - mu) / sd));
        var mass = (upper - lower).ClampMin(1e-12);
        return mass.Log().Neg().Flatten(1).Sum(1).MoveToOuterScope();
    }

    /// <summary>
    /// Ancestral sampling: x_T ~ N(0, I), x_{t-1} = mu(x_t, t) + sigma_t z (z = 0 at t = 1); shape (n, *event). With
    /// <c>clampTo</c> (for image data in [-1, 1]) the result is clamped to [-clampTo, clampTo]. No graph recorded.
    /// </summary>
    public static Tensor Sample(DiffusionSchedule q, Func<Tensor, Tensor, Tensor> eps, long[] shape, Generator? generator,
        DdpmVariance variance = DdpmVariance.Beta, ScalarType dtype = ScalarType.Float32, Device? device = null, double? clampTo = null)
    {
        using var ng = Autograd.NoGrad();
        using var sc = Scope.Begin();
        var x = Torch.Torch.Randn(shape, generator, dtype, device);
        for (var t = q.Steps; t >= 1; t--)
        {
            using var inner = Scope.Begin();
            var tt = Torch.Torch.Full(new[] { shape[0] }, t, ScalarType.Int64);
            var mu = ModelMean(q, x, tt, eps(x, tt.To(dtype)));
            x = (t > 1 ? mu + Math.Sqrt(ModelVariance(q, variance, t)) * Torch.Torch.RandnLike(x, generator) : mu).MoveToOuterScope();
        }
        if (clampTo is { } c) x = x.Clamp(-c, c);
        return x.MoveToOuterScope();
    }
}
