// MixtureDensityHead.cs: the mixture-density output layer of an autoregressive model (seed 002 P3): C Gaussians from a D-dim state.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// p(x_i | h_i) = sum_c pi_c N(x_i; mu_c, sigma_c^2) with pi = softmax(W_pi h + b_pi), mu = W_mu h + b_mu,
/// sigma = exp(W_s h + b_s), each W (C, D) and b (C): 3 C (D + 1) parameters (seed 002 P3).
/// </summary>
public sealed class MixtureDensityHead
{
    public int D { get; }
    public int C { get; }
    public Tensor WPi { get; } public Tensor BPi { get; }
    public Tensor WMu { get; } public Tensor BMu { get; }
    public Tensor WLogSigma { get; } public Tensor BLogSigma { get; }

    public MixtureDensityHead(int d, int c, Generator? generator = null)
    {
        if (d < 1 || c < 1) throw new ArgumentOutOfRangeException(nameof(d), $"need D >= 1 and C >= 1, got D = {d}, C = {c}");
        D = d; C = c;
        Tensor P(params long[] shape)
        {
            using var r = Torch.Torch.Randn(shape, generator, ScalarType.Float64);
            return (r * (1.0 / Math.Sqrt(d))).DetachFromScope().RequiresGrad_();
        }
        WPi = P(c, d); BPi = P(c); WMu = P(c, d); BMu = P(c); WLogSigma = P(c, d); BLogSigma = P(c);
    }

    public IReadOnlyList<Tensor> Parameters => new[] { WPi, BPi, WMu, BMu, WLogSigma, BLogSigma };

    /// <summary>The number of scalar parameters (= 3 C (D + 1)).</summary>
    public long NumParameters => Parameters.Sum(p => p.NumEl);

    /// <summary>(log pi, mu, sigma), each (N, C), from states h (N, D).</summary>
    public (Tensor LogPi, Tensor Mu, Tensor Sigma) Forward(Tensor h)
    {
        if (h.Dim != 2 || h.Size(1) != D) throw new ArgumentException($"MixtureDensityHead: h must be (N, {D}), got [{string.Join(", ", h.Shape)}]");
        using var s = Scope.Begin();
        var logPi = Functional.Linear(h, WPi, BPi).LogSoftmax(-1);
        var mu = Functional.Linear(h, WMu, BMu);
        var sigma = Functional.Linear(h, WLogSigma, BLogSigma).Exp();
        return (logPi.MoveToOuterScope(), mu.MoveToOuterScope(), sigma.MoveToOuterScope());
    }

    /// <summary>log p(x | h) = logsumexp_c (log pi_c + log N(x; mu_c, sigma_c^2)) for h (N, D), x (N): (N).</summary>
    public Tensor LogProb(Tensor h, Tensor x)
    {
        using var s = Scope.Begin();
        var (logPi, mu, sigma) = Forward(h);
        var z = (x.Unsqueeze(1) - mu) / sigma;                  // (N, C)
        var comp = -0.5 * z.Square() - sigma.Log() - Distributions.Normal.HalfLog2Pi;
        var r = (logPi + comp).LogSumExp(1);
        return r.MoveToOuterScope();
    }
}
