// Flows.cs: invertible maps with log|det J| — location-scale, linear (general/triangular), leaky-ReLU — and the change-of-variables density.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// A bijection x = g(z) on R^D acting on batches (N, D), with its inverse and log|det dg/dz| per row (N).
/// Change of variables: log p_x(x) = log p_z(g^{-1}(x)) - log|det J_g(g^{-1}(x))|.
/// </summary>
public interface IFlow
{
    Tensor Forward(Tensor z);
    Tensor Inverse(Tensor x);
    /// <summary>log|det dg/dz| at each row of z (N, D): (N).</summary>
    Tensor LogAbsDetJacobian(Tensor z);
}

public static class Flow
{
    /// <summary>log p_x(x) = log p_z(z) - log|det J_g(z)| with z = g^{-1}(x); baseLogProb maps (N, D) to (N).</summary>
    public static Tensor LogProb(IFlow flow, Func<Tensor, Tensor> baseLogProb, Tensor x)
    {
        using var s = Scope.Begin();
        var z = flow.Inverse(x);
        var r = baseLogProb(z) - flow.LogAbsDetJacobian(z);
        return r.MoveToOuterScope();
    }

    /// <summary>The standard normal log-density summed over the last dim: (N, D) -> (N).</summary>
    public static Tensor StandardNormalLogProb(Tensor z)
    {
        using var s = Scope.Begin();
        var r = (-0.5 * z.Square() - Distributions.Normal.HalfLog2Pi).Sum(-1);
        return r.MoveToOuterScope();
    }

    internal static void CheckRows(Tensor t, long d, string who)
    {
        if (t.Dim != 2 || t.Size(1) != d)
            throw new ArgumentException($"{who}: input must be (N, {d}), got [{string.Join(", ", t.Shape)}]; reshape a single point with .Unsqueeze(0)");
    }
}

/// <summary>
/// The location-scale (diagonal affine) flow g(z) = mu + sigma ⊙ z, sigma &gt; 0 (CSE 599i P1, Mila Q2.1):
/// J = diag(sigma), log|det J| = sum_k log sigma_k — O(K) to evaluate (Mila Q2.2); with z ~ N(0, I),
/// g(z) ~ N(mu, diag(sigma^2)).
/// </summary>
public sealed class AffineFlow : IFlow
{
    public Tensor Mu { get; }
    public Tensor Sigma { get; }

    public AffineFlow(Tensor mu, Tensor sigma)
    {
        if (mu.Dim != 1 || !mu.Shape.SequenceEqual(sigma.Shape))
            throw new ArgumentException("AffineFlow: mu and sigma must both be (D)");
        using var pos = sigma.Gt(0.0);
        using var all = pos.All();
        if (!all.Item<bool>()) throw new ArgumentException("AffineFlow: sigma must be > 0 (a zero scale is not invertible)");
        Mu = mu;
        Sigma = sigma;
    }

    public Tensor Forward(Tensor z) { using var t = z * Sigma; return t + Mu; }
    public Tensor Inverse(Tensor x) { using var t = x - Mu; return t / Sigma; }

    public Tensor LogAbsDetJacobian(Tensor z)
    {
        using var s = Scope.Begin();
        var r = Sigma.Log().Sum().Expand(z.Size(0)).Contiguous();
        return r.MoveToOuterScope();
    }
}

/// <summary>
/// The linear flow g(z) = mu + S z, S non-singular (K, K) (Mila Q2.3-2.4): J = S, so with z ~ N(0, I),
/// g(z) ~ N(mu, S S^T). log|det S| costs O(K^3) in general (slogdet, LU); for lower-triangular S it is
/// sum_i log|S_ii|, O(K).
/// </summary>
public sealed class LinearFlow : IFlow
{
    public Tensor Mu { get; }
    public Tensor S { get; }
    public bool LowerTriangular { get; }

    public LinearFlow(Tensor mu, Tensor s, bool lowerTriangular = false)
    {
        if (s.Dim != 2 || s.Size(0) != s.Size(1) || mu.Dim != 1 || mu.Size(0) != s.Size(0))
            throw new ArgumentException("LinearFlow: S must be (K, K) and mu (K)");
        if (lowerTriangular)
        {
            using var tri = s.Tril();
            if (!tri.Equal(s)) throw new ArgumentException("LinearFlow: lowerTriangular was set but S has entries above the diagonal");
        }
        Mu = mu;
        S = s;
        LowerTriangular = lowerTriangular;
    }

    public Tensor Forward(Tensor z) { using var t = z.MatMul(S.T); return t + Mu; }

    public Tensor Inverse(Tensor x)
    {
        using var s = Scope.Begin();
        var b = (x - Mu).T;                                                  // (K, N)
        var z = LowerTriangular ? Linalg.SolveTriangular(S, b, upper: false) : Linalg.Solve(S, b);
        var r = z.T.Contiguous();                                            // (N, K)
        return r.MoveToOuterScope();
    }

    /// <summary>log|det S|: the sum of log|diagonal| when triangular (O(K)), slogdet otherwise (O(K^3)).</summary>
    public Tensor LogAbsDet()
    {
        if (LowerTriangular)
        {
            using var d = S.Diagonal();
            using var a = d.Abs();
            using var l = a.Log();
            return l.Sum();
        }
        var (sign, logAbs) = Linalg.SlogDet(S);
        sign.Dispose();
        return logAbs;
    }

    public Tensor LogAbsDetJacobian(Tensor z)
    {
        using var l = LogAbsDet();
        using var e = l.Expand(z.Size(0));
        return e.Contiguous();
    }
}

/// <summary>
/// The elementwise leaky-ReLU flow of ECE 8803 P6: f(z)_i = z_i for z_i &gt; 0, slope * z_i otherwise (slope 0.1).
/// Inverse: f^{-1}(x)_i = x_i for x_i &gt; 0, x_i / slope otherwise.
/// J = diag(1[z_i &gt; 0] + slope 1[z_i &lt;= 0]), so |det J|^{-1} = prod_i (1 / slope)^{1[z_i &lt; 0]},
/// i.e. log|det J| = (number of negative z_i) * log(slope).
/// </summary>
public sealed class LeakyReluFlow : IFlow
{
    public double Slope { get; }

    public LeakyReluFlow(double slope = 0.1)
    {
        if (!(slope > 0)) throw new ArgumentOutOfRangeException(nameof(slope), $"slope must be > 0 for the map to be invertible, got {slope}");
        Slope = slope;
    }

    public Tensor Forward(Tensor z) => z.LeakyRelu(Slope);

    public Tensor Inverse(Tensor x) => x.LeakyRelu(1.0 / Slope);

    public Tensor LogAbsDetJacobian(Tensor z)
    {
        using var s = Scope.Begin();
        var neg = z.Lt(0.0).To(z.Dtype);
        var r = neg.Sum(-1) * Math.Log(Slope);
        return r.MoveToOuterScope();
    }
}
