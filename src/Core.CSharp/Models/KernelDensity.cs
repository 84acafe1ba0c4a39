// KernelDensity.cs: the Gaussian kernel density estimator (DS-GA 1008 final 1.3) — blockwise log-sum-exp log-density, bandwidth rules and validation search, sampling.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>The rules of thumb for the bandwidth (see <see cref="KernelDensity.RuleOfThumb"/>).</summary>
public enum BandwidthRule { Scott, Silverman }

/// <summary>
/// The validation search of DS-GA 1008 1.3: the grid, the mean validation log-likelihood of each bandwidth on it,
/// and the maximiser (<see cref="Best"/> = Grid[BestIndex]).
/// </summary>
public sealed record BandwidthSearch(double Best, int BestIndex, IReadOnlyList<double> Grid, IReadOnlyList<double> ValidationLogLikelihood);

/// <summary>
/// p^(x) = (1/N) sum_i N(x; x_i, h^2 I)  (DS-GA 1008 final 1.3), so
/// <code>
///   log p^(x) = logsumexp_i( -|x - x_i|^2 / (2 h^2) ) - log N - (D/2) log(2 pi h^2).
/// </code>
/// The bandwidth h is the kernel's standard deviation, as scikit-learn's <c>KernelDensity(kernel='gaussian', bandwidth=h)</c>;
/// the seed writes the kernel covariance as sigma I, so its sigma is h^2.
/// <para>Memory: the N x Q exponents are never formed at once. Queries go in blocks of Bq and points in blocks of Bn with
/// Bq Bn &lt;= <see cref="MemoryBudgetBytes"/> / (3 x 8 bytes) (the exponent block and at most two temporaries, float64); the per-block log-sum-exps over point blocks are combined by one more log-sum-exp.
/// Each exponent block is one matrix product of augmented rows: with u = (x - c) / h, v = (x_i - c) / h (c the points' mean,
/// which keeps the cancellation small), -|u - v|^2 / 2 = [u, -|u|^2/2, 1] . [v, 1, -|v|^2/2].</para>
/// The points are a float64 copy the estimator owns (dispose the estimator).
/// </summary>
public sealed class KernelDensity : IDensity, IDisposable
{
    private const long Floats = 3;                  // float64 blocks alive at once: the reused buffer, and LogSumExp's two temporaries in the rare fallback
    private readonly Tensor points;                 // (N, D) float64
    private readonly Tensor centre;                 // (D)
    private readonly Tensor augmented;              // (N, D + 2): [v, 1, -|v|^2 / 2]
    private readonly double logNorm;                // log N + (D/2) log(2 pi h^2)

    /// <summary>A KDE over <paramref name="data"/> (N, D) with bandwidth h &gt; 0 (the kernel's standard deviation).</summary>
    public KernelDensity(Tensor data, double bandwidth)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Dim != 2 || data.Size(0) < 1 || data.Size(1) < 1)
            throw new ArgumentException($"KernelDensity: data must be (N, D) with N, D >= 1; got shape [{string.Join(", ", data.Shape)}]", nameof(data));
        if (!(bandwidth > 0) || double.IsInfinity(bandwidth))
            throw new ArgumentException($"KernelDensity: the bandwidth must be finite and > 0; got {bandwidth}. Pick one with RuleOfThumb or SelectBandwidth", nameof(bandwidth));
        N = data.Size(0);
        D = checked((int)data.Size(1));
        Bandwidth = bandwidth;
        using var s = Scope.Begin();
        var x = data.Detach().To(ScalarType.Float64).Contiguous();
        if (!x.IsFinite().All().Item<bool>()) throw new ArgumentException("KernelDensity: data contains NaN or infinite values", nameof(data));
        var c = x.Mean(0);                                                          // (D)
        var v = (x - c) / bandwidth;                                                // (N, D)
        var ones = Torch.Torch.Ones(new[] { N, 1L }, ScalarType.Float64, x.Device);
        var aug = Torch.Torch.Cat(new[] { v, ones, v.Square().Sum(1, keepdim: true) * -0.5 }, 1);   // (N, D + 2)
        points = x.Clone().DetachFromScope();
        centre = c.DetachFromScope();
        augmented = aug.DetachFromScope();
        logNorm = Math.Log(N) + 0.5 * D * Math.Log(2 * Math.PI * bandwidth * bandwidth);
    }

    /// <summary>The number of points N.</summary>
    public long N { get; }
    public int D { get; }
    /// <summary>h, the kernel's standard deviation.</summary>
    public double Bandwidth { get; }
    /// <summary>The points (N, D), float64; owned by the estimator.</summary>
    public Tensor Points => points;

    /// <summary>The most memory one log-density block may take (default 16 MiB); see the class remarks.</summary>
    public long MemoryBudgetBytes { get; init; } = 16L << 20;

    /// <summary>(Bq, Bn) for Q queries from the memory budget: all N points per block when that leaves at least 64 queries, else 64 queries.</summary>
    public (long QueryBlock, long PointBlock) BlockSizes(long queries)
    {
        var cells = Math.Max(1, MemoryBudgetBytes / (Floats * sizeof(double)));
        var bn = Math.Min(N, Math.Max(1, cells / 64));
        var bq = Math.Max(1, Math.Min(Math.Max(queries, 1), cells / bn));
        return (bq, bn);
    }

    /// <summary>log p^(x) for queries x (Q, D) -> (Q), float64, in blocks sized from <see cref="MemoryBudgetBytes"/>.</summary>
    public Tensor LogProb(Tensor x)
    {
        var (bq, bn) = BlockSizes(CheckQueries(x).Size(0));
        return LogProb(x, bq, bn);
    }

    /// <summary>log p^(x) with explicit block sizes: Bq queries against Bn points per matrix product.</summary>
    public Tensor LogProb(Tensor x, long queryBlock, long pointBlock)
    {
        if (queryBlock < 1 || pointBlock < 1)
            throw new ArgumentException($"KernelDensity.LogProb: block sizes must be >= 1; got queryBlock = {queryBlock}, pointBlock = {pointBlock}");
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        var q = CheckQueries(x).Detach().To(points.Device, ScalarType.Float64);
        var u = (q - centre) / Bandwidth;                                                          // (Q, D)
        var qa = Torch.Torch.Cat(new[] { u, u.Square().Sum(1, keepdim: true) * -0.5,
                                        Torch.Torch.Ones(new[] { u.Size(0), 1L }, ScalarType.Float64, u.Device) }, 1);   // (Q, D + 2)
        var nq = q.Size(0);
        var result = Torch.Torch.Empty(new[] { nq }, ScalarType.Float64, q.Device);
        // one (Bq, Bn) buffer for every full block: fresh multi-megabyte blocks per step cost more in page faults than the arithmetic
        var buffer = Torch.Torch.Empty(new[] { Math.Min(queryBlock, nq), Math.Min(pointBlock, N) }, ScalarType.Float64, q.Device);
        for (long i = 0; i < nq; i += queryBlock)
        {
            using var block = Scope.Begin();
            var rows = qa.Narrow(0, i, Math.Min(queryBlock, nq - i));                               // (Bq, D + 2)
            Tensor lse;
            if (pointBlock >= N) lse = BlockLogSumExp(rows, augmented, buffer);                     // (Bq)
            else
            {
                var parts = new List<Tensor>();
                for (long j = 0; j < N; j += pointBlock)
                    parts.Add(BlockLogSumExp(rows, augmented.Narrow(0, j, Math.Min(pointBlock, N - j)), buffer));   // (Bq) per (Bn, D + 2) block
                lse = Torch.Torch.Stack(parts, 0).LogSumExp(0);                                     // (blocks, Bq) -> (Bq)
            }
            result.Narrow(0, i, rows.Size(0)).Copy_(lse - logNorm);
        }
        return result.MoveToOuterScope();
    }

    /// <summary>
    /// logsumexp_i of the exponents -|u - v_i|^2 / 2 &lt;= 0 of one block: (Bq, D + 2) x (Bn, D + 2) -> (Bq). The exponents never
    /// overflow, so log(sum exp) needs no max pass: one product into a reused buffer, exp in place, a row sum; a row whose sum falls
    /// below 1e-280 (every point beyond ~36 h) is redone with the max-shifted log-sum-exp, so no precision is lost.
    /// </summary>
    private static Tensor BlockLogSumExp(Tensor rows, Tensor cols, Tensor buffer)
    {
        var full = rows.Size(0) == buffer.Size(0) && cols.Size(0) == buffer.Size(1);
        var e = full ? rows.Mm(cols.T, buffer) : rows.Mm(cols.T);                                 // (Bq, Bn); ragged edges get their own
        var sum = e.Exp_().Sum(1);                                                                 // (Bq)
        if (sum.Min().ToDouble() >= 1e-280) return sum.Log();
        return rows.Mm(cols.T).LogSumExp(1);
    }

    /// <summary>(1/Q) sum_q log p^(x_q): the test log-likelihood of DS-GA 1008 1.3.</summary>
    public double MeanLogLikelihood(Tensor x)
    {
        using var lp = LogProb(x);
        using var m = lp.Mean();
        return m.ToDouble();
    }

    /// <summary>n draws: a point x_i chosen uniformly, plus h times a standard normal (n, D), float64.</summary>
    public Tensor Sample(long n, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"KernelDensity.Sample: n must be >= 0; got {n}", nameof(n));
        using var s = Scope.Begin();
        var idx = Torch.Torch.RandInt(0, N, new[] { n }, generator, ScalarType.Int64, points.Device);        // (n)
        var eps = Torch.Torch.Randn(new[] { n, (long)D }, generator, ScalarType.Float64, points.Device);    // (n, D)
        return (points.IndexSelect(0, idx) + eps * Bandwidth).MoveToOuterScope();
    }

    private Tensor CheckQueries(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Dim != 2 || x.Size(1) != D)
            throw new ArgumentException($"KernelDensity: queries must be (Q, {D}) for this {D}-dimensional estimator; got shape [{string.Join(", ", x.Shape)}]", nameof(x));
        return x;
    }

    // ---- bandwidths ----

    /// <summary>Scott's factor n^(-1/(D+4)) (scipy's gaussian_kde.scotts_factor; scikit-learn's bandwidth='scott').</summary>
    public static double ScottFactor(long n, int d) => CheckNd(n, d, Math.Pow(n, -1.0 / (d + 4)));

    /// <summary>Silverman's factor (n (D + 2) / 4)^(-1/(D+4)) (scipy's silverman_factor; scikit-learn's bandwidth='silverman').</summary>
    public static double SilvermanFactor(long n, int d) => CheckNd(n, d, Math.Pow(n * (d + 2) / 4.0, -1.0 / (d + 4)));

    /// <summary>
    /// The data's scale for an isotropic kernel: sqrt((1/D) sum_d s_d^2), s_d^2 the unbiased (ddof = 1) variance of coordinate d.
    /// In 1-D it is the sample standard deviation, so factor x scale is scipy's gaussian_kde kernel standard deviation.
    /// </summary>
    public static double DataScale(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Dim != 2 || data.Size(0) < 2)
            throw new ArgumentException($"KernelDensity.DataScale: data must be (N, D) with N >= 2; got shape [{string.Join(", ", data.Shape)}]", nameof(data));
        using var s = Scope.Begin();
        return Math.Sqrt(data.To(ScalarType.Float64).Var(0, correction: 1).Mean().ToDouble());
    }

    /// <summary>
    /// h = factor(N, D) x <see cref="DataScale"/>: scipy's convention (the factor scales the data's spread) made isotropic.
    /// scikit-learn's bandwidth='scott'/'silverman' use the factor alone (as if the data were standardised).
    /// </summary>
    public static double RuleOfThumb(Tensor data, BandwidthRule rule)
    {
        var scale = DataScale(data);
        int d = checked((int)data.Size(1));
        var factor = rule == BandwidthRule.Scott ? ScottFactor(data.Size(0), d) : SilvermanFactor(data.Size(0), d);
        return factor * scale;
    }

    /// <summary>A KDE with the bandwidth of a rule of thumb.</summary>
    public static KernelDensity Fit(Tensor data, BandwidthRule rule) => new(data, RuleOfThumb(data, rule));

    /// <summary>
    /// DS-GA 1008 1.3: the bandwidth on <paramref name="grid"/> whose KDE over <paramref name="train"/> has the largest mean
    /// log-likelihood on <paramref name="validation"/> (the first on ties), with every grid value's validation log-likelihood.
    /// </summary>
    public static BandwidthSearch SelectBandwidth(Tensor train, Tensor validation, IReadOnlyList<double> grid, long memoryBudgetBytes = 16L << 20)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Count == 0) throw new ArgumentException("KernelDensity.SelectBandwidth: the grid is empty; pass bandwidths, e.g. KernelDensity.LogGrid(0.05, 5, 40)", nameof(grid));
        var scores = new double[grid.Count];
        var best = 0;
        for (var i = 0; i < grid.Count; i++)
        {
            using var kde = new KernelDensity(train, grid[i]) { MemoryBudgetBytes = memoryBudgetBytes };
            scores[i] = kde.MeanLogLikelihood(validation);
            if (scores[i] > scores[best]) best = i;
        }
        return new BandwidthSearch(grid[best], best, grid.ToArray(), scores);
    }

    /// <summary>n bandwidths spaced evenly in log from lo to hi inclusive.</summary>
    public static double[] LogGrid(double lo, double hi, int n)
    {
        if (!(lo > 0 && hi > lo) || double.IsInfinity(hi)) throw new ArgumentException($"KernelDensity.LogGrid: need 0 < lo < hi < inf; got [{lo}, {hi}]");
        if (n < 2) throw new ArgumentException($"KernelDensity.LogGrid: need at least 2 values; got {n}", nameof(n));
        return Enumerable.Range(0, n).Select(i => lo * Math.Pow(hi / lo, i / (double)(n - 1))).ToArray();
    }

    private static double CheckNd(long n, int d, double v) =>
        n >= 1 && d >= 1 ? v : throw new ArgumentException($"KernelDensity: bandwidth rules need n >= 1 points and D >= 1; got n = {n}, D = {d}");

    public void Dispose()
    {
        points.Dispose();
        centre.Dispose();
        augmented.Dispose();
    }
}
