// GanDynamics.cs: gradient descent-ascent on a two-player value function; V(d, g) = d g (Mila Q6): update matrix, eigenvalues, simulation.
using GenDsl.Torch;

namespace GenDsl.Models;

public enum GdaScheme
{
    /// <summary>d and g both step from the same (d_k, g_k).</summary>
    Simultaneous,
    /// <summary>d steps first; g then steps from (d_{k+1}, g_k).</summary>
    Alternating,
}

/// <summary>
/// The discriminator d ascends and the generator g descends V(d, g) with learning rate alpha. For V = d g
/// (Mila Q6), dV/dd = g and dV/dg = d, so simultaneous GDA is
///   [d_{k+1}, g_{k+1}]^T = A [d_k, g_k]^T,  A = [[1, alpha], [-alpha, 1]],
/// whose only fixed point is (0, 0) (A - I = [[0, alpha], [-alpha, 0]] is invertible for alpha != 0) and whose
/// eigenvalues are 1 ± i alpha with |lambda| = sqrt(1 + alpha^2) &gt; 1: the iterates spiral outwards,
/// |(d_k, g_k)| = (1 + alpha^2)^{k/2} |(d_0, g_0)|. Alternating GDA gives A = [[1, alpha], [-alpha, 1 - alpha^2]]
/// with det A = 1: for alpha &lt; 2 its eigenvalues lie on the unit circle and the iterates stay bounded.
/// </summary>
public static class GanDynamics
{
    /// <summary>V(d, g) = d g.</summary>
    public static Tensor BilinearValue(Tensor d, Tensor g) => d * g;

    /// <summary>The 2x2 update matrix for V = d g as a float64 tensor.</summary>
    public static Tensor UpdateMatrix(double alpha, GdaScheme scheme = GdaScheme.Simultaneous)
    {
        var a = scheme == GdaScheme.Simultaneous
            ? new[] { 1, alpha, -alpha, 1 }
            : new[] { 1, alpha, -alpha, 1 - alpha * alpha };
        return Torch.Torch.Tensor<double>(a, 2, 2);
    }

    /// <summary>
    /// Runs GDA for <paramref name="steps"/> steps on any value function, taking gradients by autograd.
    /// Returns the trajectory (steps + 1, 2) of (d_k, g_k).
    /// </summary>
    public static Tensor Simulate(double d0, double g0, double alpha, int steps, GdaScheme scheme = GdaScheme.Simultaneous,
        Func<Tensor, Tensor, Tensor>? value = null)
    {
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), $"learning rate must be > 0, got {alpha}");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be >= 0");
        var v = value ?? BilinearValue;
        var traj = new double[(steps + 1) * 2];
        double d = d0, g = g0;
        traj[0] = d; traj[1] = g;
        (double Dd, double Dg) Grads(double dv, double gv)
        {
            using var s = Scope.Begin();
            var dt = Torch.Torch.Scalar(dv, ScalarType.Float64).RequiresGrad_();
            var gt = Torch.Torch.Scalar(gv, ScalarType.Float64).RequiresGrad_();
            var gr = Autograd.Grad(new[] { v(dt, gt) }, new[] { dt, gt }, allowUnused: true);
            return (gr[0]?.ToDouble() ?? 0, gr[1]?.ToDouble() ?? 0);
        }
        for (var k = 1; k <= steps; k++)
        {
            var (gd, gg) = Grads(d, g);
            if (scheme == GdaScheme.Simultaneous)
            {
                (d, g) = (d + alpha * gd, g - alpha * gg);
            }
            else
            {
                d += alpha * gd;
                g -= alpha * Grads(d, g).Dg;
            }
            traj[2 * k] = d; traj[2 * k + 1] = g;
        }
        return Torch.Torch.Tensor<double>(traj, steps + 1, 2);
    }
}
