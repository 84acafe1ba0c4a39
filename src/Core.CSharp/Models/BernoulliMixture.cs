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
public sealed partial class BernoulliMixture : IDisposable
{
    public Tensor Weights { get; }
    public Tensor Probs { get; }
    public long K => Probs.Size(0);
    public long D => Probs.Size(1);

    /// <summary>The component means E[x | z = k] = p_k as (K, D), one image per row (reshape to (K, 28, 28) for a grid).</summary>
    public Tensor Means => Probs;

    public BernoulliMixture(Tensor weights, Tensor probs)
    {
        if (probs.Dim != 2 || weights.Dim != 1 || weights.Size(0) != probs.Size(0))
            throw new ArgumentException($"BernoulliMixture: need weights (K) and probs (K, D), got [{string.Join(", ", weights.Shape)}] and [{string.Join(", ", probs.Shape)}]");
        using (var bad = probs.Lt(0.0).LogicalOr(probs.Gt(1.0)).Any())
            if (bad.Item<bool>()) throw new ArgumentException("BernoulliMixture: probs must lie in [0, 1]");
        Weights = weights.Double().DetachFromScope();   // owned by the model, outside any scope
        Probs = probs.Double().DetachFromScope();
    }

    private static Tensor SafeLog(Tensor t) { using var c = t.ClampMin(1e-300); return c.Log(); }

    private void CheckData(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != D) throw new ArgumentException($"BernoulliMixture: data must be (N, {D}) of 0/1, got [{string.Join(", ", x.Shape)}]");
    }

    /// <summary>
    /// The E-step's linear form: log pi_k + log P(x | p_k) = x . (log p_k - log(1 - p_k)) + sum_d log(1 - p_kd) + log pi_k,
    /// so the (N, K) log-joint is one (N, D) x (D, K) matmul plus a bias. Computed from the float64 parameters
    /// (1 - p keeps its precision near p = 1) and cast to <paramref name="dtype"/>: W^T (D, K), c (K).
    /// </summary>
    internal (Tensor WT, Tensor C) LinearForm(ScalarType dtype)
    {
        using var s = Scope.Begin();
        var logP = SafeLog(Probs);
        var log1mP = SafeLog(1.0 - Probs);
        var wT = (logP - log1mP).T.Contiguous().To(dtype);     // (D, K)
        var c = (log1mP.Sum(1) + SafeLog(Weights)).To(dtype);  // (K)
        return (wT.MoveToOuterScope(), c.MoveToOuterScope());
    }

    /// <summary>The floating type the data is worked in: its own when floating, float64 otherwise.</summary>
    private static ScalarType WorkType(Tensor x) => x.Dtype is ScalarType.Float32 or ScalarType.Float64 ? x.Dtype : ScalarType.Float64;

    /// <summary>log pi_k + log P(x_i | p_k): (N, K), in x's floating type (float64 for integer or bool data).</summary>
    public Tensor LogJoint(Tensor x)
    {
        CheckData(x);
        using var s = Scope.Begin();
        var dt = WorkType(x);
        var (wT, c) = LinearForm(dt);
        return (x.To(dt).MatMul(wT) + c).MoveToOuterScope();   // (N, K)
    }

    /// <summary>log P(x_i) = log sum_k pi_k P(x_i | p_k) per image: (N) float64 (held-out data too).</summary>
    public Tensor LogLikelihoodPerImage(Tensor x)
    {
        using var s = Scope.Begin();
        return LogJoint(x).LogSumExp(1).Double().MoveToOuterScope();
    }

    /// <summary>log P(X) = sum_i log sum_k pi_k P(x_i | p_k).</summary>
    public double LogLikelihood(Tensor x)
    {
        using var s = Scope.Begin();
        return LogJoint(x).LogSumExp(1).Sum(null, false, ScalarType.Float64).ToDouble();
    }

    /// <summary>log P(X) / N, nats per image.</summary>
    public double MeanLogLikelihood(Tensor x) => LogLikelihood(x) / x.Size(0);

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

    /// <summary>
    /// Ancestral sampling (ECE 8803 P3e): n images, each z ~ Categorical(pi), then x_d ~ Bernoulli(p_zd) independently.
    /// Returns X (n, D) float64 and the components z (n) int64.
    /// </summary>
    public (Tensor X, Tensor Z) Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var z = Torch.Torch.Multinomial(Weights.Unsqueeze(0), n, replacement: true, generator).Squeeze(0);
        var x = Torch.Torch.Bernoulli(Probs.IndexSelect(0, z), generator);
        return (x.MoveToOuterScope(), z.MoveToOuterScope());
    }

    /// <summary>The mixture's pixel means E[x] = sum_k pi_k p_k: (D) float64.</summary>
    public Tensor MarginalMean()
    {
        using var s = Scope.Begin();
        return Weights.Unsqueeze(0).MatMul(Probs).Squeeze(0).MoveToOuterScope();   // (1, K) x (K, D) -> (D)
    }

    public void Dispose()
    {
        Weights.Dispose();
        Probs.Dispose();
    }
}
