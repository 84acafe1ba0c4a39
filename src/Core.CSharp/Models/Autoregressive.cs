// Autoregressive.cs: Gaussian AR(p) models — simulation, conditional likelihood, least-squares MLE, KL by chain rule and Monte Carlo; AR(1) moments.
using GenDsl.Inference;
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// x_t - mu = sum_{i=1}^p phi_i (x_{t-i} - mu) + eps_t, eps_t ~ N(0, sigma^2), given the first p values.
/// Conditional log-likelihood (seed 002 P1A/P2A):
///   log p(x_{p+1..T} | x_{1..p}) = -(T-p)/2 log(2 pi sigma^2) - SSE / (2 sigma^2),  SSE = sum_t e_t^2.
/// MLE (seed 002 P1B, completed): phi solves the normal equations (X^T X) phi = X^T y of the regression of
/// x_t on its p lags, and sigma^2 = SSE / (T - p), the mean squared residual.
/// Sequences are (N, T) float64 tensors.
/// </summary>
public sealed class ArModel
{
    public double[] Phi { get; }
    public double Sigma2 { get; }
    public double Mu { get; }
    public int Order => Phi.Length;

    public ArModel(double[] phi, double sigma2, double mu = 0)
    {
        if (phi.Length == 0) throw new ArgumentException("ArModel: give at least one coefficient (p >= 1)");
        if (!(sigma2 > 0)) throw new ArgumentOutOfRangeException(nameof(sigma2), $"noise variance must be > 0, got {sigma2}");
        Phi = phi; Sigma2 = sigma2; Mu = mu;
    }

    /// <summary>
    /// n sequences of length T: the first values are <paramref name="initial"/> (default mu, length &gt;= p), the
    /// rest follow the recursion. Returns (n, T).
    /// </summary>
    public Tensor Simulate(long n, int length, Generator? generator = null, double[]? initial = null)
    {
        var init = initial ?? Enumerable.Repeat(Mu, Order).ToArray();
        if (init.Length < Order) throw new ArgumentException($"ArModel.Simulate: need at least p = {Order} initial values, got {init.Length}");
        if (length <= init.Length) throw new ArgumentException($"ArModel.Simulate: length {length} must exceed the {init.Length} initial values");
        using var s = Scope.Begin();
        var eps = Torch.Torch.Randn(new[] { n, (long)length }, generator, ScalarType.Float64) * Math.Sqrt(Sigma2); // (n, T)
        var cols = new List<Tensor>();
        foreach (var v in init) cols.Add(Torch.Torch.Full(new[] { n }, v, ScalarType.Float64));
        for (var t = init.Length; t < length; t++)
        {
            var x = eps.Select(1, t) + Mu;
            for (var i = 1; i <= Order; i++) x = x + Phi[i - 1] * (cols[t - i] - Mu);
            cols.Add(x);
        }
        return Torch.Torch.Stack(cols, 1).MoveToOuterScope();   // (n, T)
    }

    /// <summary>The lag design: X (N, T-c, p) with X[.., t, i-1] = x_{t+c-i} - mu, and targets y (N, T-c), for conditioning on c &gt;= p values.</summary>
    public static (Tensor X, Tensor Y) LagDesign(Tensor x, int p, int conditionOn, double mu = 0)
    {
        if (x.Dim == 1) x = x.Unsqueeze(0);
        var T = x.Size(1);
        if (conditionOn < p || T <= conditionOn) throw new ArgumentException($"LagDesign: need p <= conditionOn < T, got p = {p}, conditionOn = {conditionOn}, T = {T}");
        using var s = Scope.Begin();
        var xc = x - mu;
        var lags = Enumerable.Range(1, p).Select(i => xc.Narrow(1, conditionOn - i, T - conditionOn)).ToArray();
        var X = Torch.Torch.Stack(lags, 2);                     // (N, T-c, p)
        var Y = xc.Narrow(1, conditionOn, T - conditionOn);     // (N, T-c)
        return (X.MoveToOuterScope(), Y.Contiguous().MoveToOuterScope());
    }

    /// <summary>e_t = (x_t - mu) - sum_i phi_i (x_{t-i} - mu) for t after the first c values: (N, T-c).</summary>
    public Tensor Residuals(Tensor x, int? conditionOn = null)
    {
        var (X, Y) = LagDesign(x, Order, conditionOn ?? Order, Mu);
        using var _x = X; using var _y = Y;
        using var phi = Torch.Torch.Tensor<double>(Phi);
        using var pred = X.MatMul(phi);
        return Y - pred;
    }

    /// <summary>log p(x_{c+1..T} | x_{1..c}) per sequence = -(T-c)/2 log(2 pi sigma^2) - SSE / (2 sigma^2): (N).</summary>
    public Tensor LogLikelihood(Tensor x, int? conditionOn = null)
    {
        using var s = Scope.Begin();
        var e = Residuals(x, conditionOn);
        var m = e.Size(1);
        var r = -0.5 * m * Math.Log(2 * Math.PI * Sigma2) - e.Square().Sum(1) / (2 * Sigma2);
        return r.MoveToOuterScope();
    }

    /// <summary>
    /// Maximum likelihood for a zero-mean AR(p) from sequences (T) or (N, T), conditioning on the first p values:
    /// phi = (X^T X)^{-1} X^T y (least squares), sigma^2 = mean squared residual.
    /// </summary>
    public static ArModel Fit(Tensor x, int p)
    {
        if (p < 1) throw new ArgumentOutOfRangeException(nameof(p), "order p must be >= 1");
        using var s = Scope.Begin();
        var (X, Y) = LagDesign(x.Double(), p, p);
        var Xf = X.Reshape(-1, p);                              // (N (T-p), p)
        var yf = Y.Reshape(-1, 1);                              // (N (T-p), 1)
        var phi = Linalg.Solve(Xf.T.MatMul(Xf), Xf.T.MatMul(yf)); // (p, 1)
        var sigma2 = (yf - Xf.MatMul(phi)).Square().Mean().ToDouble();
        return new ArModel(phi.Reshape(-1).ToArray<double>(), sigma2);
    }

    /// <summary>
    /// KL(p || q) between the conditional laws of x_{c+1..T} given the same fixed first c = max(p, q order) values, by the
    /// chain rule: sum_t E_p[ KL(N(m_p,t, sp^2) || N(m_q,t, sq^2)) ] with per-step KL
    /// log(sq/sp) + (sp^2 + E_p[(m_p,t - m_q,t)^2]) / (2 sq^2) - 1/2. The expectation is exact: the mean and covariance of
    /// the lag vector under p are propagated step by step (seed 002 P2C; with equal variances each term is
    /// E[(f - g)^2] / (2 sigma^2)).
    /// </summary>
    public static double KlDivergence(ArModel p, ArModel q, int length, double[] initial)
    {
        var P = Math.Max(p.Order, q.Order);
        if (initial.Length != P) throw new ArgumentException($"KlDivergence: give exactly {P} initial values (the larger order)");
        double[] Pad(ArModel m) => m.Phi.Concat(new double[P - m.Order]).ToArray();
        var fp = Pad(p); var fq = Pad(q);
        var ap = p.Mu * (1 - p.Phi.Sum()); var aq = q.Mu * (1 - q.Phi.Sum());
        var mean = Enumerable.Range(0, P).Select(i => initial[P - 1 - i]).ToArray(); // lag vector (x_{t-1}, ..., x_{t-P})
        var cov = new double[P, P];
        double kl = 0;
        for (var t = P; t < length; t++)
        {
            var d = fp.Zip(fq, (u, v) => u - v).ToArray();
            var c = ap - aq;
            double dm = c, dCd = 0;
            for (var i = 0; i < P; i++) { dm += d[i] * mean[i]; for (var j = 0; j < P; j++) dCd += d[i] * cov[i, j] * d[j]; }
            kl += 0.5 * Math.Log(q.Sigma2 / p.Sigma2) + (p.Sigma2 + dm * dm + dCd) / (2 * q.Sigma2) - 0.5;
            // advance the lag vector under p: x_t = ap + fp . L + eps
            var mx = ap; var cL = new double[P]; double vx = p.Sigma2;
            for (var i = 0; i < P; i++) { mx += fp[i] * mean[i]; for (var j = 0; j < P; j++) { cL[i] += cov[i, j] * fp[j]; vx += fp[i] * cov[i, j] * fp[j]; } }
            var nm = new double[P]; var nc = new double[P, P];
            nm[0] = mx; nc[0, 0] = vx;
            for (var i = 1; i < P; i++) { nm[i] = mean[i - 1]; nc[0, i] = nc[i, 0] = cL[i - 1]; for (var j = 1; j < P; j++) nc[i, j] = cov[i - 1, j - 1]; }
            mean = nm; cov = nc;
        }
        return kl;
    }

    /// <summary>KL(p || q) ≈ (1/M) sum_m [log p(x^m) - log q(x^m)], x^m ~ p (same conditioning as <see cref="KlDivergence"/>).</summary>
    public static Estimate KlMonteCarlo(ArModel p, ArModel q, int length, double[] initial, long samples, Generator generator)
    {
        var c = Math.Max(p.Order, q.Order);
        using var s = Scope.Begin();
        var x = p.Simulate(samples, length, generator, initial);
        return MonteCarlo.Mean(p.LogLikelihood(x, c) - q.LogLikelihood(x, c));
    }
}

/// <summary>
/// CSE 599i P5: x_1 = mu + eps_1, eps_1 ~ N(0, sigma^2/(1-rho^2)); x_t = rho (x_{t-1} - mu) + mu + eps_t, eps_t ~ N(0, sigma^2).
/// Then E[x_t] = mu, Var[x_t] = sigma^2/(1-rho^2) and gamma(k) = Cov(x_t, x_{t+k}) = rho^k sigma^2/(1-rho^2).
/// </summary>
public static class Ar1
{
    public static double Variance(double rho, double sigma) => sigma * sigma / (1 - rho * rho);
    public static double AutoCovariance(double rho, double sigma, int k) => Math.Pow(rho, k) * Variance(rho, sigma);

    /// <summary>n stationary sequences of length T: (n, T).</summary>
    public static Tensor Simulate(double mu, double rho, double sigma, long n, int length, Generator? generator = null)
    {
        if (!(Math.Abs(rho) < 1)) throw new ArgumentOutOfRangeException(nameof(rho), $"|rho| must be < 1 for a stationary AR(1), got {rho}");
        using var s = Scope.Begin();
        var eps = Torch.Torch.Randn(new[] { n, (long)length }, generator, ScalarType.Float64);
        var cols = new List<Tensor> { eps.Select(1, 0) * Math.Sqrt(Variance(rho, sigma)) + mu };
        for (var t = 1; t < length; t++) cols.Add(rho * (cols[t - 1] - mu) + mu + sigma * eps.Select(1, t));
        return Torch.Torch.Stack(cols, 1).MoveToOuterScope();
    }
}

/// <summary>
/// CSE 599i P6: a stationary process whose sample mean is inconsistent: x_t = mu + L + eps_t with one random level
/// L ~ N(0, tau^2) shared by all t and eps_t ~ N(0, sigma^2) i.i.d. Then E[x_t] = mu but
/// Var(mean of x_1..x_T) = tau^2 + sigma^2 / T -&gt; tau^2 &gt; 0: the sample mean never concentrates at mu.
/// </summary>
public static class RandomLevelProcess
{
    public static double SampleMeanVariance(double tau, double sigma, int length) => tau * tau + sigma * sigma / length;

    /// <summary>n sequences of length T: (n, T).</summary>
    public static Tensor Simulate(double mu, double tau, double sigma, long n, int length, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var level = Torch.Torch.Randn(new[] { n, 1L }, generator, ScalarType.Float64) * tau;
        var eps = Torch.Torch.Randn(new[] { n, (long)length }, generator, ScalarType.Float64) * sigma;
        return (mu + level + eps).MoveToOuterScope();
    }
}
