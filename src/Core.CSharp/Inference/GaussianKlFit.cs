// GaussianKlFit.cs: a Gaussian q = N(mu, sigma^2) fitted to a 1-D density by forward or reverse KL, on a quadrature grid, by autograd (ECE 8803 P1b).
using GenDsl.Data;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;
using GenDsl.Training;

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

    /// <summary>
    /// KL of the given Gaussian (mu, sigma) against log p on [lo, hi] (n odd points), the interval widened at the same
    /// spacing to hold q's mass too (mu +- 12 sigma): a grid chosen for p alone cuts a broad q's tails, e.g. on [-15, 15]
    /// KL(N(0, 26) || 0.5 N(-5, 1) + 0.5 N(5, 1)) would come out 3.512 instead of 3.709 (ECE 8803 P1b).
    /// </summary>
    public static double Evaluate(KlDirection direction, Func<Tensor, Tensor> logP, double mu, double sigma, double lo, double hi, long n = 3001)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), $"sigma must be > 0, got {sigma}");
        var h = (hi - lo) / (n - 1);
        var wideLo = Math.Min(lo, mu - 12 * sigma);
        var wideHi = Math.Max(hi, mu + 12 * sigma);
        if (wideLo < lo || wideHi > hi)
        {
            var steps = (long)Math.Ceiling((wideHi - wideLo) / h);
            steps += steps % 2;                                  // Simpson: an even number of intervals
            lo = wideLo; hi = wideLo + steps * h; n = steps + 1;
        }
        using var s = Scope.Begin();
        var x = Quadrature.Grid(lo, hi, n);
        var w = Quadrature.SimpsonWeights(n, (hi - lo) / (n - 1));
        return Divergence(direction, Torch.Torch.Scalar(mu, ScalarType.Float64), Torch.Torch.Scalar(Math.Log(sigma), ScalarType.Float64), x, w, logP(x)).ToDouble();
    }

    /// <summary>
    /// Gradient descent on (mu, log sigma) from (mu0, sigma0): theta &lt;- theta - lr grad KL. logP maps a (n) grid to (n) log-densities.
    /// The steps run through the <see cref="Trainer"/> (plain SGD, one step per "batch" = the quadrature grid); step k + 1
    /// records KL(theta_k), the final evaluation KL(theta_steps).
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
        using var q = new GaussianParameters(mu0, Math.Log(sigma0));
        var curve = new double[steps + 1];
        double Kl()
        {
            using var s = Scope.Begin();
            using (Autograd.NoGrad()) return Divergence(direction, q.Mu, q.LogSigma, x, w, lp).ToDouble();
        }
        if (steps == 0) curve[0] = Kl();
        else
        {
            using var trainer = new Trainer(q, ps => new SGD(ps, learningRate), null, new TrainOptions { Steps = steps, BatchSize = 1, Shuffle = false });
            trainer.Evaluate = () => new Dictionary<string, double> { ["kl"] = curve[steps] = Kl() };
            trainer.Fit(new GridData(x), (grid, ctx) =>
            {
                var kl = Divergence(direction, q.Mu, q.LogSigma, grid.Select(0, 0), w, lp);   // grid (1, n) -> (n)
                curve[ctx.Step - 1] = kl.ToDouble();
                return kl;
            });
        }
        return new GaussianKlFitResult(q.Mu.ToDouble(), Math.Exp(q.LogSigma.ToDouble()), curve);
    }

    /// <summary>q's parameters, 0-d float64 tensors "mu" and "log_sigma".</summary>
    private sealed class GaussianParameters : Module
    {
        public GaussianParameters(double mu, double logSigma)
        {
            Mu = RegisterParameter("mu", Torch.Torch.Scalar(mu, ScalarType.Float64));
            LogSigma = RegisterParameter("log_sigma", Torch.Torch.Scalar(logSigma, ScalarType.Float64));
        }

        public Tensor Mu { get; }
        public Tensor LogSigma { get; }
    }

    /// <summary>One example, the quadrature grid (n): every step's batch is (1, n).</summary>
    private sealed class GridData(Tensor grid) : IDataset
    {
        public long Count => 1;
        public long[] ExampleShape => grid.Shape;
        public Tensor Batch(long[] indices, Generator generator) => grid.Unsqueeze(0);   // (1, n)
    }
}
