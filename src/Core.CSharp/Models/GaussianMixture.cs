// GaussianMixture.cs: the Gaussian mixture model — parameters, log-density (log-sum-exp), responsibilities, sampling, AIC/BIC.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>How each component's covariance is parameterised. Identity is the homework's Sigma_k = I (CSE 599i HW1 P4, P7).</summary>
public enum CovarianceType { Identity, Spherical, Diagonal, Full }

/// <summary>How a fit picks its initial means: Random = K distinct data points at random; KMeansPlusPlus = k-means++ seeding.</summary>
public enum GmmInit { Random, KMeansPlusPlus }

/// <summary>
/// A mixture of K Gaussians in R^D:
/// <code>
///   z ~ Categorical(pi),  x | z = k ~ N(mu_k, Sigma_k)
///   log p(x) = logsumexp_k [ log pi_k + log N(x; mu_k, Sigma_k) ]
///   log N(x; mu, Sigma) = -1/2 (x - mu)^T Sigma^{-1} (x - mu) - 1/2 log det Sigma - D/2 log 2 pi
/// </code>
/// (CSE 599i HW1 P4 and P7 with Sigma_k = I; DS-GA 1008 final 1.1 for the ring mixture.)
/// Full covariances go through the Cholesky factor L_k (Sigma_k = L_k L_k^T): the quadratic form is
/// |L_k^{-1}(x - mu_k)|^2 and log det Sigma_k = 2 sum_d log L_k[d,d]; identity, spherical and diagonal
/// covariances use the closed forms |x|^2 - 2 x.mu + |mu|^2 (scaled by the precisions) through one matmul.
/// Parameters are float64 copies the model owns (Weights (K), Means (K, D), Covariances (K, D, D), always full);
/// do not dispose them, dispose the model.
/// </summary>
public sealed class GaussianMixture : IDisposable
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);
    private readonly Tensor logWeights;   // (K)
    private readonly Tensor? scale;       // Spherical: variances (K); Diagonal: variances (K, D); Full: Cholesky factors (K, D, D)
    private readonly Tensor cholesky;     // (K, D, D), for sampling

    /// <summary>
    /// A mixture from its parameters: weights (K) non-negative summing to 1, means (K, D), covariances (K, D, D)
    /// symmetric positive definite (null = identity). The covariances must have the form the type says
    /// (identity, c_k I, diagonal, any SPD). The tensors are copied (as float64).
    /// </summary>
    public GaussianMixture(Tensor weights, Tensor means, Tensor? covariances = null,
                           CovarianceType covarianceType = CovarianceType.Identity)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        if (means.Dim != 2)
            throw new ArgumentException($"means must be (K, D); got shape [{string.Join(", ", means.Shape)}]", nameof(means));
        K = checked((int)means.Size(0));
        D = checked((int)means.Size(1));
        if (K < 1 || D < 1) throw new ArgumentException($"means must have K >= 1 rows and D >= 1 columns; got ({K}, {D})", nameof(means));
        if (weights.Dim != 1 || weights.Size(0) != K)
            throw new ArgumentException($"weights must be ({K}) to match means ({K}, {D}); got shape [{string.Join(", ", weights.Shape)}]", nameof(weights));
        if (covariances is not null && (covariances.Dim != 3 || covariances.Size(0) != K || covariances.Size(1) != D || covariances.Size(2) != D))
            throw new ArgumentException($"covariances must be ({K}, {D}, {D}); got shape [{string.Join(", ", covariances.Shape)}]", nameof(covariances));
        CovarianceType = covarianceType;

        using var s = Scope.Begin();
        var w = weights.Detach().To(ScalarType.Float64);
        var wv = w.ToArray<double>();
        if (wv.Any(v => !(v >= 0)))
            throw new ArgumentException($"weights must be non-negative; got [{string.Join(", ", wv)}]", nameof(weights));
        var total = wv.Sum();
        if (Math.Abs(total - 1) > 1e-6)
            throw new ArgumentException($"weights must sum to 1 (they sum to {total:R}); divide them by their sum", nameof(weights));
        var mu = means.Detach().To(ScalarType.Float64);
        var dev = mu.Device;
        var eye = Torch.Torch.Eye(D, null, ScalarType.Float64, dev);
        var cov = covariances is null ? eye.Expand(K, D, D) : covariances.Detach().To(dev, ScalarType.Float64); // (K, D, D)
        CheckForm(cov, covarianceType, eye);
        Tensor chol;
        try { chol = Linalg.Cholesky(cov); }
        catch (TorchException e)
        {
            throw new ArgumentException($"covariances must be symmetric positive definite ({e.Message}); add a small multiple of the identity", nameof(covariances));
        }

        Weights = Keep(w);
        Means = Keep(mu);
        Covariances = Keep(cov);
        logWeights = Keep(w.Log());
        cholesky = Keep(chol);
        scale = covarianceType switch
        {
            CovarianceType.Identity => null,
            CovarianceType.Spherical => Keep(cov.Diagonal(0, -2, -1).Mean(-1)),   // (K)
            CovarianceType.Diagonal => Keep(cov.Diagonal(0, -2, -1)),            // (K, D)
            _ => cholesky,
        };
    }

    private static Tensor Keep(Tensor t) => t.Contiguous().Clone().DetachFromScope();

    private static void CheckForm(Tensor cov, CovarianceType type, Tensor eye)
    {
        if (type == CovarianceType.Full) return;
        var diag = cov.Diagonal(0, -2, -1);                     // (K, D)
        var offDiag = cov - diag.DiagEmbed();
        var ok = type switch
        {
            CovarianceType.Identity => cov.AllClose(eye.ExpandAs(cov), 1e-9, 1e-12),
            CovarianceType.Diagonal => offDiag.Abs().Max().ToDouble() == 0,
            _ => offDiag.Abs().Max().ToDouble() == 0 && diag.AllClose(diag.Mean(-1, keepdim: true).ExpandAs(diag), 1e-9, 1e-12),
        };
        if (!ok)
            throw new ArgumentException($"covariances do not have the form CovarianceType.{type} requires " +
                "(Identity: I; Spherical: c_k I; Diagonal: diagonal matrices); pass CovarianceType.Full for general matrices", "covariances");
    }

    public int K { get; }
    public int D { get; }
    public CovarianceType CovarianceType { get; }
    /// <summary>Mixture weights pi (K), float64.</summary>
    public Tensor Weights { get; }
    /// <summary>Component means mu (K, D), float64.</summary>
    public Tensor Means { get; }
    /// <summary>Component covariances Sigma (K, D, D), float64, always stored full.</summary>
    public Tensor Covariances { get; }
    /// <summary>True when the weights were held fixed (not estimated): AIC/BIC then count no weight parameters.</summary>
    public bool FixedWeights { get; init; }

    /// <summary>
    /// Free parameters, as sklearn counts them: K D means, K - 1 weights (0 when <see cref="FixedWeights"/>),
    /// and covariances: 0 (identity), K (spherical), K D (diagonal), K D (D + 1) / 2 (full).
    /// </summary>
    public int NumParameters => K * D + (FixedWeights ? 0 : K - 1) + CovarianceType switch
    {
        CovarianceType.Identity => 0,
        CovarianceType.Spherical => K,
        CovarianceType.Diagonal => K * D,
        _ => K * D * (D + 1) / 2,
    };

    /// <summary>log N(x_i; mu_k, Sigma_k) for every point and component: (N, D) -> (N, K).</summary>
    public Tensor ComponentLogProb(Tensor x)
    {
        using var s = Scope.Begin();
        return ComponentLogProb(CheckData(x, nameof(x)), Means, CovarianceType, scale).MoveToOuterScope();
    }

    /// <summary>log pi_k + log N(x_i; mu_k, Sigma_k): (N, D) -> (N, K), the log joint log p(x_i, z = k).</summary>
    public Tensor LogJoint(Tensor x)
    {
        using var s = Scope.Begin();
        return (ComponentLogProb(x) + logWeights).MoveToOuterScope();
    }

    /// <summary>log p(x_i) = logsumexp_k [log pi_k + log N(x_i; mu_k, Sigma_k)]: (N, D) -> (N,).</summary>
    public Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        return LogJoint(x).LogSumExp(1).MoveToOuterScope();
    }

    /// <summary>(1/N) sum_i log p(x_i); the negative log-likelihood in nats per point is minus this.</summary>
    public double MeanLogLikelihood(Tensor x)
    {
        using var s = Scope.Begin();
        return LogProb(x).Mean().ToDouble();
    }

    /// <summary>The posterior q(z = k | x_i) = pi_k N(x_i; mu_k, Sigma_k) / p(x_i) (the E-step): (N, D) -> (N, K), rows sum to 1.</summary>
    public Tensor Responsibilities(Tensor x)
    {
        using var s = Scope.Begin();
        return LogJoint(x).Softmax(1).MoveToOuterScope();
    }

    /// <summary>
    /// n draws by ancestral sampling: z_i ~ Categorical(pi), x_i = mu_{z_i} + L_{z_i} eps_i with eps_i ~ N(0, I).
    /// Returns X (n, D) float64 and Z (n,) int64.
    /// </summary>
    public (Tensor X, Tensor Z) Sample(long n, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"n must be >= 0; got {n}", nameof(n));
        using var s = Scope.Begin();
        var z = n == 0 ? Torch.Torch.Zeros(new long[] { 0 }, ScalarType.Int64, Means.Device)
                       : Torch.Torch.Multinomial(Weights, n, replacement: true, generator);   // (n)
        var x = Draw(z, generator);
        return (x.MoveToOuterScope(), z.MoveToOuterScope());
    }

    /// <summary>
    /// <paramref name="perComponent"/> draws from each component in turn (component 0 first): the stratified
    /// sample of CSE 599i HW1 P7a (1000 points from each of 3 Gaussians). Returns X (K n, D) and Z (K n,).
    /// </summary>
    public (Tensor X, Tensor Z) SampleEach(long perComponent, Generator? generator = null)
    {
        if (perComponent < 0) throw new ArgumentException($"perComponent must be >= 0; got {perComponent}", nameof(perComponent));
        using var s = Scope.Begin();
        var z = Torch.Torch.Arange(0L, (long)K, 1L, ScalarType.Int64, Means.Device).Unsqueeze(1)
            .Expand(K, perComponent).Reshape(-1);                                     // (K n)
        var x = Draw(z, generator);
        return (x.MoveToOuterScope(), z.MoveToOuterScope());
    }

    private Tensor Draw(Tensor z, Generator? generator)
    {
        var n = z.Size(0);
        var eps = Torch.Torch.Randn(new long[] { n, D }, generator, ScalarType.Float64, Means.Device);   // (n, D)
        var l = cholesky.IndexSelect(0, z);                                                         // (n, D, D)
        return Means.IndexSelect(0, z) + l.Bmm(eps.Unsqueeze(2)).Squeeze(2);                        // (n, D)
    }

    /// <summary>Akaike's criterion -2 N LL + 2 p (lower is better), LL the mean log-likelihood, p = <see cref="NumParameters"/>.</summary>
    public double Aic(Tensor x) => -2.0 * x.Size(0) * MeanLogLikelihood(x) + 2.0 * NumParameters;

    /// <summary>Schwarz's criterion -2 N LL + p log N (lower is better).</summary>
    public double Bic(Tensor x) => -2.0 * x.Size(0) * MeanLogLikelihood(x) + NumParameters * Math.Log(x.Size(0));

    /// <summary>The ring mixture of DS-GA 1008 final 1.1: K equal weights, mu_k = R (cos 2 pi k / K, sin 2 pi k / K), Sigma_k = I.</summary>
    public static GaussianMixture Ring(int k, double radius)
    {
        if (k < 1) throw new ArgumentException($"k must be >= 1; got {k}", nameof(k));
        if (!(radius >= 0) || double.IsInfinity(radius)) throw new ArgumentException($"radius must be finite and >= 0; got {radius}", nameof(radius));
        var mu = new double[2 * k];
        for (var j = 0; j < k; j++)
        {
            mu[2 * j] = radius * Math.Cos(2 * Math.PI * j / k);
            mu[2 * j + 1] = radius * Math.Sin(2 * Math.PI * j / k);
        }
        return FromArrays(Enumerable.Repeat(1.0 / k, k).ToArray(), mu, 2);
    }

    /// <summary>The mixture of CSE 599i HW1 P7a: means (-2, 0), (1, 3), (2, -2), weights 1/3, identity covariances.</summary>
    public static GaussianMixture Cse599iP7() =>
        FromArrays(new[] { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, new[] { -2.0, 0, 1, 3, 2, -2 }, 2);

    private static GaussianMixture FromArrays(double[] weights, double[] means, int d)
    {
        using var s = Scope.Begin();
        return new GaussianMixture(Torch.Torch.Tensor(weights), Torch.Torch.Tensor(means, weights.Length, d));
    }

    /// <summary>Checks x is (N, D) for this model and returns it as float64 (a new tensor in the current scope when converted).</summary>
    internal Tensor CheckData(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.Dim != 2 || x.Size(1) != D)
            throw new ArgumentException($"{name} must be (N, {D}) for this {D}-dimensional mixture; got shape [{string.Join(", ", x.Shape)}]", name);
        return x.Dtype == ScalarType.Float64 ? x : x.To(ScalarType.Float64);
    }

    /// <summary>
    /// log N(x_i; mu_k, Sigma_k) as (N, K) from x (N, D), means (K, D) and the covariance in its type's form:
    /// Identity: null; Spherical: variances (K); Diagonal: variances (K, D); Full: Cholesky factors L (K, D, D).
    /// Differentiable in every argument (the gradient-ascent fits use it).
    /// </summary>
    internal static Tensor ComponentLogProb(Tensor x, Tensor means, CovarianceType type, Tensor? scale)
    {
        using var s = Scope.Begin();
        long d = x.Size(1);
        var c = -0.5 * d * Log2Pi;
        Tensor r;
        switch (type)
        {
            case CovarianceType.Identity:
                r = SquaredDistances(x, means) * -0.5 + c;                                    // (N, K)
                break;
            case CovarianceType.Spherical:
            {
                var v = scale!;                                                              // (K)
                r = SquaredDistances(x, means) / v * -0.5 - v.Log() * (0.5 * d) + c;
                break;
            }
            case CovarianceType.Diagonal:
            {
                var prec = scale!.Reciprocal();                                              // (K, D)
                // sum_d (x_d - mu_d)^2 / v_d = x^2 . prec - 2 x . (mu prec) + sum_d mu_d^2 prec_d
                var q = x.Square().MatMul(prec.T) - x.MatMul((means * prec).T) * 2.0 + (means.Square() * prec).Sum(1);   // (N, K)
                r = q.ClampMin(0) * -0.5 - scale.Log().Sum(1) * 0.5 + c;
                break;
            }
            default:
            {
                // One component at a time, so the temporaries are (N, D), never (K, N, D): peak memory O(N K + N D).
                var l = scale!;                                                              // (K, D, D)
                var k = means.Size(0);
                var quad = new Tensor[k];
                for (long j = 0; j < k; j++)
                {
                    using var sj = Scope.Begin();
                    var diff = (x - means.Select(0, j)).T;                                   // (D, N)
                    var z = Linalg.SolveTriangular(l.Select(0, j), diff, upper: false);      // (D, N) = L_k^{-1} (x_i - mu_k)
                    quad[j] = z.Square().Sum(0).MoveToOuterScope();                          // (N) = (x_i - mu_k)^T Sigma_k^{-1} (x_i - mu_k)
                }
                var logDet = l.Diagonal(0, -2, -1).Log().Sum(1) * 2.0;                       // (K)
                r = Torch.Torch.Stack(quad, 1) * -0.5 - logDet * 0.5 + c;                    // (N, K)
                break;
            }
        }
        return r.MoveToOuterScope();
    }

    /// <summary>|x_i - mu_k|^2 as (N, K) by |x|^2 - 2 x.mu + |mu|^2 (one matmul), clamped at 0 against rounding.</summary>
    private static Tensor SquaredDistances(Tensor x, Tensor means) =>
        (x.Square().Sum(1, keepdim: true) - x.MatMul(means.T) * 2.0 + means.Square().Sum(1)).ClampMin(0);

    public void Dispose()
    {
        foreach (var t in new[] { Weights, Means, Covariances, logWeights, cholesky, scale })
            t?.Dispose();
    }
}
