// Distribution.cs: the base of every distribution (sample with an explicit generator, log-density) and shared argument checks.
using GenDsl.Torch;

namespace GenDsl.Distributions;

/// <summary>
/// A probability distribution with a batch of parameters (PyTorch's torch.distributions in spirit):
/// <c>Sample(n, g)</c> draws n samples, shape (n, *BatchShape); <c>LogProb(x)</c> is the log-density
/// (or log-mass) of x, broadcast against the parameters.
/// </summary>
public abstract class Distribution
{
    /// <summary>The shape of the parameter batch (the shape of one draw).</summary>
    public abstract long[] BatchShape { get; }

    /// <summary>n independent draws, shape (n, *BatchShape). Randomness only through <paramref name="generator"/>.</summary>
    public abstract Tensor Sample(long n, Generator? generator = null);

    /// <summary>log p(x) elementwise, shape broadcast(x, BatchShape).</summary>
    public abstract Tensor LogProb(Tensor x);

    /// <summary>p(x) = exp(LogProb(x)).</summary>
    public Tensor Prob(Tensor x)
    {
        using var lp = LogProb(x);
        return lp.Exp();
    }

    internal static long[] SampleShape(long n, long[] batch)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"number of samples must be >= 1, got {n}");
        return new[] { n }.Concat(batch).ToArray();
    }

    /// <summary>A float64 0-d tensor from a double (parameters given as numbers are float64); it lives as long as the distribution, outside any scope.</summary>
    internal static Tensor Num(double v) => Torch.Torch.Scalar(v, ScalarType.Float64).DetachFromScope();

    /// <summary>The shape two parameter tensors broadcast to (PyTorch's rules), from their shapes alone.</summary>
    internal static long[] BroadcastShape(Tensor a, Tensor b) =>
        Torch.Torch.TryBroadcastShapes(a.Shape, b.Shape)
        ?? throw new ArgumentException($"parameter shapes [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}] do not broadcast");

    internal static void RequirePositive(Tensor t, string name)
    {
        using var ok = t.Gt(0.0);
        using var all = ok.All();
        if (!all.Item<bool>()) throw new ArgumentException($"{name} must be > 0 everywhere");
    }

    /// <summary>Uniform draws on the open interval (0, 1), never exactly 0 or 1 (so log log 1/u is finite).</summary>
    internal static Tensor OpenUniform(long[] shape, Generator? g, ScalarType dtype)
    {
        using var u = Torch.Torch.Rand(shape, g, dtype);
        var eps = dtype == ScalarType.Float64 ? 1e-300 : 1e-38;
        return u.Clamp(eps, dtype == ScalarType.Float64 ? 1 - 1e-16 : 1 - 1e-7);
    }
}
