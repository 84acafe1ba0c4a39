// GaussianMixtureInit.cs: the parameters a fit updates (GmmState) and how a fit starts (random points, k-means++, a given model).
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// The float64 parameters a fit works on, each owned here (outside every scope): log-weights (K), means (K, D) and the
/// covariance in its type's form — Identity: none; Spherical: variances (K); Diagonal: variances (K, D); Full: Cholesky L (K, D, D).
/// </summary>
internal sealed class GmmState : IDisposable
{
    public CovarianceType Type { get; }
    public Tensor LogWeights { get; private set; }
    public Tensor Means { get; private set; }
    public Tensor? Scale { get; private set; }

    public GmmState(CovarianceType type, Tensor logWeights, Tensor means, Tensor? scale)
    {
        Type = type;
        LogWeights = logWeights.DetachFromScope();
        Means = means.DetachFromScope();
        Scale = scale?.DetachFromScope();
    }

    /// <summary>Takes new parameters (tensors of the current scope; they leave it) and frees the old ones.</summary>
    public void Replace(Tensor logWeights, Tensor means, Tensor? scale)
    {
        if (!ReferenceEquals(logWeights, LogWeights)) { LogWeights.Dispose(); LogWeights = logWeights.DetachFromScope(); }
        Means.Dispose();
        Means = means.DetachFromScope();
        Scale?.Dispose();
        Scale = scale?.DetachFromScope();
    }

    /// <summary>Full covariances (K, D, D) from the scale: I, v_k I, diag(v_k) or L_k L_k^T.</summary>
    public static Tensor Covariances(CovarianceType type, Tensor? scale, long k, long d, Device device) => type switch
    {
        CovarianceType.Identity => Torch.Torch.Eye(d, null, ScalarType.Float64, device).Expand(k, d, d),
        CovarianceType.Spherical => scale!.Unsqueeze(1).Expand(k, d).DiagEmbed(),
        CovarianceType.Diagonal => scale!.DiagEmbed(),
        _ => scale!.MatMul(scale!.MT),
    };

    /// <summary>The model these parameters describe (a new object the caller owns).</summary>
    public GaussianMixture ToModel(bool fixedWeights)
    {
        using var s = Scope.Begin();
        var k = Means.Size(0);
        var d = Means.Size(1);
        var w = LogWeights.Exp();
        w = w / w.Sum();   // exact normalisation against rounding
        return new GaussianMixture(w, Means, Covariances(Type, Scale, k, d, Means.Device), Type) { FixedWeights = fixedWeights };
    }

    /// <summary>The scale of a covariance type from full covariances (K, D, D): projection onto the type (mean variance, diagonal, Cholesky).</summary>
    public static Tensor? ScaleOf(CovarianceType type, Tensor cov) => type switch
    {
        CovarianceType.Identity => null,
        CovarianceType.Spherical => cov.Diagonal(0, -2, -1).Mean(-1),
        CovarianceType.Diagonal => cov.Diagonal(0, -2, -1),
        _ => Linalg.Cholesky(cov),
    };

    public void Dispose()
    {
        LogWeights.Dispose();
        Means.Dispose();
        Scale?.Dispose();
    }
}

internal static class GmmInitialisation
{
    /// <summary>
    /// The starting parameters: InitialModel's when given (covariances projected onto the option's type); otherwise
    /// weights 1/K, means from <see cref="GmmInit"/>, and every covariance the data's own (its type's projection) plus RegCovar.
    /// </summary>
    internal static GmmState Start(Tensor x, GmmFitOptions o, Generator g)
    {
        using var s = Scope.Begin();
        if (o.InitialModel is { } m)
            return new GmmState(o.Covariance, m.Weights.Log(), m.Means.Clone(), GmmState.ScaleOf(o.Covariance, m.Covariances));
        var (n, d) = (x.Size(0), x.Size(1));
        var means = o.Init == GmmInit.KMeansPlusPlus ? KMeansPlusPlus(x, o.K, g) : RandomPoints(x, o.K, g);   // (K, D)
        var logW = Torch.Torch.Full(new long[] { o.K }, -Math.Log(o.K), ScalarType.Float64, x.Device);
        var xc = x - x.Mean(0);                                                                            // (N, D)
        var cov = xc.T.MatMul(xc) / (double)n;                                                             // (D, D)
        var scale = o.Covariance switch
        {
            CovarianceType.Identity => null,
            CovarianceType.Spherical => Torch.Torch.Full(new long[] { o.K }, cov.Diagonal().Mean().ToDouble() + o.RegCovar, ScalarType.Float64, x.Device),
            CovarianceType.Diagonal => (cov.Diagonal() + o.RegCovar).Unsqueeze(0).Expand(o.K, d).Contiguous(),
            _ => Cholesky(cov + Torch.Torch.Eye(d, null, ScalarType.Float64, x.Device) * o.RegCovar).Unsqueeze(0).Expand(o.K, d, d).Contiguous(),
        };
        return new GmmState(o.Covariance, logW, means, scale);
    }

    /// <summary>K distinct data points chosen uniformly at random (sklearn's 'random_from_data').</summary>
    internal static Tensor RandomPoints(Tensor x, int k, Generator g)
    {
        using var s = Scope.Begin();
        var idx = Torch.Torch.RandPerm(x.Size(0), g, x.Device).Narrow(0, 0, k);   // (K)
        return x.IndexSelect(0, idx).MoveToOuterScope();
    }

    /// <summary>
    /// k-means++ seeding (Arthur and Vassilvitskii 2007): the first centre uniformly at random, each next one a data point
    /// drawn with probability proportional to its squared distance to the nearest centre chosen so far.
    /// </summary>
    internal static Tensor KMeansPlusPlus(Tensor x, int k, Generator g)
    {
        using var s = Scope.Begin();
        var n = x.Size(0);
        var first = Torch.Torch.RandInt(0, n, new long[] { 1 }, g, null, x.Device);          // (1)
        var centres = new List<Tensor> { x.IndexSelect(0, first) };                          // each (1, D)
        var d2 = (x - centres[0]).Square().Sum(1);                                            // (N)
        for (var j = 1; j < k; j++)
        {
            var p = d2.Sum().ToDouble() > 0 ? d2 : Torch.Torch.OnesLike(d2);               // all points on the centres: uniform
            var next = Torch.Torch.Multinomial(p, 1, false, g);                               // (1)
            var c = x.IndexSelect(0, next);                                                   // (1, D)
            centres.Add(c);
            d2 = d2.Minimum((x - c).Square().Sum(1));
        }
        return Torch.Torch.Cat(centres, 0).MoveToOuterScope();                                // (K, D)
    }

    /// <summary>Cholesky factor with an actionable error when the matrix is not positive definite.</summary>
    internal static Tensor Cholesky(Tensor cov)
    {
        try { return Linalg.Cholesky(cov); }
        catch (TorchException e)
        {
            throw new InvalidOperationException($"a covariance matrix is not positive definite ({e.Message}); " +
                "raise GmmFitOptions.RegCovar (e.g. 1e-3), use fewer components, or a simpler covariance type", e);
        }
    }
}
