// ModeCoverage.cs: discriminator-free sample metrics on a known mixture — modes covered within 3 sigma, and the mean NLL of samples under the truth.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// How well samples cover a known mixture with modes mu_k and isotropic standard deviation sigma (the ring of DS-GA 1008
/// 1.1, used for the GAN of Mila Q6): mode k is covered when at least one sample lies within <c>within</c> sigma of mu_k
/// (|x - mu_k| &lt;= 3 sigma by default); the quality of the samples is their mean negative log-likelihood under the truth.
/// </summary>
public static class ModeCoverage
{
    /// <summary>For each mode k, the number of samples with |x - mu_k| &lt;= within x sigma: samples (n, D), modes (K, D) -> long[K].</summary>
    public static long[] CountsPerMode(Tensor samples, Tensor modes, double sigma = 1.0, double within = 3.0)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(modes);
        if (modes.Dim != 2) throw new ArgumentException($"ModeCoverage: modes must be (K, D); got shape [{string.Join(", ", modes.Shape)}]", nameof(modes));
        if (samples.Dim != 2 || samples.Size(1) != modes.Size(1))
            throw new ArgumentException($"ModeCoverage: samples must be (n, {modes.Size(1)}) like the modes; got shape [{string.Join(", ", samples.Shape)}]", nameof(samples));
        if (!(sigma > 0) || !(within > 0)) throw new ArgumentException($"ModeCoverage: sigma and within must be > 0; got {sigma} and {within}");
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        var x = samples.Detach().To(ScalarType.Float64);
        var mu = modes.Detach().To(x.Device, ScalarType.Float64);
        var dist2 = (x.Unsqueeze(1) - mu.Unsqueeze(0)).Square().Sum(2);                  // (n, K, D) -> (n, K)
        var r = within * sigma;
        return dist2.Le(r * r).Sum(new[] { 0L }, dtype: ScalarType.Int64).ToArray<long>();           // (K)
    }

    /// <summary>How many of the K modes have at least one sample within <c>within</c> sigma.</summary>
    public static int Covered(Tensor samples, Tensor modes, double sigma = 1.0, double within = 3.0) =>
        CountsPerMode(samples, modes, sigma, within).Count(c => c > 0);

    /// <summary>-(1/n) sum log p(x_i) of the samples under the true density (lower is better; the truth's own samples give its entropy).</summary>
    public static double MeanNll(Tensor samples, IDensity truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        return -truth.LogProb(samples.Detach().To(ScalarType.Float64)).Mean().ToDouble();
    }
}
