// SquareCentreDistance.cs: the distance from (1,1) of a uniform point on [0,2]^2 (ECE 8803 P5c), density by geometry.
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// Z = |U - (1, 1)| for U uniform on [0, 2]^2. P(Z &lt;= z) is the area of the disc of radius z inside the square over 4,
/// so f(z) = (length of the circle of radius z inside the square) / 4:
///   f(z) = pi z / 2 on [0, 1];  z (pi/2 - 2 arccos(1/z)) on (1, sqrt 2];  0 elsewhere.
/// </summary>
public sealed class SquareCentreDistance : Distribution
{
    public override long[] BatchShape => Array.Empty<long>();

    /// <summary>n draws: a uniform point on [0, 2]^2, then its distance from (1, 1). Returns (n).</summary>
    public override Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var u = Torch.Torch.Rand(new[] { n, 2L }, generator, ScalarType.Float64) * 2.0; // (n, 2)
        var r = (u - 1.0).Square().Sum(1).Sqrt();
        return r.MoveToOuterScope();
    }

    /// <summary>The density at one point. At z = sqrt 2 exactly the formula rounds to -3e-16 (whose log is NaN), so the
    /// end point takes the zero branch.</summary>
    public static double Density(double z) =>
        z < 0 || z >= Math.Sqrt(2) ? 0
        : z <= 1 ? Math.PI * z / 2
        : z * (Math.PI / 2 - 2 * Math.Acos(1 / z));

    /// <summary>
    /// P(Z &lt;= z) = (area of the disc of radius z inside the square) / 4: pi z^2 / 4 on [0, 1]; beyond, the disc loses four
    /// circular segments of area z^2 arccos(1/z) - sqrt(z^2 - 1), so F(z) = pi z^2 / 4 - z^2 arccos(1/z) + sqrt(z^2 - 1).
    /// </summary>
    public static double Cdf(double z) =>
        z <= 0 ? 0
        : z <= 1 ? Math.PI * z * z / 4
        : z >= Math.Sqrt(2) ? 1
        : Math.PI * z * z / 4 - z * z * Math.Acos(1 / z) + Math.Sqrt(z * z - 1);

    /// <summary>log f(z), -inf outside [0, sqrt 2].</summary>
    public override Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var v = x.To(ScalarType.Float64).Cpu().ToArray<double>().Select(z => Math.Log(Density(z))).ToArray();
        var r = Torch.Torch.Tensor<double>(v).Reshape(x.Shape);
        return r.MoveToOuterScope();
    }
}
