// Iwae.cs: the importance-weighted bound L_K (Mila Q4) from log importance weights, and its refined proposal.
using GenDsl.Torch;

namespace GenDsl.Inference;

/// <summary>
/// With z_1..z_K ~ q(z|x) i.i.d. and w_j = p(x, z_j) / q(z_j | x):
///   L_K = E[log (1/K) sum_j w_j],   L_1 (the ELBO) &lt;= L_K &lt;= L_{K+1} &lt;= log p(x)   (Mila Q4).
/// The refined (unnormalised) proposal is q~(z | z_2..z_K) = p(x, z) / ((1/K)(w(z) + sum_{j&gt;=2} w_j)), so
/// log p(x, z_1) - log q~(z_1 | z_2..z_K) = log (1/K) sum_j w_j pointwise, hence L_K = E_{z_2:K}[L_1[q~]].
/// </summary>
public static class Iwae
{
    /// <summary>log (1/K) sum_j w_j for each row of logWeights (M, K): (M).</summary>
    public static Tensor LogMeanWeight(Tensor logWeights)
    {
        if (logWeights.Dim != 2) throw new ArgumentException($"Iwae: logWeights must be (M, K), got [{string.Join(", ", logWeights.Shape)}]");
        using var l = logWeights.LogSumExp(-1);
        return l - Math.Log(logWeights.Size(1));
    }

    /// <summary>The Monte Carlo estimate of L_K from M independent rows of K log-weights (M, K).</summary>
    public static Estimate Bound(Tensor logWeights)
    {
        using var l = LogMeanWeight(logWeights);
        return MonteCarlo.Mean(l);
    }

    /// <summary>
    /// log q~(z | z_2..z_K) = log p(x, z) - log((1/K)(w(z) + sum_{j&gt;=2} w_j)), for logJointZ = log p(x, z) (N),
    /// logQZ = log q(z | x) (N) and the other samples' log-weights (N, K-1).
    /// </summary>
    public static Tensor LogRefinedProposal(Tensor logJointZ, Tensor logQZ, Tensor otherLogWeights)
    {
        using var s = Scope.Begin();
        var lw = (logJointZ - logQZ).Unsqueeze(1);                   // (N, 1)
        var all = Torch.Torch.Cat(new[] { lw, otherLogWeights }, 1);  // (N, K)
        var r = logJointZ - (all.LogSumExp(1) - Math.Log(all.Size(1)));
        return r.MoveToOuterScope();
    }
}
