// GaussianMixtureOptions.cs: the options, method choice and results of a Gaussian-mixture fit, and their validation.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// Options of a mixture fit, named after sklearn's GaussianMixture where they have a counterpart
/// (n_components, covariance_type, init_params, n_init, tol, max_iter, reg_covar). The defaults are CSE 599i HW1 P7:
/// K = 3, identity covariances, 10 iterations (the homework also fixes the weights at 1/K: LearnWeights = false).
/// </summary>
public sealed record GmmFitOptions
{
    /// <summary>Number of components (K >= 1, and at most the number of points).</summary>
    public int K { get; init; } = 3;
    public CovarianceType Covariance { get; init; } = CovarianceType.Identity;
    /// <summary>false: the weights stay at 1/K (or at InitialModel's weights), as in CSE 599i HW1 P7.</summary>
    public bool LearnWeights { get; init; } = true;
    public GmmInit Init { get; init; } = GmmInit.Random;
    /// <summary>Restarts from fresh initialisations; the one with the best final mean log-likelihood wins.</summary>
    public int NInit { get; init; } = 1;
    /// <summary>Stop when the mean log-likelihood changes by less than this between evaluations (0 = never).</summary>
    public double Tol { get; init; } = 0.0;
    /// <summary>Updates: EM/gradient-ascent iterations, or SGD steps. The curve has points k = 0..MaxIter.</summary>
    public int MaxIter { get; init; } = 10;
    /// <summary>Added to the covariance diagonals (sklearn's reg_covar) so they stay positive definite.</summary>
    public double RegCovar { get; init; } = 1e-6;
    /// <summary>Step size of gradient ascent and SGD on the mean log-likelihood.</summary>
    public double LearningRate { get; init; } = 1.0;
    /// <summary>SGD mini-batch size (1 as in CSE 599i HW1 P7c); points are drawn with replacement.</summary>
    public int BatchSize { get; init; } = 1;
    /// <summary>SGD: evaluate the full-data mean log-likelihood every this many steps (and after the last).</summary>
    public int EvalEvery { get; init; } = 1;
    public ulong Seed { get; init; } = 0;
    /// <summary>Start from this model instead of <see cref="Init"/> (its covariances are projected onto <see cref="Covariance"/>).</summary>
    public GaussianMixture? InitialModel { get; init; }
}

public enum GmmMethod { GradientAscent, Sgd, Em }

/// <summary>One point of the log-likelihood curve: iteration k (0 = before any update) and the mean log-likelihood of the data.</summary>
public readonly record struct GmmStep(int Iteration, double MeanLogLikelihood);

/// <summary>The fitted model (owned by the caller: dispose it), the curve, the number of updates made, and whether Tol stopped it.</summary>
public sealed record GmmFitResult(GaussianMixture Model, IReadOnlyList<GmmStep> Curve, int Iterations, bool Converged);

internal static class GmmOptionChecks
{
    /// <summary>Throws ArgumentException naming the option (as the exception's ParamName and in the message) when one is out of range.</summary>
    internal static void Validate(Tensor x, GmmMethod method, GmmFitOptions o)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(o);
        static void Fail(string option, string message) =>
            throw new ArgumentException($"GmmFitOptions.{option}: {message}", option);

        if (o.K < 1) Fail(nameof(o.K), $"the number of components must be at least 1 (got {o.K})");
        if (o.MaxIter < 0) Fail(nameof(o.MaxIter), $"must be >= 0 (got {o.MaxIter})");
        if (o.NInit < 1) Fail(nameof(o.NInit), $"the number of initialisations must be at least 1 (got {o.NInit})");
        if (!(o.Tol >= 0) || double.IsInfinity(o.Tol)) Fail(nameof(o.Tol), $"must be finite and >= 0; 0 means never stop early (got {o.Tol})");
        if (!(o.RegCovar >= 0) || double.IsInfinity(o.RegCovar)) Fail(nameof(o.RegCovar), $"must be finite and >= 0 (got {o.RegCovar})");
        if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate))
            Fail(nameof(o.LearningRate), $"the step size must be finite and > 0 (got {o.LearningRate})");
        if (o.BatchSize < 1) Fail(nameof(o.BatchSize), $"the SGD mini-batch size must be at least 1 (got {o.BatchSize})");
        if (o.EvalEvery < 1) Fail(nameof(o.EvalEvery), $"must be at least 1 (got {o.EvalEvery})");
        if (!Enum.IsDefined(o.Covariance)) Fail(nameof(o.Covariance), $"unknown covariance type {(int)o.Covariance}");
        if (!Enum.IsDefined(o.Init)) Fail(nameof(o.Init), $"unknown initialisation {(int)o.Init}");
        if (!Enum.IsDefined(method)) throw new ArgumentException($"unknown fit method {(int)method}", nameof(method));

        if (x.Dim != 2 || x.Size(0) < 1 || x.Size(1) < 1)
            throw new ArgumentException($"the data must be a non-empty (N, D) matrix; got shape [{string.Join(", ", x.Shape)}]", nameof(x));
        var (n, d) = (x.Size(0), x.Size(1));
        if (n < o.K)
            throw new ArgumentException($"the data has N = {n} points but GmmFitOptions.K = {o.K}: N must be at least K (use fewer components or more data)", nameof(x));
        using (Scope.Begin())
            if (!x.IsFinite().All().Item<bool>())
                throw new ArgumentException("the data contains NaN or infinite values", nameof(x));
        if (o.InitialModel is { } m && (m.K != o.K || m.D != d))
            Fail(nameof(o.InitialModel), $"the model has K = {m.K}, D = {m.D} but the fit needs K = {o.K} (options) and D = {d} (data)");
    }
}
