// Gumbel.cs: the Gumbel(loc, scale) distribution; -log log(1/u) ~ Gumbel(0, 1) (CSE 599i P2 hint).
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// Gumbel(loc, scale): p(x) = exp(-(z + e^{-z})) / scale with z = (x - loc)/scale.
/// Sampled as loc - scale log(log(1/u)), u ~ U(0, 1).
/// </summary>
public sealed class Gumbel : Distribution
{
    public Tensor Loc { get; }
    public Tensor Scale { get; }

    public Gumbel(Tensor loc, Tensor scale)
    {
        RequirePositive(scale, "Gumbel: scale");
        Loc = loc;
        Scale = scale;
    }

    public Gumbel(double loc = 0, double scale = 1) : this(Num(loc), Num(scale)) { }

    public override long[] BatchShape => BroadcastShape(Loc, Scale);

    /// <summary>-log log(1/u) for u ~ U(0,1): standard Gumbel noise of the given shape.</summary>
    public static Tensor StandardNoise(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float64)
    {
        using var s = Scope.Begin();
        var u = OpenUniform(shape, generator, dtype);
        var r = -(u.Reciprocal().Log().Log());
        return r.MoveToOuterScope();
    }

    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var g = StandardNoise(SampleShape(n, BatchShape), generator, Loc.Dtype);
        var r = Loc + Scale * g;
        return r.MoveToOuterScope();
    }

    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var z = (x - Loc) / Scale;
        var r = -(z + z.Neg().Exp()) - Scale.Log();
        return r.MoveToOuterScope();
    }
}
