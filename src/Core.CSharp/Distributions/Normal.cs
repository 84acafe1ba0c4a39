// Normal.cs: the Gaussian N(loc, scale^2): reparameterised sampling, log-density, CDF, entropy.
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// N(loc, scale^2), elementwise over a batch of parameters.
/// log p(x) = -(x - loc)^2 / (2 scale^2) - log scale - log(2 pi)/2.
/// Sampling is the location-scale map loc + scale * z, z ~ N(0, 1) (CSE 599i P1, Mila Q2.1),
/// so samples are differentiable in loc and scale.
/// </summary>
public sealed class Normal : Distribution
{
    public Tensor Loc { get; }
    public Tensor Scale { get; }
    public static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    public Normal(Tensor loc, Tensor scale)
    {
        RequirePositive(scale, "Normal: scale");
        Loc = loc;
        Scale = scale;
    }

    public Normal(double loc, double scale) : this(Num(loc), Num(scale)) { }

    public override long[] BatchShape => BroadcastShape(Loc, Scale);

    /// <summary>loc + scale * eps, eps ~ N(0, 1): differentiable in loc and scale (the reparameterisation trick).</summary>
    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var eps = Torch.Torch.Randn(SampleShape(n, BatchShape), generator, Loc.Dtype);
        using var s = Scale * eps;
        return Loc + s;
    }

    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var z = (x - Loc) / Scale;
        var r = -0.5 * z.Square() - Scale.Log() - HalfLog2Pi;
        return r.MoveToOuterScope();
    }

    /// <summary>P(X &lt;= x) = (1 + erf((x - loc) / (scale sqrt 2))) / 2.</summary>
    public Tensor Cdf(Tensor x)
    {
        using var s = Scope.Begin();
        var r = 0.5 * (1.0 + ((x - Loc) / (Scale * Math.Sqrt(2))).Erf());
        return r.MoveToOuterScope();
    }

    /// <summary>H = log(scale) + (1 + log 2 pi) / 2.</summary>
    public Tensor Entropy()
    {
        using var l = Scale.Log();
        return l + (0.5 + HalfLog2Pi);
    }
}
