// Kl.cs: closed-form KL divergences between distributions of the same family.
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>KL(p || q) = E_p[log p - log q] in closed form.</summary>
public static class Kl
{
    /// <summary>
    /// KL(N(m1, s1^2) || N(m2, s2^2)) = log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2, elementwise.
    /// With s1 = s2 = s this is (m1 - m2)^2 / (2 s^2) (the lemma of seed 002 P2C).
    /// </summary>
    public static Tensor Divergence(Normal p, Normal q)
    {
        using var s = Scope.Begin();
        var r = (q.Scale / p.Scale).Log() + (p.Scale.Square() + (p.Loc - q.Loc).Square()) / (2.0 * q.Scale.Square()) - 0.5;
        return r.MoveToOuterScope();
    }

    /// <summary>KL(p || q) = sum_k p_k (log p_k - log q_k) over the last dim; +inf where q_k = 0 &lt; p_k.</summary>
    public static Tensor Divergence(Categorical p, Categorical q)
    {
        using var s = Scope.Begin();
        var pk = p.LogProbs.Exp();
        var terms = Torch.Torch.Where(pk.Gt(0.0), pk * (p.LogProbs - q.LogProbs), Torch.Torch.ZerosLike(pk));
        var r = terms.Sum(-1);
        return r.MoveToOuterScope();
    }
}
