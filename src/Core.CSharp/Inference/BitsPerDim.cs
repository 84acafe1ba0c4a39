// BitsPerDim.cs: discrete 8-bit data under continuous densities — uniform dequantisation and bits per dim (ECE 8803 PS2 P4).
using GenDsl.Torch;

namespace GenDsl.Inference;

/// <summary>
/// A density p on [0, 1]^D scores 8-bit data k in {0..255}^D through uniform dequantisation x = (k + u) / 256,
/// u ~ U[0, 1)^D. The discrete model P(k) = integral over the cell [k/256, (k+1)/256)^D of p(x) dx satisfies, by Jensen,
/// <code>
/// log P(k) &gt;= E_u[log p((k + u) / 256)] + log(256^-D) = LL - D ln 256,
/// bits/dim = -(LL - D ln 256) / (D ln 2) = (D ln 256 - LL) / (D ln 2),
/// </code>
/// where LL is the log-density in nats of the dequantised x in [0, 1]^D (what Nice.LogProb returns). The uniform
/// density (LL = 0) gives exactly 8 bits/dim; every nat of LL per dim saves 1/ln 2 bits.
/// </summary>
public static class BitsPerDim
{
    /// <summary>(D ln L - LL) / (D ln 2) for a log-density LL in nats on [0, 1]^D and L levels (256 for 8 bits).</summary>
    public static double FromLogDensity(double logLik, long dims, int levels = 256)
    {
        Check(dims, levels);
        return (dims * Math.Log(levels) - logLik) / (dims * Math.Log(2));
    }

    /// <summary>The elementwise version for a (B) tensor of log-densities.</summary>
    public static Tensor FromLogDensity(Tensor logLik, long dims, int levels = 256)
    {
        Check(dims, levels);
        using var t = (dims * Math.Log(levels)) - logLik;
        return t / (dims * Math.Log(2));
    }

    /// <summary>
    /// Uniform dequantisation of images scaled to [0, 1] by /(L - 1) (ToTensor's pixel / 255):
    /// x = (pixel + u) / L = (x (L - 1) + u) / L with u ~ U[0, 1) from the generator; the result lies in [0, 1).
    /// </summary>
    public static Tensor Dequantize(Tensor x, Generator? generator, int levels = 256)
    {
        Check(1, levels);
        using var s = Scope.Begin();
        var u = Torch.Torch.Rand(x.Shape, generator, x.Dtype, x.Device);
        var r = (x * (levels - 1) + u) / levels;
        return r.MoveToOuterScope();
    }

    private static void Check(long dims, int levels)
    {
        if (dims < 1) throw new ArgumentException($"BitsPerDim: dims must be positive, got {dims}");
        if (levels < 2) throw new ArgumentException($"BitsPerDim: levels must be at least 2 (256 for 8-bit data), got {levels}");
    }
}
