// NormalMixture.cs: a mixture of diagonal Gaussians as a distribution: log-density, joint log p(x, z), posterior, sampling.
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// p(x) = sum_k pi_k N(x; mu_k, diag(sigma_k^2)), x in R^D. A distribution (density, sampling, the
/// discrete latent z's joint and posterior), used by the variational-inference checks (DS-GA 1008 2.x,
/// CSE 599i P4); fitting mixtures is <c>GenDsl.Models.GaussianMixture</c>'s job.
/// Weights (K), Means (K, D), Scales (K, D) (or (K) / a number: shared across dims).
/// </summary>
public sealed class NormalMixture : Distribution
{
    public Tensor Weights { get; }
    public Tensor Means { get; }
    public Tensor Scales { get; }
    public long K => Means.Size(0);
    public long D => Means.Size(1);

    public NormalMixture(Tensor weights, Tensor means, Tensor scales)
    {
        if (means.Dim != 2) throw new ArgumentException($"NormalMixture: means must be (K, D), got [{string.Join(", ", means.Shape)}]");
        if (weights.Dim != 1 || weights.Size(0) != means.Size(0))
            throw new ArgumentException($"NormalMixture: weights must be (K) with K = {means.Size(0)} (one per mean)");
        RequirePositive(scales, "NormalMixture: scales");
        using var neg = weights.Lt(0.0);
        using var any = neg.Any();
        if (any.Item<bool>()) throw new ArgumentException("NormalMixture: weights must be >= 0");
        // derived tensors belong to the mixture, not to whatever scope is open now
        using (var total = weights.Sum()) Weights = (weights / total).DetachFromScope();
        Means = means;
        Scales = (scales.Dim == 1 ? scales.Unsqueeze(1).Expand(means.Shape) : scales.Expand(means.Shape)).DetachFromScope();
    }

    /// <summary>
    /// DS-GA 1008 1.1: K equal weights, mu_k = R (cos 2 pi k/K, sin 2 pi k/K), Sigma_k = I_2.
    /// p(x) = (1/K) sum_k (2 pi)^-1 exp(-|x - mu_k|^2 / 2).
    /// </summary>
    public static NormalMixture Ring(int k, double radius, double scale = 1.0)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "need at least one component");
        var m = new double[k * 2];
        for (var i = 0; i < k; i++)
        {
            m[2 * i] = radius * Math.Cos(2 * Math.PI * (i + 1) / k);
            m[2 * i + 1] = radius * Math.Sin(2 * Math.PI * (i + 1) / k);
        }
        return new NormalMixture(Torch.Torch.Full(new long[] { k }, 1.0 / k, ScalarType.Float64).DetachFromScope(),
            Torch.Torch.Tensor<double>(m, k, 2).DetachFromScope(), Torch.Torch.Full(new long[] { k, 2 }, scale, ScalarType.Float64).DetachFromScope());
    }

    /// <summary>A 1-D mixture from lists: weights, means, scales.</summary>
    public static NormalMixture OneD(double[] weights, double[] means, double[] scales) =>
        new(Torch.Torch.Tensor<double>(weights).DetachFromScope(), Torch.Torch.Tensor<double>(means, means.Length, 1).DetachFromScope(),
            Torch.Torch.Tensor<double>(scales, scales.Length, 1).DetachFromScope());

    public override long[] BatchShape => new[] { D };

    /// <summary>log p(x, z = k) = log pi_k + log N(x; mu_k, Sigma_k) for x (N, D): (N, K).</summary>
    public Tensor LogJoint(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != D) throw new ArgumentException($"NormalMixture: x must be (N, {D}), got [{string.Join(", ", x.Shape)}]");
        using var s = Scope.Begin();
        var diff = (x.Unsqueeze(1) - Means.Unsqueeze(0)) / Scales.Unsqueeze(0);          // (N, K, D)
        var comp = (-0.5 * diff.Square() - Scales.Unsqueeze(0).Log() - Normal.HalfLog2Pi).Sum(-1); // (N, K)
        var r = comp + Weights.Log().Unsqueeze(0);
        return r.MoveToOuterScope();
    }

    /// <summary>log p(x) = logsumexp_k log p(x, z = k): (N, D) -> (N).</summary>
    public override Tensor LogProb(Tensor x)
    {
        using var lj = LogJoint(x);
        return lj.LogSumExp(-1);
    }

    /// <summary>The posterior p(z = k | x) (responsibilities): (N, K).</summary>
    public Tensor Posterior(Tensor x)
    {
        using var lj = LogJoint(x);
        return lj.Softmax(-1);
    }

    /// <summary>n draws: pick z ~ pi, then x ~ N(mu_z, Sigma_z). Returns x (n, D).</summary>
    public override Tensor Sample(long n, Generator? generator = null) => SampleWithLatent(n, generator).X;

    public (Tensor X, Tensor Z) SampleWithLatent(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var z = Torch.Torch.Multinomial(Weights.Unsqueeze(0), n, replacement: true, generator).Squeeze(0); // (n)
        var eps = Torch.Torch.Randn(new[] { n, D }, generator, Means.Dtype);
        var x = Means.IndexSelect(0, z) + Scales.IndexSelect(0, z) * eps;
        return (x.MoveToOuterScope(), z.MoveToOuterScope());
    }
}
