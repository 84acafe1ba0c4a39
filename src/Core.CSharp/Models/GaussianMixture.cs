// GaussianMixture.cs: TEMPORARY minimal Gaussian mixture to the shared contract (the real one replaces this file at merge).
using GenDsl.Torch;

namespace GenDsl.Models;

public enum CovarianceType { Identity, Spherical, Diagonal, Full }
public enum GmmInit { Random, KMeansPlusPlus }

/// <summary>A Gaussian mixture: Weights (K), Means (K, D), Covariances (K, D, D). Stub implementation.</summary>
public sealed class GaussianMixture : IDisposable
{
    public GaussianMixture(Tensor weights, Tensor means, Tensor? covariances = null,
                           CovarianceType covarianceType = CovarianceType.Identity)
    {
        if (means.Dim != 2) throw new ArgumentException($"means must be (K, D), got rank {means.Dim}");
        K = (int)means.Size(0); D = (int)means.Size(1);
        if (weights.Dim != 1 || weights.Size(0) != K) throw new ArgumentException($"weights must be ({K},)");
        Weights = weights.Double().DetachFromScope();
        Means = means.Double().DetachFromScope();
        // (K, D, D)
        Covariances = (covariances ?? Torch.Torch.Eye(D, dtype: ScalarType.Float64).Unsqueeze(0).Repeat(K, 1, 1)).Double().DetachFromScope();
        CovarianceType = covarianceType;
    }

    public int K { get; }
    public int D { get; }
    public CovarianceType CovarianceType { get; }
    public Tensor Weights { get; }
    public Tensor Means { get; }
    public Tensor Covariances { get; }

    /// <summary>(N, K) log pi_k + log N(x_i | mu_k, Sigma_k).</summary>
    internal static Tensor JointLogProb(Tensor x, Tensor logWeights, Tensor means, Tensor covs)
    {
        var d = x.Size(1);
        var diff = x.Unsqueeze(1) - means.Unsqueeze(0);                       // (N, K, D)
        var prec = Linalg.Inv(covs);                                          // (K, D, D)
        var maha = (diff.Unsqueeze(2).MatMul(prec.Unsqueeze(0)).Squeeze(2) * diff).Sum(-1); // (N, K)
        var logdet = Linalg.SlogDet(covs).LogAbsDet;                          // (K,)
        return logWeights.Unsqueeze(0) - 0.5 * (maha + logdet.Unsqueeze(0) + d * Math.Log(2 * Math.PI));
    }

    public Tensor LogProb(Tensor x) => JointLogProb(x.Double(), Weights.Log(), Means, Covariances).LogSumExp(1);
    public double MeanLogLikelihood(Tensor x) { using var s = Scope.Begin(); return LogProb(x).Mean().ToDouble(); }
    public Tensor Responsibilities(Tensor x) => JointLogProb(x.Double(), Weights.Log(), Means, Covariances).Softmax(1);

    public (Tensor X, Tensor Z) Sample(long n, Generator? generator = null)
    {
        var z = Torch.Torch.Multinomial(Weights, n, replacement: true, generator: generator);  // (n,)
        var l = Linalg.Cholesky(Covariances);                                                 // (K, D, D)
        var eps = Torch.Torch.Randn(new[] { n, (long)D }, generator, ScalarType.Float64);     // (n, D)
        var x = Means.IndexSelect(0, z) + l.IndexSelect(0, z).MatMul(eps.Unsqueeze(-1)).Squeeze(-1);
        return (x, z);
    }

    public int NumParameters => (K - 1) + K * D + CovarianceType switch
    {
        CovarianceType.Identity => 0, CovarianceType.Spherical => K, CovarianceType.Diagonal => K * D,
        _ => K * D * (D + 1) / 2,
    };
    public double Aic(Tensor x) => 2 * NumParameters - 2 * MeanLogLikelihood(x) * x.Size(0);
    public double Bic(Tensor x) => NumParameters * Math.Log(x.Size(0)) - 2 * MeanLogLikelihood(x) * x.Size(0);

    public static GaussianMixture Ring(int k, double radius)
    {
        var m = new double[k * 2];
        for (var i = 0; i < k; i++) { m[2 * i] = radius * Math.Cos(2 * Math.PI * i / k); m[2 * i + 1] = radius * Math.Sin(2 * Math.PI * i / k); }
        return new GaussianMixture(Torch.Torch.Full(new long[] { k }, 1.0 / k, ScalarType.Float64), Torch.Torch.Tensor(m, k, 2));
    }

    public static GaussianMixture Cse599iP7() =>
        new(Torch.Torch.Full(new long[] { 3 }, 1.0 / 3, ScalarType.Float64),
            Torch.Torch.Tensor(new double[] { -2, 0, 1, 3, 2, -2 }, 3, 2));

    public void Dispose() { Weights.Dispose(); Means.Dispose(); Covariances.Dispose(); }
}

public sealed record GmmFitOptions
{
    public int K { get; init; } = 3;
    public CovarianceType Covariance { get; init; } = CovarianceType.Identity;
    public bool LearnWeights { get; init; } = true;
    public GmmInit Init { get; init; } = GmmInit.Random;
    public int NInit { get; init; } = 1;
    public double Tol { get; init; } = 0.0;
    public int MaxIter { get; init; } = 10;
    public double RegCovar { get; init; } = 1e-6;
    public double LearningRate { get; init; } = 1.0;
    public int BatchSize { get; init; } = 1;
    public int EvalEvery { get; init; } = 1;
    public ulong Seed { get; init; } = 0;
    public GaussianMixture? InitialModel { get; init; }
}

public enum GmmMethod { GradientAscent, Sgd, Em }
public readonly record struct GmmStep(int Iteration, double MeanLogLikelihood);
public sealed record GmmFitResult(GaussianMixture Model, IReadOnlyList<GmmStep> Curve, int Iterations, bool Converged);

/// <summary>Stub fits: EM (closed-form M-step), full-batch gradient ascent and SGD on the means (and weight logits).</summary>
public static class GaussianMixtureFit
{
    public static GmmFitResult Fit(Tensor x, GmmMethod method, GmmFitOptions options, Action<GmmStep>? onStep = null) => method switch
    {
        GmmMethod.Em => Em(x, options, onStep),
        GmmMethod.GradientAscent => GradientAscent(x, options, onStep),
        _ => Sgd(x, options, onStep),
    };

    private static void Validate(Tensor x, GmmFitOptions o)
    {
        if (x.Dim != 2) throw new ArgumentException($"data must be (N, D), got rank {x.Dim}");
        if (o.K < 1) throw new ArgumentException($"K must be >= 1, got {o.K}");
        if (x.Size(0) < o.K) throw new ArgumentException($"need N >= K points, got N={x.Size(0)} K={o.K}");
        if (o.LearningRate <= 0) throw new ArgumentException($"learning rate must be > 0, got {o.LearningRate}");
        if (o.BatchSize < 1) throw new ArgumentException($"batch size must be >= 1, got {o.BatchSize}");
    }

    private static GaussianMixture Initial(Tensor x, GmmFitOptions o, Generator g)
    {
        if (o.InitialModel is { } m) return new GaussianMixture(m.Weights.Clone(), m.Means.Clone(), m.Covariances.Clone(), o.Covariance);
        using var s = Scope.Begin();
        var w = Torch.Torch.Full(new long[] { o.K }, 1.0 / o.K, ScalarType.Float64);
        if (o.Init == GmmInit.Random)
            return new GaussianMixture(w, x.IndexSelect(0, Torch.Torch.RandPerm(x.Size(0), g).Slice(0, 0, o.K)));  // K random points
        // k-means++: each next centre drawn with probability proportional to the squared distance to the nearest centre.
        var centres = new List<Tensor> { x.IndexSelect(0, Torch.Torch.RandInt(0, x.Size(0), new long[] { 1 }, g)) };  // (1, D)
        while (centres.Count < o.K)
        {
            var c = Torch.Torch.Cat(centres, 0);                                                  // (k, D)
            var d2 = (x.Unsqueeze(1) - c.Unsqueeze(0)).Square().Sum(-1).Min(1).Values;            // (N,)
            centres.Add(x.IndexSelect(0, Torch.Torch.Multinomial(d2 + 1e-12, 1, generator: g)));
        }
        return new GaussianMixture(w, Torch.Torch.Cat(centres, 0));
    }

    public static GmmFitResult Em(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep = null)
    {
        if (o.NInit <= 1) return EmOnce(x, o, onStep);
        GmmFitResult? best = null;
        for (var i = 0; i < o.NInit; i++)
        {
            var r = EmOnce(x, o with { Seed = o.Seed + (ulong)i, NInit = 1 }, null);
            if (best is null || r.Curve[^1].MeanLogLikelihood > best.Curve[^1].MeanLogLikelihood) { best?.Model.Dispose(); best = r; }
            else r.Model.Dispose();
        }
        foreach (var st in best!.Curve) onStep?.Invoke(st);
        return best;
    }

    private static GmmFitResult EmOnce(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep)
    {
        Validate(x, o);
        x = x.Double();
        using var g = new Generator(o.Seed);
        var model = Initial(x, o, g);
        var curve = new List<GmmStep>();
        void Record(int k) { var st = new GmmStep(k, model.MeanLogLikelihood(x)); curve.Add(st); onStep?.Invoke(st); }
        Record(0);
        var converged = false; var it = 0;
        for (it = 1; it <= o.MaxIter; it++)
        {
            GaussianMixture next;
            using (var s = Scope.Begin())
            {
                var r = model.Responsibilities(x);                    // (N, K)
                var nk = r.Sum(0) + 1e-12;                            // (K,)
                var means = r.T.MatMul(x) / nk.Unsqueeze(1);          // (K, D)
                var w = o.LearnWeights ? nk / x.Size(0) : model.Weights;
                var covs = model.Covariances;
                if (o.Covariance != CovarianceType.Identity)
                {
                    var diff = x.Unsqueeze(1) - means.Unsqueeze(0);   // (N, K, D)
                    var full = (r.Unsqueeze(2).Unsqueeze(3) * diff.Unsqueeze(3) * diff.Unsqueeze(2)).Sum(0) / nk.View(-1, 1, 1); // (K, D, D)
                    var eye = Torch.Torch.Eye(x.Size(1), dtype: ScalarType.Float64);
                    covs = o.Covariance switch
                    {
                        CovarianceType.Diagonal => full.Diagonal(0, -2, -1).DiagEmbed(),
                        CovarianceType.Spherical => full.Diagonal(0, -2, -1).Mean(-1).View(-1, 1, 1) * eye,
                        _ => full,
                    } + o.RegCovar * eye;
                }
                next = new GaussianMixture(w, means, covs, o.Covariance);
            }
            var before = curve[^1].MeanLogLikelihood;
            model.Dispose(); model = next;
            Record(it);
            if (o.Tol > 0 && curve[^1].MeanLogLikelihood - before < o.Tol) { converged = true; break; }
        }
        return new GmmFitResult(model, curve, Math.Min(it, o.MaxIter), converged);
    }

    public static GmmFitResult GradientAscent(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep = null) => Gradient(x, o, onStep, stochastic: false);
    public static GmmFitResult Sgd(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep = null) => Gradient(x, o, onStep, stochastic: true);

    private static GmmFitResult Gradient(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep, bool stochastic)
    {
        Validate(x, o);
        x = x.Double();
        using var g = new Generator(o.Seed);
        var init = Initial(x, o, g);
        var means = init.Means.Clone().DetachFromScope().RequiresGrad_();
        var logits = init.Weights.Log().DetachFromScope().RequiresGrad_();
        var covs = init.Covariances.Clone().DetachFromScope();
        init.Dispose();
        var curve = new List<GmmStep>();
        double Ll(Tensor data) { using var s = Scope.Begin(); using var ng = Autograd.NoGrad(); return GaussianMixture.JointLogProb(data, logits.LogSoftmax(0), means, covs).LogSumExp(1).Mean().ToDouble(); }
        void Record(int k) { var st = new GmmStep(k, Ll(x)); curve.Add(st); onStep?.Invoke(st); }
        Record(0);
        for (var it = 1; it <= o.MaxIter; it++)
        {
            using (var s = Scope.Begin())
            {
                var batch = stochastic ? x.IndexSelect(0, Torch.Torch.RandInt(0, x.Size(0), new long[] { o.BatchSize }, g)) : x;  // (B, D)
                var ll = GaussianMixture.JointLogProb(batch, logits.LogSoftmax(0), means, covs).LogSumExp(1).Mean();
                var grads = Autograd.Grad(new[] { ll }, new[] { means, logits });
                using (Autograd.NoGrad())
                {
                    means.Add_(grads[0]!, o.LearningRate);
                    if (o.LearnWeights) logits.Add_(grads[1]!, o.LearningRate);
                }
            }
            if (it % o.EvalEvery == 0 || it == o.MaxIter) Record(it);
        }
        var model = new GaussianMixture(logits.Detach().Softmax(0), means.Detach(), covs, o.Covariance);
        means.Dispose(); logits.Dispose(); covs.Dispose();
        return new GmmFitResult(model, curve, o.MaxIter, false);
    }
}
