// EnergyModel.cs: the energy-based model p_theta(x) = exp(E_theta(x)) / Z(theta) of DS-GA 1008 final 1.4-1.7 — IS-gradient surrogate loss, log Z by IS and quadrature, test log-likelihood.
using GenDsl.Inference;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Training;

namespace GenDsl.Models;

/// <summary>
/// A fixed sample x_1..x_M ~ q with log q(x_m), reused by every gradient step as DS-GA 1008 1.6 allows
/// ("you can use the same sample of q for all gradient steps"). Owns its tensors.
/// </summary>
public sealed class ImportanceSample : IDisposable
{
    private ImportanceSample(IDensity proposal, Tensor x, Tensor logQ) => (Proposal, X, LogQ) = (proposal, x, logQ);

    public IDensity Proposal { get; }
    /// <summary>The draws (M, D), float64.</summary>
    public Tensor X { get; }
    /// <summary>log q(x_m) (M), float64.</summary>
    public Tensor LogQ { get; }
    public long M => X.Size(0);

    /// <summary>M draws from q (the seed's M = 5000) and their log-densities.</summary>
    public static ImportanceSample Draw(IDensity proposal, long m, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (m < 2) throw new ArgumentException($"ImportanceSample.Draw: need M >= 2 draws (the seed uses 5000); got {m}", nameof(m));
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        var x = proposal.Sample(m, generator).To(ScalarType.Float64);                 // (M, D)
        if (x.Dim != 2 || x.Size(0) != m || x.Size(1) != proposal.D)
            throw new ArgumentException($"ImportanceSample.Draw: the proposal's Sample({m}) returned shape [{string.Join(", ", x.Shape)}], expected ({m}, {proposal.D})");
        var lq = proposal.LogProb(x).To(ScalarType.Float64).Reshape(-1);             // (M)
        return new ImportanceSample(proposal, x.DetachFromScope(), lq.DetachFromScope());
    }

    public void Dispose()
    {
        X.Dispose();
        LogQ.Dispose();
    }
}

/// <summary>
/// p_theta(x) = exp(E_theta(x) - A(theta)), A(theta) = log Z(theta) = log integral exp(E_theta(x)) dx  (DS-GA 1008 final 1.4),
/// with E_theta any module mapping (N, D) to (N) or (N, 1) — the seed's shallow network (<see cref="Mlp"/>) — plus an
/// optional fixed confining term -|x|^2 / (2 s^2) that keeps exp(E) integrable (a bounded network alone is not).
/// <para>Maximum likelihood by gradient ascent on L(theta) = (1/n) sum_i E(x_i) - A(theta), whose gradient
/// (1/n) sum_i grad E(x_i) - E_{p_theta}[grad E] (1.4) has its expectation estimated by self-normalised importance
/// sampling (1.5-1.6): E_p[grad E] ~ sum_m w_m grad E(x_m), w = softmax(E(x_m) - log q(x_m)), x_m ~ q.</para>
/// </summary>
public sealed class EnergyModel : Module
{
    private readonly Module net;

    /// <param name="net">E_theta: (N, D) -> (N) or (N, 1).</param>
    /// <param name="d">The data dimension D.</param>
    /// <param name="baseScale">s of the fixed term -|x|^2 / (2 s^2) added to the network's output; null: none.</param>
    public EnergyModel(Module net, int d, double? baseScale = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (d < 1) throw new ArgumentException($"EnergyModel: the dimension must be >= 1; got {d}", nameof(d));
        if (baseScale is { } b && !(b > 0 && !double.IsInfinity(b)))
            throw new ArgumentException($"EnergyModel: baseScale must be finite and > 0, or null for none; got {b}", nameof(baseScale));
        this.net = RegisterModule("net", net);
        (D, BaseScale) = (d, baseScale);
    }

    /// <summary>
    /// The seed's shallow network: E(x) = Mlp(D -> hidden (x hiddenLayers) -> 1)(x) - |x|^2 / (2 s^2), float64 parameters by default.
    /// </summary>
    public static EnergyModel Mlp(int d = 2, long hidden = 32, int hiddenLayers = 1, double? baseScale = null,
        Func<Module>? activation = null, Generator? generator = null, ScalarType dtype = ScalarType.Float64) =>
        new(Models.Mlp.Create(d, hidden, hiddenLayers, 1, activation ?? (() => new Tanh()), generator, dtype), d, baseScale);

    public int D { get; }
    public double? BaseScale { get; }
    public Module Net => net;

    /// <summary>E_theta(x): (N, D) -> (N), in the parameters' dtype (the input is converted to it).</summary>
    public Tensor Energy(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Dim != 2 || x.Size(1) != D)
            throw new ArgumentException($"EnergyModel: points must be (N, {D}); got shape [{string.Join(", ", x.Shape)}]", nameof(x));
        using var s = Scope.Begin();
        var dtype = Parameters().FirstOrDefault()?.Dtype ?? ScalarType.Float64;
        var xin = x.Dtype == dtype ? x : x.To(dtype);
        var e = net.Forward(xin);
        if (e.Dim == 2 && e.Size(1) == 1) e = e.Squeeze(1);                                // (N, 1) -> (N)
        if (e.Dim != 1 || e.Size(0) != x.Size(0))
            throw new ArgumentException($"EnergyModel: the network must map (N, {D}) to (N) or (N, 1); it returned [{string.Join(", ", e.Shape)}]");
        if (BaseScale is { } b) e = e - xin.Square().Sum(1) / (2 * b * b);
        return e.MoveToOuterScope();
    }

    public override Tensor Forward(Tensor input) => Energy(input);

    /// <summary>
    /// The surrogate loss whose gradient is minus the seed's estimate of grad L:
    /// <code>
    ///   loss = -( (1/n) sum_i E(x_i) - A^ ),   A^ = logsumexp_m( E(x_m) - log q(x_m) ) - log M
    ///   grad loss = -( (1/n) sum_i grad E(x_i) - sum_m w_m grad E(x_m) ),  w = softmax(E(x_m) - log q(x_m))
    /// </code>
    /// (d A^ / d theta is exactly the self-normalised sum, so this equals -(mean E(data) - sum_m stopgrad(w_m) E(x_m)) in
    /// gradient, and its value is the IS estimate of the negative log-likelihood of the batch.) Also returns
    /// Kish's effective sample size (sum w)^2 / sum w^2 = 1 / sum w~^2 and A^ (no grad).
    /// </summary>
    public (Tensor Loss, double Ess, double LogZ) Loss(Tensor data, ImportanceSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        using var s = Scope.Begin();
        var eData = Energy(data);                                                          // (n)
        var logW = Energy(sample.X) - sample.LogQ.To(eData.Dtype);                          // (M)
        var logZ = logW.LogSumExp(0) - Math.Log(sample.M);
        double ess, logZv;
        using (Autograd.NoGrad())
        {
            ess = EffectiveSampleSize(logW.Detach());
            logZv = logZ.ToDouble();
        }
        var loss = (eData.Mean() - logZ).Neg();
        return (loss.MoveToOuterScope(), ess, logZv);
    }

    /// <summary>
    /// The Trainer objective of DS-GA 1008 1.6: <see cref="Loss"/> on each batch against the fixed sample, logging
    /// "ess" (effective sample size) and "log_z" (A^) per step. resample: draw a fresh sample of the same size from its
    /// proposal each step (from the step's generator) instead of reusing it.
    /// </summary>
    public Objective Objective(ImportanceSample sample, bool resample = false)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Proposal.D != D) throw new ArgumentException($"EnergyModel.Objective: the proposal is {sample.Proposal.D}-dimensional, the model {D}-dimensional");
        return (batch, ctx) =>
        {
            using var fresh = resample ? ImportanceSample.Draw(sample.Proposal, sample.M, ctx.Generator) : null;
            var (loss, ess, logZ) = Loss(batch, fresh ?? sample);
            ctx.Log("ess", ess);
            ctx.Log("log_z", logZ);
            return loss;
        };
    }

    /// <summary>Kish's effective sample size (sum w)^2 / sum w^2 from log-weights (M), computed stably.</summary>
    public static double EffectiveSampleSize(Tensor logWeights)
    {
        ArgumentNullException.ThrowIfNull(logWeights);
        using var s = Scope.Begin();
        var lw = logWeights.Detach().To(ScalarType.Float64).Reshape(-1);
        return Math.Exp(2 * lw.LogSumExp(0).ToDouble() - (lw * 2.0).LogSumExp(0).ToDouble());
    }

    /// <summary>
    /// A = log Z by importance sampling (DS-GA 1008 1.7): A^ = log((1/M) sum_m exp(E(x_m)) / q(x_m)), with the delta-method
    /// standard error of the log, sd(w) / (sqrt(M) mean(w)) (w the unnormalised weights, sd with ddof = 1).
    /// </summary>
    public Estimate LogPartition(ImportanceSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        var lw = Energy(sample.X).To(ScalarType.Float64) - sample.LogQ;                       // (M)
        var m = sample.M;
        var logZ = lw.LogSumExp(0).ToDouble() - Math.Log(m);
        var w = (lw - lw.Max()).Exp();                                                     // (M), relative weights
        var se = w.Std(0, correction: 1).ToDouble() / (Math.Sqrt(m) * w.Mean().ToDouble());
        return new Estimate(logZ, se, m);
    }

    /// <summary>A = log Z by importance sampling with M fresh draws from q.</summary>
    public Estimate LogPartition(IDensity proposal, long m, Generator? generator)
    {
        using var sample = ImportanceSample.Draw(proposal, m, generator);
        return LogPartition(sample);
    }

    /// <summary>
    /// A = log Z by quadrature on [lo, hi]^D: the 2-D midpoint rule on an n x n grid, or Simpson's rule on n points in 1-D
    /// (a check on the IS estimate; exact up to the grid's error and the mass outside the box).
    /// </summary>
    public double LogPartitionQuadrature(double lo, double hi, long n = 400)
    {
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        switch (D)
        {
            case 2:
                return Quadrature.LogIntegrate2d(x => Energy(x).To(ScalarType.Float64), lo, hi, n).ToDouble();
            case 1:
            {
                var m = n % 2 == 1 ? n : n + 1;
                var grid = Quadrature.Grid(lo, hi, m);                                          // (m)
                var logW = Quadrature.SimpsonWeights(m, (hi - lo) / (m - 1)).Log();              // (m)
                return (Energy(grid.Unsqueeze(1)).To(ScalarType.Float64) + logW).LogSumExp(0).ToDouble();   // (m, 1) -> (m)
            }
            default:
                throw new ArgumentException($"EnergyModel.LogPartitionQuadrature: quadrature on a grid is for D = 1 or 2; this model has D = {D}. Use LogPartition (importance sampling)");
        }
    }

    /// <summary>log p_theta(x) = E(x) - A: (N, D) -> (N), float64, for a given A (from <see cref="LogPartition(ImportanceSample)"/> or quadrature).</summary>
    public Tensor LogProb(Tensor x, double logZ)
    {
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        return (Energy(x).To(ScalarType.Float64) - logZ).MoveToOuterScope();
    }

    /// <summary>
    /// The test log-likelihood of DS-GA 1008 1.7, (1/n) sum E(x_i) - A, with standard error sqrt(var(E(x)) / n + se(A)^2)
    /// (the test points and the IS draws are independent).
    /// </summary>
    public Estimate TestLogLikelihood(Tensor x, Estimate logZ)
    {
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        var e = Energy(x).To(ScalarType.Float64);
        var n = e.Size(0);
        var varE = n > 1 ? e.Var(0, correction: 1).ToDouble() : 0;
        return new Estimate(e.Mean().ToDouble() - logZ.Mean, Math.Sqrt(varE / n + logZ.StdErr * logZ.StdErr), n);
    }
}
