// GaussianMixtureFit.cs: fitting a GaussianMixture by EM (closed-form M-step), full-batch gradient ascent and SGD (autograd).
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// Maximum-likelihood fits of a <see cref="GaussianMixture"/>, theta_mle = argmax_theta (1/n) sum_i log p_theta(x_i)
/// (CSE 599i HW1 P7 b-d). Every method records the curve k -> (1/n) sum_i log p_{theta^(k)}(x_i) for k = 0..MaxIter
/// (k = 0 is the initialisation), runs each update in its own <see cref="Scope"/> (memory stays flat) and works in float64.
/// </summary>
public static class GaussianMixtureFit
{
    public static GmmFitResult Fit(Tensor x, GmmMethod method, GmmFitOptions options, Action<GmmStep>? onStep = null) => method switch
    {
        GmmMethod.Em => Em(x, options, onStep),
        GmmMethod.GradientAscent => GradientAscent(x, options, onStep),
        GmmMethod.Sgd => Sgd(x, options, onStep),
        _ => throw new ArgumentException($"unknown fit method {(int)method}", nameof(method)),
    };

    /// <summary>
    /// Expectation-maximisation. E-step: q(k | x_i) = pi_k N(x_i; mu_k, Sigma_k) / p(x_i). M-step (CSE 599i HW1 P4, the
    /// maximiser of the sample ELBO): pi'_k = (1/n) sum_i q(k | x_i), mu'_k = sum_i q(k | x_i) x_i / (n pi'_k), and per type
    /// Sigma'_k = sum_i q (x_i - mu'_k)(x_i - mu'_k)^T / (n pi'_k) + RegCovar I (full; its diagonal for Diagonal, the mean of
    /// that for Spherical; I for Identity). The log-likelihood never decreases (with RegCovar = 0).
    /// </summary>
    public static GmmFitResult Em(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep = null) =>
        Run(x, GmmMethod.Em, o, onStep, (data, st, _, curve) =>
        {
            using var fit = Scope.Begin();
            var xSq = data.Square();                                                                    // (N, D), once per fit
            for (var k = 0; ; k++)
            {
                using var s = Scope.Begin();
                var (q, meanLogLik) = EStep(data, xSq, st);
                if (curve.Record(k, meanLogLik) || k == o.MaxIter) return k;
                var (logW, means, scale) = MStepCore(data, q, st.Type, o.RegCovar, o.LearnWeights ? null : st.LogWeights, xSq);
                st.Replace(logW, means, scale);
            }
        });

    /// <summary>
    /// The E-step with one (N, K) buffer, updated in place: log pi_k + log N(x_i; mu_k, Sigma_k), then with m_i its row
    /// maximum, q(k | x_i) = exp(l_ik - m_i) / s_i and log p(x_i) = m_i + log s_i, s_i = sum_k exp(l_ik - m_i).
    /// Identity and spherical build l from x mu^T in place: -|x_i - mu_k|^2 / (2 v_k) - (D/2) log(2 pi v_k) + log pi_k.
    /// At 1M points and K = 10 each (N, K) float64 tensor is 80 MB; the unfused chain made about ten of them.
    /// </summary>
    private static (Tensor Q, double MeanLogLikelihood) EStep(Tensor x, Tensor xSq, GmmState st)
    {
        Tensor l;                                                                                       // (N, K)
        if (st.Type is CovarianceType.Identity or CovarianceType.Spherical)
        {
            var d = x.Size(1);
            l = x.MatMul(st.Means.T).Mul_(-2.0).Add_(xSq.Sum(1, keepdim: true)).Add_(st.Means.Square().Sum(1)).Clamp_(min: 0);   // (N, K) = |x_i - mu_k|^2
            var c = -0.5 * d * Math.Log(2 * Math.PI);
            if (st.Type == CovarianceType.Spherical)
                l.Mul_(st.Scale!.Reciprocal() * -0.5).Add_(st.Scale!.Log() * (-0.5 * d) + st.LogWeights + c);   // (K) terms broadcast
            else
                l.Mul_(-0.5).Add_(st.LogWeights + c);
        }
        else l = GaussianMixture.ComponentLogProb(x, st.Means, st.Type, st.Scale).Add_(st.LogWeights);
        var m = l.Max(1, keepdim: true).Values;                                                        // (N, 1)
        var sum = l.Sub_(m).Exp_().Sum(1, keepdim: true);                                              // (N, 1)
        var meanLogLik = (sum.Log() + m).Mean().ToDouble();
        return (l.Div_(sum), meanLogLik);
    }

    /// <summary>
    /// Full-batch gradient ascent theta &lt;- theta + LearningRate * grad_theta (1/n) sum_i log p_theta(x_i), gradients by
    /// autograd (CSE 599i HW1 P7b). Learned: the means; the weights as softmax logits when LearnWeights; the covariances as
    /// log-variances (spherical, diagonal) or a Cholesky factor with log-diagonal (full), plus RegCovar on the diagonal.
    /// With identity covariances and fixed weights 1/K, the mean update is mu_k += lr (1/n) sum_i q(k|x_i)(x_i - mu_k).
    /// The steps run through the <see cref="Training.Trainer"/> (plain SGD on the negative mean log-likelihood).
    /// </summary>
    public static GmmFitResult GradientAscent(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep = null) =>
        Run(x, GmmMethod.GradientAscent, o, onStep, (data, st, _, curve) => GmmGradientFits.GradientAscent(data, st, o, curve.Record));

    /// <summary>
    /// Stochastic gradient ascent (CSE 599i HW1 P7c): step t uses BatchSize points drawn uniformly with replacement,
    /// theta &lt;- theta + LearningRate * grad_theta (1/B) sum_{i in batch} log p_theta(x_i), for MaxIter steps (5000 one-point
    /// steps in the homework). The curve holds the full-data mean log-likelihood every EvalEvery steps and after the last.
    /// The steps run through the <see cref="Training.Trainer"/>; the batch indices are drawn up front from the fit's generator.
    /// </summary>
    public static GmmFitResult Sgd(Tensor x, GmmFitOptions o, Action<GmmStep>? onStep = null) =>
        Run(x, GmmMethod.Sgd, o, onStep, (data, st, g, curve) => GmmGradientFits.Sgd(data, st, o, g, curve.Record));

    /// <summary>
    /// One M-step from responsibilities q (N, K) (CSE 599i HW1 P4): pi'_k = (1/n) sum_i q_ik, mu'_k = sum_i q_ik x_i / (n pi'_k),
    /// covariances as in <see cref="Em"/> with <paramref name="regCovar"/>. With <paramref name="fixedWeights"/> (K) the weights stay.
    /// </summary>
    public static GaussianMixture MStep(Tensor x, Tensor responsibilities, CovarianceType covariance = CovarianceType.Identity,
                                        double regCovar = 0.0, Tensor? fixedWeights = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(responsibilities);
        if (x.Dim != 2 || responsibilities.Dim != 2 || responsibilities.Size(0) != x.Size(0))
            throw new ArgumentException($"x must be (N, D) and responsibilities (N, K); got [{string.Join(", ", x.Shape)}] and [{string.Join(", ", responsibilities.Shape)}]", nameof(responsibilities));
        if (!(regCovar >= 0)) throw new ArgumentException($"regCovar must be >= 0 (got {regCovar})", nameof(regCovar));
        using var s = Scope.Begin();
        var data = x.Detach().To(ScalarType.Float64);
        var q = responsibilities.Detach().To(ScalarType.Float64);
        var (logW, means, scale) = MStepCore(data, q, covariance, regCovar, fixedWeights?.Detach().To(ScalarType.Float64).Log());
        using var st = new GmmState(covariance, logW, means, scale);
        return st.ToModel(fixedWeights is not null);
    }

    internal static (Tensor LogWeights, Tensor Means, Tensor? Scale) MStepCore(Tensor x, Tensor q, CovarianceType type, double reg,
                                                                                Tensor? fixedLogWeights, Tensor? xSquared = null)
    {
        var n = x.Size(0);
        var d = x.Size(1);
        var nk = q.Sum(0) + 10 * 2.220446049250313e-16;                                  // (K) = n pi'_k, kept off 0 as sklearn does
        var means = q.T.MatMul(x) / nk.Unsqueeze(1);                                      // (K, D)
        var logW = fixedLogWeights ?? (nk / (double)n).Log();                              // (K)
        Tensor? scale = null;
        if (type is CovarianceType.Spherical or CovarianceType.Diagonal)
        {
            // E_q[x_d^2] - mu_d^2 per component, the diagonal of the weighted covariance
            var v = (q.T.MatMul(xSquared ?? x.Square()) / nk.Unsqueeze(1) - means.Square()).ClampMin(0) + reg;   // (K, D)
            scale = type == CovarianceType.Spherical ? v.Mean(1) : v;                       // (K) or (K, D)
        }
        else if (type == CovarianceType.Full)
        {
            // One component at a time: (N, D) temporaries, never (K, N, D).
            var k = means.Size(0);
            var covs = new Tensor[k];
            for (long j = 0; j < k; j++)
            {
                using var sj = Scope.Begin();
                var diff = x - means.Select(0, j);                                          // (N, D)
                var weighted = diff * q.Select(1, j).Unsqueeze(1);                          // (N, D) = q(k | x_i) (x_i - mu'_k)
                covs[j] = (weighted.T.MatMul(diff) / nk.Select(0, j)).MoveToOuterScope();  // (D, D)
            }
            var cov = Torch.Torch.Stack(covs, 0) + Torch.Torch.Eye(d, null, ScalarType.Float64, x.Device) * reg;   // (K, D, D)
            scale = GmmInitialisation.Cholesky((cov + cov.MT) * 0.5);
        }
        return (logW, means, scale);
    }

    private delegate int Method(Tensor data, GmmState state, Generator g, Curve curve);

    /// <summary>Validation, data conversion, NInit restarts (best final log-likelihood wins) and the result.</summary>
    private static GmmFitResult Run(Tensor x, GmmMethod method, GmmFitOptions o, Action<GmmStep>? onStep, Method body)
    {
        GmmOptionChecks.Validate(x, method, o);
        using var s = Scope.Begin();
        var data = x.Detach().To(ScalarType.Float64).Contiguous();
        using var g = new Generator(o.Seed);
        GmmFitResult? best = null;
        var restarts = o.InitialModel is not null && method != GmmMethod.Sgd ? 1 : o.NInit;   // deterministic from a given model
        for (var r = 0; r < restarts; r++)
        {
            using var st = GmmInitialisation.Start(data, o, g);
            var curve = new Curve(o, method, onStep);
            var iterations = body(data, st, g, curve);
            var result = new GmmFitResult(st.ToModel(!o.LearnWeights), curve.Steps, iterations, curve.Converged);
            if (best is null || result.Curve[^1].MeanLogLikelihood > best.Curve[^1].MeanLogLikelihood)
            {
                best?.Model.Dispose();
                best = result;
            }
            else result.Model.Dispose();
        }
        return best!;
    }

    /// <summary>The log-likelihood curve: records each point, reports it, stops on Tol, and fails on a non-finite value.</summary>
    private sealed class Curve(GmmFitOptions o, GmmMethod method, Action<GmmStep>? onStep)
    {
        public List<GmmStep> Steps { get; } = new();
        public bool Converged { get; private set; }

        /// <summary>Adds (k, ll); true when the change since the previous point is below Tol (the fit stops).</summary>
        public bool Record(int k, double ll)
        {
            if (!double.IsFinite(ll))
                throw new InvalidOperationException(method == GmmMethod.Em
                    ? $"EM: the mean log-likelihood became {ll} at iteration {k}; raise GmmFitOptions.RegCovar (now {o.RegCovar})"
                    : $"{method}: the mean log-likelihood became {ll} at iteration {k}; lower GmmFitOptions.LearningRate (now {o.LearningRate})");
            var step = new GmmStep(k, ll);
            Steps.Add(step);
            onStep?.Invoke(step);
            if (o.Tol > 0 && Steps.Count >= 2 && Math.Abs(ll - Steps[^2].MeanLogLikelihood) < o.Tol) Converged = true;
            return Converged;
        }
    }
}
