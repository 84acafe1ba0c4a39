// BernoulliMixtureFit.cs: EM for the Bernoulli mixture on image-sized data (ECE 8803 P3): options, starts, the fast loop, the curve.
using System.Diagnostics;
using GenDsl.Data;
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// Where EM starts. UnitLength: ECE 8803 P3's "p_k ~ Uniform(0, 1), normalised to unit length; pi_k = 1/K".
/// Over D = 784 pixels the row norm is about sqrt(D/3) = 16, so every p_kd starts in (0, 0.07) (mean 0.03,
/// against MNIST's mean pixel 0.13): all components start as near-blank images that differ only by noise.
/// DataMeans: p_k = (1 - s) * (the mean of InitImages random images) + s * 0.5, pi_k = 1/K, so each component
/// starts near a few real digits, shrunk by s toward 0.5 so that no pixel starts at 0 or 1.
/// </summary>
public enum BmmInit { UnitLength, DataMeans }

/// <summary>Options of a Bernoulli-mixture EM fit; the defaults are ECE 8803 P3's (20 iterations, alpha1 = alpha2 = 1e-8).</summary>
public sealed record BmmFitOptions
{
    public int K { get; init; } = 10;
    /// <summary>EM iterations; the curve has points 0..Iterations (fewer when Tol stops it).</summary>
    public int Iterations { get; init; } = 20;
    /// <summary>Stop when the mean log-likelihood per image rises by less than this (0 = run every iteration).</summary>
    public double Tol { get; init; }
    /// <summary>Dirichlet smoothing of p: p_k = (sum_i eta_ik x_i + alpha1) / (N_k + alpha1 D).</summary>
    public double Alpha1 { get; init; } = 1e-8;
    /// <summary>Dirichlet smoothing of pi: pi_k = (N_k + alpha2) / (N + alpha2 K).</summary>
    public double Alpha2 { get; init; } = 1e-8;
    public BmmInit Init { get; init; } = BmmInit.UnitLength;
    /// <summary>DataMeans: how many random images each component's start averages.</summary>
    public int InitImages { get; init; } = 5;
    /// <summary>DataMeans: the weight s of 0.5 in p_k = (1 - s) mean + s 0.5.</summary>
    public double InitShrink { get; init; } = 0.5;
    /// <summary>
    /// The type of the two big matmuls (N, D) x (D, K) and (K, N) x (N, D); the parameters stay float64. Float32
    /// (default) runs about twice as fast (bench/bmm) with log-likelihoods equal to float64's to about 1e-6 relative.
    /// </summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;
    public ulong Seed { get; init; }
    /// <summary>Start from this model instead of <see cref="Init"/> (the caller keeps owning it).</summary>
    public BernoulliMixture? InitialModel { get; init; }
}

/// <summary>Iteration t (0 = the start), log P(X) over all N images, the same per image, and seconds since the fit began.</summary>
public readonly record struct BmmStep(int Iteration, double LogLikelihood, double MeanLogLikelihood, double Seconds);

/// <summary>The fitted model (the caller owns it), the curve, the number of M-steps made, and whether Tol stopped it.</summary>
public sealed record BmmFitResult(BernoulliMixture Model, IReadOnlyList<BmmStep> Curve, int Iterations, bool Converged);

public sealed partial class BernoulliMixture
{
    /// <summary>ECE 8803 P3's start: each p_k uniform(0,1) then scaled to unit Euclidean length; pi_k = 1/K.</summary>
    public static BernoulliMixture InitUnitLength(int k, int d, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var u = Torch.Torch.Rand(new long[] { k, d }, generator, ScalarType.Float64);
        var p = u / u.Norm(2, new long[] { 1 }, keepdim: true);
        var w = Torch.Torch.Full(new long[] { k }, 1.0 / k, ScalarType.Float64);
        return new BernoulliMixture(w, p);
    }

    /// <summary>p_k = (1 - shrink) * mean of <paramref name="images"/> distinct random rows of x + shrink * 0.5; pi_k = 1/K.</summary>
    public static BernoulliMixture InitDataMeans(Tensor x, int k, int images, double shrink, Generator generator)
    {
        if (x.Dim != 2) throw new ArgumentException($"InitDataMeans: data must be (N, D), got [{string.Join(", ", x.Shape)}]");
        if (images < 1 || (long)images * k > x.Size(0))
            throw new ArgumentException($"InitDataMeans: {k} components x {images} images need that many rows, the data has {x.Size(0)}; lower InitImages");
        if (!(shrink >= 0 && shrink <= 1)) throw new ArgumentException($"InitDataMeans: shrink must be in [0, 1], got {shrink}");
        using var s = Scope.Begin();
        var idx = Torch.Torch.RandPerm(x.Size(0), generator).Narrow(0, 0, (long)k * images);
        var means = x.IndexSelect(0, idx).Double().Reshape(k, images, x.Size(1)).Mean(1);   // (K, images, D) -> (K, D)
        var p = means * (1 - shrink) + 0.5 * shrink;
        var w = Torch.Torch.Full(new long[] { k }, 1.0 / k, ScalarType.Float64);
        return new BernoulliMixture(w, p);
    }

    /// <summary>
    /// EM (ECE 8803 P2-P3) on x (N, D) of 0/1 values for o.Iterations steps, reporting log P(X) at iterations 0..T
    /// through <paramref name="onIteration"/> and in the result's curve. Each iteration is one E-step, whose
    /// log-sum-exp also gives that iteration's log-likelihood, and one smoothed M-step:
    ///   eta_ik = softmax_k(x_i . (log p_k - log(1 - p_k)) + sum_d log(1 - p_kd) + log pi_k)    (N, D) x (D, K)
    ///   N_k = sum_i eta_ik,  p_k = (sum_i eta_ik x_i + alpha1) / (N_k + alpha1 D)                (K, N) x (N, D)
    ///   pi_k = (N_k + alpha2) / (N + alpha2 K).
    /// No (N, K, D) tensor is formed.
    /// </summary>
    public static BmmFitResult Fit(Tensor x, BmmFitOptions o, Action<BmmStep>? onIteration = null)
    {
        Validate(x, o);
        using var g = new Generator(o.Seed);
        var init = o.InitialModel ?? (o.Init == BmmInit.UnitLength
            ? InitUnitLength(o.K, (int)x.Size(1), g)
            : InitDataMeans(x, o.K, o.InitImages, o.InitShrink, g));
        return Run(x, init, o, onIteration, ownsInit: o.InitialModel is null);
    }

    /// <summary>EM on every example of a data set (flattened to (N, D)); random treatments draw once from a generator seeded by o.Seed.</summary>
    public static BmmFitResult Fit(IDataset data, BmmFitOptions o, Action<BmmStep>? onIteration = null)
    {
        using var s = Scope.Begin();
        using var g = new Generator(o.Seed);
        var all = new long[data.Count];
        for (long i = 0; i < all.LongLength; i++) all[i] = i;
        var x = data.Batch(all, g).Reshape(data.Count, -1);   // (N, D)
        return Fit(x, o, onIteration);
    }

    /// <summary>The pre-options form: x, K, iterations; the curve holds log P(X) at iterations 0..iterations. Runs in float64.</summary>
    public static (BernoulliMixture Model, IReadOnlyList<double> LogLikelihoods) Fit(Tensor x, int k, int iterations,
        Generator? generator = null, double alpha1 = 1e-8, double alpha2 = 1e-8, BernoulliMixture? init = null)
    {
        var o = new BmmFitOptions { K = k, Iterations = iterations, Alpha1 = alpha1, Alpha2 = alpha2, Dtype = ScalarType.Float64 };
        Validate(x, o);
        var m = init ?? InitUnitLength(k, (int)x.Size(1), generator);
        var r = Run(x, m, o, null, ownsInit: init is null);
        return (r.Model, r.Curve.Select(c => c.LogLikelihood).ToList());
    }

    private static BmmFitResult Run(Tensor x, BernoulliMixture init, BmmFitOptions o, Action<BmmStep>? onIteration, bool ownsInit)
    {
        if (init.K != o.K || init.D != x.Size(1))
            throw new ArgumentException($"BmmFitOptions.InitialModel: K = {init.K}, D = {init.D}, but the fit needs K = {o.K}, D = {x.Size(1)}");
        var sw = Stopwatch.StartNew();
        var curve = new List<BmmStep>();
        long n = x.Size(0), d = x.Size(1);
        using var outer = Scope.Begin();
        var xw = x.Dtype == o.Dtype ? x : x.To(o.Dtype);   // (N, D) in the working type, converted once
        var m = init;
        var converged = false;
        var t = 0;
        for (; ; t++)
        {
            using var s = Scope.Begin();
            var (wT, c) = m.LinearForm(o.Dtype);
            var lj = xw.MatMul(wT).Add_(c);               // (N, K) log pi_k + log P(x_i | p_k)
            var lse = lj.LogSumExp(1, keepdim: true);      // (N, 1) log P(x_i)
            var ll = lse.Sum(null, false, ScalarType.Float64).ToDouble();
            var step = new BmmStep(t, ll, ll / n, sw.Elapsed.TotalSeconds);
            curve.Add(step);
            onIteration?.Invoke(step);
            if (t > 0 && o.Tol > 0 && Math.Abs(step.MeanLogLikelihood - curve[^2].MeanLogLikelihood) < o.Tol) { converged = true; break; }
            if (t == o.Iterations) break;
            var eta = lj.Sub_(lse).Exp();                 // (N, K) responsibilities
            var nk = eta.Sum(new long[] { 0 }, false, ScalarType.Float64);   // (K)
            // sum_i eta_ik x_i <= N_k in exact arithmetic; the clamp only stops float32 rounding from pushing p past 1
            var sx = eta.T.MatMul(xw).Double().Minimum(nk.Unsqueeze(1)).ClampMin(0);   // (K, D)
            var p = (sx + o.Alpha1) / (nk.Unsqueeze(1) + o.Alpha1 * d);
            var w = (nk + o.Alpha2) / (nk.Sum() + o.Alpha2 * o.K);
            var next = new BernoulliMixture(w, p);
            if (m != init || ownsInit) m.Dispose();
            m = next;
        }
        return new BmmFitResult(m, curve, t, converged);
    }

    private static void Validate(Tensor x, BmmFitOptions o)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(o);
        static void Fail(string option, string message) => throw new ArgumentException($"BmmFitOptions.{option}: {message}", option);
        if (o.K < 1) Fail(nameof(o.K), $"the number of components must be at least 1 (got {o.K})");
        if (o.Iterations < 0) Fail(nameof(o.Iterations), $"must be >= 0 (got {o.Iterations})");
        if (!(o.Tol >= 0)) Fail(nameof(o.Tol), $"must be >= 0; 0 runs every iteration (got {o.Tol})");
        if (!(o.Alpha1 >= 0) || !(o.Alpha2 >= 0)) Fail(nameof(o.Alpha1), $"the smoothing parameters must be >= 0 (got {o.Alpha1}, {o.Alpha2})");
        if (o.Dtype is not (ScalarType.Float32 or ScalarType.Float64)) Fail(nameof(o.Dtype), $"must be Float32 or Float64 (got {o.Dtype})");
        if (x.Dim != 2 || x.Size(0) < 1)
            throw new ArgumentException($"BernoulliMixture.Fit: data must be a non-empty (N, D) matrix of 0/1 values, got [{string.Join(", ", x.Shape)}]; flatten images first", nameof(x));
    }
}
