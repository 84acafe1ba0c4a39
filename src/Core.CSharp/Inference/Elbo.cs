// Elbo.cs: the evidence lower bound for discrete latent variables, exactly (sums over z instead of samples).
using GenDsl.Torch;

namespace GenDsl.Inference;

/// <summary>
/// For a model with a discrete latent z in {1..K}, given logJoint[i, k] = log p(x_i, z = k) (N, K) and a
/// variational q[i, k] = q(z = k | x_i) (N, K):
///   L(q) = sum_k q_k (log p(x, k) - log q_k),   log p(x) = logsumexp_k log p(x, k),
///   log p(x) = L(q) + KL(q || p(z | x))   (DS-GA 1008 2.1), so L(q) &lt;= log p(x) with equality at q = posterior.
/// Terms with q_k = 0 contribute 0.
/// </summary>
public static class Elbo
{
    public static Tensor Discrete(Tensor logJoint, Tensor q)
    {
        Check(logJoint, q);
        using var s = Scope.Begin();
        var t = Torch.Torch.Where(q.Gt(0.0), q * (logJoint - q.Log()), Torch.Torch.ZerosLike(q));
        var r = t.Sum(-1);
        return r.MoveToOuterScope();
    }

    /// <summary>log p(x) = logsumexp_k log p(x, z = k): (N).</summary>
    public static Tensor LogEvidence(Tensor logJoint) => logJoint.LogSumExp(-1);

    /// <summary>p(z = k | x) = softmax_k log p(x, k): (N, K).</summary>
    public static Tensor Posterior(Tensor logJoint) => logJoint.Softmax(-1);

    /// <summary>KL(q || p(z | x)) = sum_k q_k (log q_k - log p(k | x)): (N).</summary>
    public static Tensor KlToPosterior(Tensor logJoint, Tensor q)
    {
        Check(logJoint, q);
        using var s = Scope.Begin();
        var logPost = logJoint.LogSoftmax(-1);
        var t = Torch.Torch.Where(q.Gt(0.0), q * (q.Log() - logPost), Torch.Torch.ZerosLike(q));
        var r = t.Sum(-1);
        return r.MoveToOuterScope();
    }

    /// <summary>The uniform q(z = k) = 1/K, shaped like logJoint.</summary>
    public static Tensor UniformQ(Tensor logJoint) => Torch.Torch.FullLike(logJoint, 1.0 / logJoint.Size(-1));

    private static void Check(Tensor logJoint, Tensor q)
    {
        if (!logJoint.Shape.SequenceEqual(q.Shape))
            throw new ArgumentException($"Elbo: logJoint [{string.Join(", ", logJoint.Shape)}] and q [{string.Join(", ", q.Shape)}] must have the same (N, K) shape");
    }
}
