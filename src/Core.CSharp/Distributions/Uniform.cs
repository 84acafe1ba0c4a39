// Uniform.cs: the continuous uniform distribution U(low, high).
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>U(low, high): p(x) = 1/(high - low) on [low, high), 0 elsewhere.</summary>
public sealed class Uniform : Distribution
{
    public Tensor Low { get; }
    public Tensor High { get; }

    public Uniform(Tensor low, Tensor high)
    {
        using var w = high - low;
        RequirePositive(w, "Uniform: high - low");
        Low = low;
        High = high;
    }

    public Uniform(double low, double high) : this(Num(low), Num(high)) { }

    public override long[] BatchShape => BroadcastShape(Low, High);

    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var u = Torch.Torch.Rand(SampleShape(n, BatchShape), generator, Low.Dtype);
        var r = Low + (High - Low) * u;
        return r.MoveToOuterScope();
    }

    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var inside = x.Ge(Low).LogicalAnd(x.Lt(High));
        var lp = (High - Low).Log().Neg() + Torch.Torch.ZerosLike(x);
        var r = lp.MaskedFill(inside.LogicalNot(), double.NegativeInfinity);
        return r.MoveToOuterScope();
    }
}
