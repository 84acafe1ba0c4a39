// ImportanceSampling.cs: self-normalised importance sampling for unnormalised targets (DS-GA 1008 1.5-1.6).
using GenDsl.Torch;

namespace GenDsl.Inference;

/// <summary>
/// For a target p(x) = exp(E(x)) / Z known up to Z and a proposal q:
///   F = E_p[f] = E_q[f e^E / q] / E_q[e^E / q]   (DS-GA 1008 1.5),
///   F^ = N^ / D^ with N^ = (1/M) sum f(x_m) w_m, D^ = (1/M) sum w_m, w_m = e^{E(x_m)} / q(x_m)   (1.6).
/// Weights are handled in log space, normalised as softmax(log w).
/// </summary>
public static class ImportanceSampling
{
    /// <summary>Normalised weights w_m / sum w: (M) from log-target (unnormalised) and log-proposal values (M).</summary>
    public static Tensor NormalizedWeights(Tensor logTarget, Tensor logProposal)
    {
        using var lw = logTarget - logProposal;
        return lw.Softmax(0);
    }

    /// <summary>F^ = sum_m w~_m f(x_m); f values (M) or (M, P) for P quantities at once (e.g. a gradient).</summary>
    public static Tensor SelfNormalized(Tensor f, Tensor logTarget, Tensor logProposal)
    {
        using var s = Scope.Begin();
        var w = NormalizedWeights(logTarget, logProposal);
        var r = f.Dim == 1 ? (w * f).Sum() : (w.Unsqueeze(1) * f).Sum(0);
        return r.MoveToOuterScope();
    }

    /// <summary>
    /// F^ with its delta-method standard error sqrt(sum_m w~_m^2 (f_m - F^)^2) for a scalar f (M).
    /// </summary>
    public static Estimate SelfNormalizedEstimate(Tensor f, Tensor logTarget, Tensor logProposal)
    {
        using var s = Scope.Begin();
        var w = NormalizedWeights(logTarget, logProposal);
        var fh = (w * f).Sum();
        var se = (w.Square() * (f - fh).Square()).Sum().Sqrt();
        return new Estimate(fh.ToDouble(), se.ToDouble(), f.NumEl);
    }

    /// <summary>Kish's effective sample size (sum w)^2 / sum w^2.</summary>
    public static double EffectiveSampleSize(Tensor logTarget, Tensor logProposal)
    {
        using var s = Scope.Begin();
        var w = NormalizedWeights(logTarget, logProposal);
        return 1.0 / w.Square().Sum().ToDouble();
    }
}
