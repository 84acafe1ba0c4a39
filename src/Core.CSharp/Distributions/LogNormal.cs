// LogNormal.cs: e^Y for Y ~ N(mu, sigma^2) (ECE 8803 P5b), density by change of variables.
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// X = e^Y, Y ~ N(mu, sigma^2). By change of variables (y = log x, dy/dx = 1/x):
/// p(x) = N(log x; mu, sigma^2) / x = exp(-(log x - mu)^2 / (2 sigma^2)) / (x sigma sqrt(2 pi)), x &gt; 0.
/// </summary>
public sealed class LogNormal : Distribution
{
    public Normal Base { get; }

    public LogNormal(Tensor mu, Tensor sigma) => Base = new Normal(mu, sigma);
    public LogNormal(double mu, double sigma) => Base = new Normal(mu, sigma);

    public override long[] BatchShape => Base.BatchShape;

    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var y = Base.Sample(n, generator);
        return y.Exp();
    }

    /// <summary>log p(x) = log N(log x; mu, sigma^2) - log x; -inf for x &lt;= 0.</summary>
    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var pos = x.Gt(0.0);
        var safe = Torch.Torch.Where(pos, x, Torch.Torch.OnesLike(x));
        var lx = safe.Log();
        var lp = Base.LogProb(lx) - lx;
        var r = lp.MaskedFill(pos.LogicalNot(), double.NegativeInfinity);
        return r.MoveToOuterScope();
    }
}
