// Cauchy.cs: the Cauchy distribution (ECE 8803 P5a: 1/X of a standard Cauchy X is standard Cauchy).
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// Cauchy(loc, scale): p(x) = 1 / (pi scale (1 + ((x - loc)/scale)^2)).
/// Sampled by inversion: x = loc + scale tan(pi (u - 1/2)), u ~ U(0, 1).
/// </summary>
public sealed class Cauchy : Distribution
{
    public Tensor Loc { get; }
    public Tensor Scale { get; }

    public Cauchy(Tensor loc, Tensor scale)
    {
        RequirePositive(scale, "Cauchy: scale");
        Loc = loc;
        Scale = scale;
    }

    public Cauchy(double loc = 0, double scale = 1) : this(Num(loc), Num(scale)) { }

    public override long[] BatchShape => BroadcastShape(Loc, Scale);

    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var u = OpenUniform(SampleShape(n, BatchShape), generator, Loc.Dtype);
        var a = Math.PI * (u - 0.5);
        var r = Loc + Scale * (a.Sin() / a.Cos()); // tan
        return r.MoveToOuterScope();
    }

    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var z = (x - Loc) / Scale;
        var r = -Math.Log(Math.PI) - Scale.Log() - z.Square().Log1p();
        return r.MoveToOuterScope();
    }

    /// <summary>P(X &lt;= x) = 1/2 + atan((x - loc)/scale) / pi.</summary>
    public Tensor Cdf(Tensor x)
    {
        using var s = Scope.Begin();
        var z = (x - Loc) / Scale;
        var r = 0.5 + z.Atan2(1.0) / Math.PI;
        return r.MoveToOuterScope();
    }
}
