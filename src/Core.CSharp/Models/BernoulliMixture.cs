// BernoulliMixture.cs: a mixture of multivariate Bernoullis fitted by EM with Dirichlet smoothing (ECE 8803 P2-P3).
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// P(x | p, pi) = sum_k pi_k prod_d p_kd^{x_d} (1 - p_kd)^{1 - x_d}, x in {0,1}^D; Weights pi (K), Probs p (K, D).
/// E-step (ECE 8803 P2b): eta_ik = pi_k P(x_i | p_k) / sum_j pi_j P(x_i | p_j), computed in log space.
/// M-step (P2c, with P3's Dirichlet smoothing): N_k = sum_i eta_ik,
///   p_k = (sum_i eta_ik x_i + alpha1) / (N_k + alpha1 D),   pi_k = (N_k + alpha2) / (sum_k' N_k' + alpha2 K);
/// with alpha1 = alpha2 = 0 these maximise the expected complete log-likelihood
///   Q = sum_i sum_k eta_ik [log pi_k + sum_d x_id log p_kd + (1 - x_id) log(1 - p_kd)].
/// </summary>
public sealed class BernoulliMixture
{
    public Tensor Weights { get; }
    public Tensor Probs { get; }
    public long K => Probs.Size(0);
    public long D => Probs.Size(1);

    public BernoulliMixture(Tensor weights, Tensor probs)
    {
        if (probs.Dim != 2 || weights.Dim != 1 || weights.Size(0) != probs.Size(0))
            throw new ArgumentException($"BernoulliMixture: need weights (K) and probs (K, D), got [{string.Join(", ", weights.Shape)}] and [{string.Join(", ", probs.Shape)}]");
        using (var bad = probs.Lt(0.0).LogicalOr(probs.Gt(1.0)).Any())
            if (bad.Item<bool>()) throw new ArgumentException("BernoulliMixture: probs must lie in [0, 1]");
        Weights = weights.Double().DetachFromScope();   // owned by the model, outside any scope
        Probs = probs.Double().DetachFromScope();
    }

    /// <summary>
    /// ECE 8803 P3's initialisation: each p_k uniform(0,1) then scaled to unit Euclidean length; pi_k = 1/K.
    /// </summary>
    public static BernoulliMixture InitUnitLength(int k, int d, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var u = Torch.Torch.Rand(new long[] { k, d }, generator, ScalarType.Float64);
        var p = u / u.Norm(2, new long[] { 1 }, keepdim: true);
        var w = Torch.Torch.Full(new long[] { k }, 1.0 / k, ScalarType.Float64);
        return new BernoulliMixture(w.DetachFromScope(), p.DetachFromScope());
    }

    private static Tensor SafeLog(Tensor t) { using var c = t.ClampMin(1e-300); return c.Log(); }

    private void CheckData(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != D) throw new ArgumentException($"BernoulliMixture: data must be (N, {D}) of 0/1, got [{string.Join(", ", x.Shape)}]");
    }

    /// <summary>log pi_k + log P(x_i | p_k): (N, K).</summary>
    public Tensor LogJoint(Tensor x)
    {
        CheckData(x);
        using var s = Scope.Begin();
        var xd = x.Double();
        var r = xd.MatMul(SafeLog(Probs).T) + (1.0 - xd).MatMul(SafeLog(1.0 - Probs).T) + SafeLog(Weights);
        return r.MoveToOuterScope();
    }

    /// <summary>log P(X) = sum_i log sum_k pi_k P(x_i | p_k).</summary>
    public double LogLikelihood(Tensor x)
    {
        using var s = Scope.Begin();
        return LogJoint(x).LogSumExp(1).Sum().ToDouble();
    }

    /// <summary>The E-step: eta (N, K).</summary>
    public Tensor EStep(Tensor x)
    {
        using var lj = LogJoint(x);
        return lj.Softmax(1);
    }

    /// <summary>The expected complete log-likelihood Q(p, pi) under responsibilities eta (N, K).</summary>
    public double ExpectedCompleteLogLikelihood(Tensor x, Tensor eta)
    {
        using var s = Scope.Begin();
        return (eta * LogJoint(x)).Sum().ToDouble();
    }

    /// <summary>The M-step with Dirichlet smoothing alpha1 (pixels) and alpha2 (weights).</summary>
    public static BernoulliMixture MStep(Tensor x, Tensor eta, double alpha1 = 1e-8, double alpha2 = 1e-8)
    {
        if (alpha1 < 0 || alpha2 < 0) throw new ArgumentOutOfRangeException(nameof(alpha1), "smoothing parameters must be >= 0");
        using var s = Scope.Begin();
        var xd = x.Double();
        long d = xd.Size(1), k = eta.Size(1);
        var nk = eta.Sum(0);                                                      // (K)
        var p = (eta.T.MatMul(xd) + alpha1) / (nk.Unsqueeze(1) + alpha1 * d);     // (K, D)
        var w = (nk + alpha2) / (nk.Sum() + alpha2 * k);                          // (K)
        return new BernoulliMixture(w.DetachFromScope(), p.DetachFromScope());
    }

    /// <summary>Runs EM for <paramref name="iterations"/> steps; the curve holds log P(X) before each step and after the last.</summary>
    public static (BernoulliMixture Model, IReadOnlyList<double> LogLikelihoods) Fit(Tensor x, int k, int iterations,
        Generator? generator = null, double alpha1 = 1e-8, double alpha2 = 1e-8, BernoulliMixture? init = null)
    {
        var m = init ?? InitUnitLength(k, (int)x.Size(1), generator);
        var curve = new List<double> { m.LogLikelihood(x) };
        for (var it = 0; it < iterations; it++)
        {
            using var eta = m.EStep(x);
            m = MStep(x, eta, alpha1, alpha2);
            curve.Add(m.LogLikelihood(x));
        }
        return (m, curve);
    }

    /// <summary>n images: z ~ pi, then x_d ~ Bernoulli(p_zd). Returns X (n, D) float64 and z (n).</summary>
    public (Tensor X, Tensor Z) Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var z = Torch.Torch.Multinomial(Weights.Unsqueeze(0), n, replacement: true, generator).Squeeze(0);
        var x = Torch.Torch.Bernoulli(Probs.IndexSelect(0, z), generator);
        return (x.MoveToOuterScope(), z.MoveToOuterScope());
    }
}
