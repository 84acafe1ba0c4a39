// GaussianKlFit.cs: a Gaussian q = N(mu, sigma^2) fitted to a 1-D density by forward or reverse KL, on a quadrature grid, by autograd (ECE 8803 P1b).
using GenDsl.Torch;

namespace GenDsl.Inference;

public enum KlDirection
{
    /// <summary>KL(p || q) = int p (log p - log q): mass-covering; its Gaussian minimiser matches p's mean and variance.</summary>
    Forward,
    /// <summary>KL(q || p) = int q (log q - log p): mode-seeking; a Gaussian q settles on one well-separated mode.</summary>
    Reverse,
}

/// <summary>The fitted Gaussian and KL(direction) after each step k = 0..steps.</summary>
public sealed record GaussianKlFitResult(double Mu, double Sigma, double[] Curve);

/// <summary>
/// ECE 8803 P1b: minimise KL over q = N(mu, sigma^2), parameterised by (mu, log sigma), by plain gradient descent with
/// gradients from autograd. The integrals are Simpson sums on n (odd) grid points over [lo, hi], which must hold
/// essentially all of p's and q's mass.
/// </summary>
public static class GaussianKlFit
{
    /// <summary>log N(x; mu, exp(logSigma)^2), differentiable in mu and logSigma.</summary>
    public static Tensor LogQ(Tensor mu, Tensor logSigma, Tensor x)
    {
        using var s = Scope.Begin();
        var r = ((x - mu) / logSigma.Exp()).Square() * -0.5 - logSigma - 0.5 * Math.Log(2 * Math.PI);
        return r.MoveToOuterScope();
    }

    /// <summary>KL(p || q) or KL(q || p) for q = N(mu, exp(logSigma)^2) on the grid x with Simpson weights w; logP = log p(x).</summary>
    public static Tensor Divergence(KlDirection direction, Tensor mu, Tensor logSigma, Tensor x, Tensor w, Tensor logP)
    {
        using var s = Scope.Begin();
        var lq = LogQ(mu, logSigma, x);
        var r = direction == KlDirection.Forward
            ? (w * logP.Exp() * (logP - lq)).Sum()
            : (w * lq.Exp() * (lq - logP)).Sum();
        return r.MoveToOuterScope();
    }

    /// <summary>KL of the given Gaussian (mu, sigma) against log p on [lo, hi] (n odd points).</summary>
    public static double Evaluate(KlDirection direction, Func<Tensor, Tensor> logP, double mu, double sigma, double lo, double hi, long n = 3001)
    {
        using var s = Scope.Begin();
        var x = Quadrature.Grid(lo, hi, n);
        var w = Quadrature.SimpsonWeights(n, (hi - lo) / (n - 1));
        return Divergence(direction, Torch.Torch.Scalar(mu, ScalarType.Float64), Torch.Torch.Scalar(Math.Log(sigma), ScalarType.Float64), x, w, logP(x)).ToDouble();
    }

    /// <summary>
    /// Gradient descent on (mu, log sigma) from (mu0, sigma0): theta &lt;- theta - lr grad KL. logP maps a (n) grid to (n) log-densities.
    /// </summary>
    public static GaussianKlFitResult Fit(KlDirection direction, Func<Tensor, Tensor> logP, double mu0, double sigma0,
        double learningRate, int steps, double lo, double hi, long n = 3001)
    {
        if (!(sigma0 > 0)) throw new ArgumentOutOfRangeException(nameof(sigma0), $"the starting sigma must be > 0, got {sigma0}");
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"the learning rate must be > 0, got {learningRate}");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be >= 0");
        using var outer = Scope.Begin();
        var x = Quadrature.Grid(lo, hi, n);
        var w = Quadrature.SimpsonWeights(n, (hi - lo) / (n - 1));
        var lp = logP(x).Detach();
        double mu = mu0, logSigma = Math.Log(sigma0);
        var curve = new double[steps + 1];
        for (var k = 0; k <= steps; k++)
        {
            using var s = Scope.Begin();
            var m = Torch.Torch.Scalar(mu, ScalarType.Float64).RequiresGrad_();
            var ls = Torch.Torch.Scalar(logSigma, ScalarType.Float64).RequiresGrad_();
            var kl = Divergence(direction, m, ls, x, w, lp);
            curve[k] = kl.ToDouble();
            if (k == steps) break;
            var g = Autograd.Grad(new[] { kl }, new[] { m, ls });
            mu -= learningRate * g[0]!.ToDouble();
            logSigma -= learningRate * g[1]!.ToDouble();
        }
        return new GaussianKlFitResult(mu, Math.Exp(logSigma), curve);
    }
}
