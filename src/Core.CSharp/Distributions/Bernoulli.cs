// Bernoulli.cs: independent binary variables with probabilities p (the building block of ECE 8803 P2's mixture).
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>Bernoulli(p) elementwise: log P(x) = x log p + (1 - x) log(1 - p), x in {0, 1}.</summary>
public sealed class Bernoulli : Distribution
{
    public Tensor Probs { get; }

    public Bernoulli(Tensor probs)
    {
        using var bad = probs.Lt(0.0).LogicalOr(probs.Gt(1.0));
        using var any = bad.Any();
        if (any.Item<bool>()) throw new ArgumentException("Bernoulli: probabilities must lie in [0, 1]");
        Probs = probs;
    }

    public override long[] BatchShape => Probs.Shape;

    /// <summary>Draws (n, *BatchShape) of 0/1 in the dtype of the probabilities.</summary>
    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var p = Probs.Expand(SampleShape(n, BatchShape));
        using var pc = p.Contiguous();
        return Torch.Torch.Bernoulli(pc, generator);
    }

    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        // xlogy-style: 0 * log 0 = 0, so p in {0, 1} stays finite where it should.
        var l1 = Torch.Torch.Where(x.Gt(0.0), x * Probs.Log(), Torch.Torch.ZerosLike(x * Probs));
        var q = 1.0 - Probs;
        var x0 = 1.0 - x;
        var l0 = Torch.Torch.Where(x0.Gt(0.0), x0 * q.Log(), Torch.Torch.ZerosLike(x0 * q));
        var r = l1 + l0;
        return r.MoveToOuterScope();
    }
}
