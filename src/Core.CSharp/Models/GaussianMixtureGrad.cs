// GaussianMixtureGrad.cs: the mixture's unconstrained parameters as a Module, and gradient ascent and SGD on them through the Trainer.
using GenDsl.Data;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;
using GenDsl.Training;

namespace GenDsl.Models;

/// <summary>
/// Leaf tensors (requires_grad) for the gradient fits: means mu (K, D); logits a (K) with pi = softmax(a) when the weights
/// are learned; and the covariance unconstrained — Spherical/Diagonal: s with variance exp(s) + reg; Full: A with
/// L = tril(A, -1) + diag(exp(diag A)) and Sigma = L L^T + reg I. Any real values give a valid mixture. They are the
/// parameters "means", "logits" and "raw" of a <see cref="Module"/> (the fixed weights a buffer), so the Trainer optimizes them.
/// </summary>
internal sealed class GmmGradParams : Module
{
    private readonly CovarianceType type;
    private readonly double reg;
    private readonly Tensor means;          // (K, D)
    private readonly Tensor? logits;        // (K), when learned
    private readonly Tensor fixedLogWeights;
    private readonly Tensor? raw;           // (K) | (K, D) | (K, D, D)

    public GmmGradParams(GmmState st, GmmFitOptions o)
    {
        type = st.Type;
        reg = o.RegCovar;
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        means = RegisterParameter("means", st.Means.Detach().Clone());
        fixedLogWeights = RegisterBuffer("fixed_log_weights", st.LogWeights.Detach().Clone())!;
        logits = RegisterOptionalParameter("logits", o.LearnWeights ? st.LogWeights.Detach().Clone() : null);
        raw = RegisterOptionalParameter("raw", type switch
        {
            CovarianceType.Identity => null,
            CovarianceType.Spherical or CovarianceType.Diagonal => (st.Scale! - reg).ClampMin(1e-12).Log(),
            _ => FullRaw(st.Scale!),
        });
    }

    /// <summary>A with tril(A, -1) + diag(exp(diag A)) = chol(Sigma - reg I) (or chol(Sigma) when that is not positive definite).</summary>
    private Tensor FullRaw(Tensor l)
    {
        var d = l.Size(1);
        var sigma = l.MatMul(l.MT);                                                              // (K, D, D)
        Tensor l0;
        try { l0 = Linalg.Cholesky(sigma - Torch.Torch.Eye(d, null, ScalarType.Float64, l.Device) * reg); }
        catch (TorchException) { l0 = l; }
        var diag = l0.Diagonal(0, -2, -1);                                                      // (K, D)
        return l0.Tril(-1) + diag.Log().DiagEmbed();
    }

    private Tensor LogWeights() => logits is null ? fixedLogWeights : logits.LogSoftmax(0);

    /// <summary>The covariance scale in GmmState's form: variances (K) / (K, D), or the Cholesky factor of L L^T + reg I.</summary>
    private Tensor? Scale()
    {
        switch (type)
        {
            case CovarianceType.Identity: return null;
            case CovarianceType.Spherical:
            case CovarianceType.Diagonal: return raw!.Exp() + reg;
            default:
            {
                var l = raw!.Tril(-1) + raw.Diagonal(0, -2, -1).Exp().DiagEmbed();            // (K, D, D)
                if (reg == 0) return l;
                var d = l.Size(1);
                return Linalg.Cholesky(l.MatMul(l.MT) + Torch.Torch.Eye(d, null, ScalarType.Float64, l.Device) * reg);
            }
        }
    }

    /// <summary>(1/B) sum_i log p_theta(x_i) over the rows of x (B, D), differentiable in the leaves; a 0-d tensor.</summary>
    public Tensor MeanLogLikelihood(Tensor x) =>
        (GaussianMixture.ComponentLogProb(x, means, type, Scale()) + LogWeights()).LogSumExp(1).Mean();

    /// <summary>Copies the current values into the state (detached), so the fit's model can be built from it.</summary>
    public void WriteBack(GmmState st)
    {
        using var s = Scope.Begin();
        using (Autograd.NoGrad())
        {
            var logW = LogWeights().Detach().Clone();
            var scale = Scale()?.Detach().Clone();
            st.Replace(logW, means.Detach().Clone(), scale);
        }
    }
}

/// <summary>
/// Gradient ascent and SGD on the mean log-likelihood, run by the <see cref="Trainer"/>: plain SGD steps (no momentum)
/// theta &lt;- theta - lr grad(-l), which is theta + lr grad l for l = (1/B) sum_{i in batch} log p_theta(x_i) (CSE 599i HW1
/// P7 b, c). <c>record</c> adds a point (k, l) to the fit's curve and says whether Tol stops the fit.
/// </summary>
internal static class GmmGradientFits
{
    private const string Metric = "mean_log_likelihood";

    /// <summary>
    /// Full-batch gradient ascent: step t (1-based) evaluates l(theta_{t-1}) on all the data, records it as curve point
    /// t - 1 and ascends it (or, when Tol says so, ends the fit without stepping); point MaxIter is the final evaluation.
    /// Returns the number of updates made.
    /// </summary>
    public static int GradientAscent(Tensor data, GmmState st, GmmFitOptions o, Func<int, double, bool> record)
    {
        using var p = new GmmGradParams(st, o);
        if (o.MaxIter == 0)
        {
            record(0, FullLogLikelihood(p, data));
            return Finish(p, st, 0);
        }
        using var trainer = new Trainer(p, ps => new SGD(ps, o.LearningRate), null,
            new TrainOptions { Steps = o.MaxIter, BatchSize = 1, Shuffle = false, Seed = o.Seed });
        trainer.Evaluate = () => Recorded(o.MaxIter, FullLogLikelihood(p, data), record);
        var result = trainer.Fit(new PreDrawnBatches(data, null), (batch, ctx) =>
        {
            var ll = p.MeanLogLikelihood(batch.Select(0, 0));                                   // batch (1, N, D) -> (N, D)
            if (record((int)ctx.Step - 1, ll.ToDouble())) ctx.RequestStop();
            return ll.Neg();
        });
        return Finish(p, st, (int)result.Steps);
    }

    /// <summary>
    /// SGD: step t ascends l on the t-th mini-batch of <c>indices</c> (T, B), drawn up front with replacement
    /// from the fit's generator; the full-data l is recorded at 0, every EvalEvery steps and after the last (the trainer's
    /// evaluation), and Tol ends the fit after such a point. Returns the number of updates made.
    /// </summary>
    public static int Sgd(Tensor data, GmmState st, GmmFitOptions o, Generator g, Func<int, double, bool> record)
    {
        using var p = new GmmGradParams(st, o);
        using var indices = Torch.Torch.RandInt(0, data.Size(0), new long[] { Math.Max(o.MaxIter, 1), o.BatchSize }, g, null, data.Device); // (T, B)
        if (record(0, FullLogLikelihood(p, data)) || o.MaxIter == 0) return Finish(p, st, 0);
        using var trainer = new Trainer(p, ps => new SGD(ps, o.LearningRate), null,
            new TrainOptions { Steps = o.MaxIter, BatchSize = 1, Shuffle = false, Seed = o.Seed, EvalEvery = o.EvalEvery });
        trainer.Evaluate = () =>
        {
            var r = Recorded(trainer.Step, FullLogLikelihood(p, data), record, out var stop);
            if (stop) trainer.RequestStop();
            return r;
        };
        var result = trainer.Fit(new PreDrawnBatches(data, indices), (batch, _) => p.MeanLogLikelihood(batch.Select(0, 0)).Neg()); // (1, B, D) -> (B, D)
        return Finish(p, st, (int)result.Steps);
    }

    private static double FullLogLikelihood(GmmGradParams p, Tensor data)
    {
        using var s = Scope.Begin();
        using (Autograd.NoGrad()) return p.MeanLogLikelihood(data).ToDouble();
    }

    private static IReadOnlyDictionary<string, double> Recorded(long k, double ll, Func<int, double, bool> record) =>
        Recorded(k, ll, record, out _);

    private static IReadOnlyDictionary<string, double> Recorded(long k, double ll, Func<int, double, bool> record, out bool stop)
    {
        stop = record((int)k, ll);
        return new Dictionary<string, double> { [Metric] = ll };
    }

    private static int Finish(GmmGradParams p, GmmState st, int iterations)
    {
        p.WriteBack(st);
        return iterations;
    }

    /// <summary>
    /// What the trainer draws from: one "example" per step. SGD: example t is the t-th row of the indices drawn up
    /// front, the mini-batch x[indices[t]] (B, D) — the homework samples points with replacement, which an epoch
    /// permutation would not. Gradient ascent: a single example, all the data (N, D), taken by every step.
    /// </summary>
    private sealed class PreDrawnBatches(Tensor data, Tensor? indices) : IDataset
    {
        public long Count => indices?.Size(0) ?? 1;
        public long[] ExampleShape => indices is null ? data.Shape : new[] { indices.Size(1), data.Size(1) };

        public Tensor Batch(long[] which, Generator generator)
        {
            if (which.Length != 1) throw new ArgumentException($"the mixture's pre-drawn batches are taken one per step, got {which.Length}");
            var x = indices is null ? data.Detach() : data.IndexSelect(0, indices.Select(0, which[0]));   // (N, D) | (B, D)
            return x.Unsqueeze(0);                                                                          // (1, N | B, D)
        }
    }
}
