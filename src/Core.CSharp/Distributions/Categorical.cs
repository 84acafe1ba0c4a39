// Categorical.cs: a distribution over {0..K-1}; sampling by multinomial or by Gumbel-argmax (CSE 599i P2).
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// Categorical(p) over {0, ..., K-1}, from probabilities (normalised here) or logits; parameters (K) or (B, K).
/// <see cref="SampleGumbelArgmax"/> is CSE 599i P2: argmax_x (log p(x) - log log(1/u_x)), u ~ U(0,1)^K, is distributed as p.
/// </summary>
public sealed class Categorical : Distribution
{
    /// <summary>Normalised log-probabilities, (K) or (B, K).</summary>
    public Tensor LogProbs { get; }
    public long NumCategories => LogProbs.Size(-1);

    private Categorical(Tensor logProbs) => LogProbs = logProbs.DetachFromScope();

    /// <summary>From non-negative weights (normalised along the last dim).</summary>
    public static Categorical FromProbs(Tensor probs)
    {
        using var neg = probs.Lt(0.0);
        using var any = neg.Any();
        if (any.Item<bool>()) throw new ArgumentException("Categorical: probabilities must be >= 0");
        using var s = Scope.Begin();
        var lp = probs.Log();
        var r = lp - lp.LogSumExp(-1, keepdim: true);
        return new Categorical(r.MoveToOuterScope());
    }

    public static Categorical FromProbs(params double[] probs)
    {
        using var p = Torch.Torch.Tensor<double>(probs);
        return FromProbs(p);
    }

    /// <summary>From unnormalised log-probabilities (logits).</summary>
    public static Categorical FromLogits(Tensor logits) => new(logits.LogSoftmax(-1));

    public Tensor Probs => LogProbs.Exp();

    public override long[] BatchShape => LogProbs.Shape[..^1];

    /// <summary>Category indices (int64), shape (n, *BatchShape), by inverse-CDF multinomial draws.</summary>
    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var p = LogProbs.Exp().Reshape(-1, NumCategories);      // (B, K)
        var idx = Torch.Torch.Multinomial(p, n, replacement: true, generator); // (B, n)
        var r = idx.T.Reshape(SampleShape(n, BatchShape));      // (n, *batch)
        return r.MoveToOuterScope();
    }

    /// <summary>
    /// CSE 599i P2: x = argmax_k (log p_k + G_k) with G_k = -log log(1/u_k) ~ Gumbel(0,1) i.i.d.;
    /// P(x = k) = p_k. Returns int64 indices (n, *BatchShape).
    /// </summary>
    public Tensor SampleGumbelArgmax(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var shape = SampleShape(n, LogProbs.Shape);             // (n, *batch, K)
        var g = Gumbel.StandardNoise(shape, generator, LogProbs.Dtype);
        var r = (LogProbs + g).ArgMax(-1);                      // (n, *batch)
        return r.MoveToOuterScope();
    }

    /// <summary>log p(x) for integer categories x (broadcast against the batch).</summary>
    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var xl = x.Long();
        var lp = LogProbs.Expand(xl.Shape.Concat(new[] { NumCategories }).ToArray());
        var r = lp.Gather(-1, xl.Unsqueeze(-1)).Squeeze(-1);
        return r.MoveToOuterScope();
    }

    /// <summary>H(p) = -sum p log p.</summary>
    public Tensor Entropy()
    {
        using var s = Scope.Begin();
        var plogp = LogProbs.Exp() * LogProbs;
        var r = -plogp.Sum(-1);
        return r.MoveToOuterScope();
    }
}
