// Quadrature.cs: numerical integration on grids (Simpson in 1-D, midpoint in 2-D, log-space versions) — the tests' exact oracles.
using GenDsl.Torch;

namespace GenDsl.Inference;

/// <summary>
/// Deterministic integration of densities on a bounded box. For smooth integrands Simpson's rule has
/// error O(h^4); the 2-D midpoint rule O(h^2). Everything is float64.
/// </summary>
public static class Quadrature
{
    /// <summary>n equally spaced points from lo to hi inclusive (float64); n must be odd for Simpson.</summary>
    public static Tensor Grid(double lo, double hi, long n)
    {
        if (!(hi > lo)) throw new ArgumentException($"Quadrature: need lo < hi, got [{lo}, {hi}]");
        if (n < 3) throw new ArgumentOutOfRangeException(nameof(n), "need at least 3 grid points");
        return Torch.Torch.Linspace(lo, hi, n, ScalarType.Float64);
    }

    /// <summary>Simpson weights for n (odd) points with spacing h: h/3 (1, 4, 2, 4, ..., 4, 1).</summary>
    public static Tensor SimpsonWeights(long n, double h)
    {
        if (n % 2 == 0) throw new ArgumentException($"Simpson's rule needs an odd number of points, got {n}");
        var w = new double[n];
        for (var i = 0; i < n; i++) w[i] = (i == 0 || i == n - 1 ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;
        return Torch.Torch.Tensor<double>(w);
    }

    /// <summary>
    /// integral_lo^hi f(x) dx by Simpson's rule on n (odd) points. f maps a (n) grid to (n) values, or
    /// (n) to (n, m) for m integrands at once (the result is then (m)).
    /// </summary>
    public static Tensor Integrate(Func<Tensor, Tensor> f, double lo, double hi, long n = 2001)
    {
        using var s = Scope.Begin();
        var x = Grid(lo, hi, n);
        var y = f(x);
        var w = SimpsonWeights(n, (hi - lo) / (n - 1));
        var r = y.Dim == 1 ? (y * w).Sum() : (y * w.Unsqueeze(1)).Sum(0);
        return r.MoveToOuterScope();
    }

    /// <summary>The double version of <see cref="Integrate"/> for a scalar integrand.</summary>
    public static double IntegrateScalar(Func<Tensor, Tensor> f, double lo, double hi, long n = 2001)
    {
        using var r = Integrate(f, lo, hi, n);
        return r.ToDouble();
    }

    /// <summary>
    /// Cell centres of an n x n grid on [lo, hi]^2 as (n*n, 2) points (row-major: x varies slowest),
    /// and the cell area; sum(f(points)) * area is the midpoint rule.
    /// </summary>
    public static (Tensor Points, double CellArea) Grid2d(double lo, double hi, long n)
    {
        if (!(hi > lo)) throw new ArgumentException($"Quadrature: need lo < hi, got [{lo}, {hi}]");
        var h = (hi - lo) / n;
        using var s = Scope.Begin();
        var c = Torch.Torch.Linspace(lo + h / 2, hi - h / 2, n, ScalarType.Float64);
        var xs = c.Unsqueeze(1).Expand(n, n).Reshape(-1);   // (n*n)
        var ys = c.Unsqueeze(0).Expand(n, n).Reshape(-1);   // (n*n)
        var p = Torch.Torch.Stack(new[] { xs, ys }, 1);      // (n*n, 2)
        return (p.MoveToOuterScope(), h * h);
    }

    /// <summary>log integral exp(logf) over [lo, hi]^2 by the midpoint rule, computed in log space (stable, differentiable).</summary>
    public static Tensor LogIntegrate2d(Func<Tensor, Tensor> logf, double lo, double hi, long n = 400)
    {
        var (p, area) = Grid2d(lo, hi, n);
        using var _ = p;
        using var s = Scope.Begin();
        var r = logf(p).LogSumExp(0) + Math.Log(area);
        return r.MoveToOuterScope();
    }
}
