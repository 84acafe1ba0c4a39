// Density.cs: IDensity — any normalised density in R^D that can be sampled (a proposal q, a fitted model) — and adapters for the existing mixtures.
using GenDsl.Distributions;
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// A normalised density on R^D that can be evaluated and sampled: the proposal q of importance sampling
/// (DS-GA 1008 final 1.6: the true ring GMM, a KDE or a fitted GMM), or a model compared on test likelihood.
/// </summary>
public interface IDensity
{
    /// <summary>The dimension D of a point.</summary>
    int D { get; }

    /// <summary>log q(x) for points x (N, D) -> (N), float64.</summary>
    Tensor LogProb(Tensor x);

    /// <summary>n draws (n, D), float64; randomness only from <paramref name="generator"/>.</summary>
    Tensor Sample(long n, Generator? generator = null);
}

/// <summary>Wraps the existing densities as <see cref="IDensity"/> (the wrapped object stays the caller's to dispose).</summary>
public static class Density
{
    /// <summary>A Gaussian mixture (e.g. <c>GaussianMixture.Ring(10, 10)</c>, the seed's q, or an EM fit).</summary>
    public static IDensity Of(GaussianMixture mixture) => new GmmDensity(mixture ?? throw new ArgumentNullException(nameof(mixture)));

    /// <summary>A distribution over vectors (BatchShape [D], e.g. <see cref="NormalMixture"/>); LogProb must return (N).</summary>
    public static IDensity Of(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        if (distribution.BatchShape.Length != 1)
            throw new ArgumentException($"Density.Of: a density over points needs a distribution with BatchShape [D]; got [{string.Join(", ", distribution.BatchShape)}]. " +
                                        "Use a mixture over vectors (NormalMixture) or write an IDensity", nameof(distribution));
        return new DistributionDensity(distribution);
    }

    private sealed class GmmDensity(GaussianMixture m) : IDensity
    {
        public int D => m.D;
        public Tensor LogProb(Tensor x) => m.LogProb(x);
        public Tensor Sample(long n, Generator? generator = null)
        {
            var (x, z) = m.Sample(n, generator);
            z.Dispose();
            return x;
        }
    }

    private sealed class DistributionDensity(Distribution d) : IDensity
    {
        public int D => checked((int)d.BatchShape[0]);
        public Tensor LogProb(Tensor x) => d.LogProb(x);
        public Tensor Sample(long n, Generator? generator = null)
        {
            using var x = d.Sample(n, generator);
            return x.To(ScalarType.Float64);
        }
    }
}
