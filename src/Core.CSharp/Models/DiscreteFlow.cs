// DiscreteFlow.cs: a discrete normalising flow of modular-addition coupling layers (ECE 8803 P7 bonus), exact likelihood, trained exactly.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// One coupling layer on x in {0..K-1}^D: y_t = (x_t + Shift[x_c]) mod K, every other coordinate unchanged.
/// It is a bijection of the finite set (inverse: x_t = (y_t - Shift[y_c]) mod K, since y_c = x_c), so no Jacobian
/// term appears: mass moves point to point and P_x(x) = P_y(f(x)).
/// </summary>
public sealed class ModularCouplingLayer
{
    public int Condition { get; }
    public int Target { get; }
    public long[] Shift { get; }
    public int K => Shift.Length;

    public ModularCouplingLayer(int condition, int target, int k)
    {
        if (condition == target) throw new ArgumentException("ModularCouplingLayer: the conditioning and target coordinates must differ");
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), "need K >= 2 categories");
        Condition = condition; Target = target; Shift = new long[k];
    }

    private Tensor Apply(Tensor x, int sign)
    {
        using var s = Scope.Begin();
        var shift = Torch.Torch.Tensor<long>(Shift).IndexSelect(0, x.Select(1, Condition).Contiguous()); // (N)
        var t = (x.Select(1, Target) + sign * shift).Remainder(K);                                       // (N), in [0, K)
        var y = x.Clone();
        y.Select(1, Target).Copy_(t);
        return y.MoveToOuterScope();
    }

    public Tensor Forward(Tensor x) => Apply(x, +1);
    public Tensor Inverse(Tensor y) => Apply(y, -1);
}

/// <summary>
/// P(x) = prod_d Base[d, f(x)_d] with f a stack of <see cref="ModularCouplingLayer"/>s and a factorised categorical
/// base (D, K). Training (<see cref="Fit"/>) alternates exact maximisations of the log-likelihood: the base given f
/// (empirical marginals of f(x)) and each layer's shift table entry given everything else (all K choices tried,
/// the base refitted for each), so with smoothing 0 the training log-likelihood never decreases. Data: int64 (N, D) with values in [0, K).
/// </summary>
public sealed class DiscreteFlow
{
    public int K { get; }
    public int D { get; }
    public IReadOnlyList<ModularCouplingLayer> Layers { get; }
    /// <summary>log base probabilities (D, K).</summary>
    public Tensor BaseLogProbs { get; private set; }

    public DiscreteFlow(int k, int d, IReadOnlyList<(int Condition, int Target)> couplings)
    {
        if (d < 2) throw new ArgumentOutOfRangeException(nameof(d), "a coupling flow needs D >= 2 coordinates");
        foreach (var (c, t) in couplings)
            if (c < 0 || c >= d || t < 0 || t >= d) throw new ArgumentOutOfRangeException(nameof(couplings), $"coupling ({c} -> {t}) names a coordinate outside 0..{d - 1}");
        K = k; D = d;
        Layers = couplings.Select(ct => new ModularCouplingLayer(ct.Condition, ct.Target, k)).ToList();
        BaseLogProbs = Torch.Torch.Full(new long[] { d, k }, -Math.Log(k), ScalarType.Float64).DetachFromScope();
    }

    private void Check(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != D || x.Dtype != ScalarType.Int64)
            throw new ArgumentException($"DiscreteFlow: data must be int64 (N, {D}), got {x.Dtype} [{string.Join(", ", x.Shape)}]");
        using var bad = x.Lt(0L).LogicalOr(x.Ge((long)K)).Any();
        if (bad.Item<bool>()) throw new ArgumentException($"DiscreteFlow: values must lie in 0..{K - 1}");
    }

    public Tensor Forward(Tensor x)
    {
        Check(x);
        using var s = Scope.Begin();
        var y = x;
        foreach (var l in Layers) y = l.Forward(y);
        return y.Clone().MoveToOuterScope();
    }

    public Tensor Inverse(Tensor y)
    {
        Check(y);
        using var s = Scope.Begin();
        var x = y;
        for (var i = Layers.Count - 1; i >= 0; i--) x = Layers[i].Inverse(x);
        return x.Clone().MoveToOuterScope();
    }

    /// <summary>log P(x) = sum_d log Base[d, f(x)_d]: (N).</summary>
    public Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var y = Forward(x);                                             // (N, D)
        var r = BaseLogProbs.Unsqueeze(0).Expand(y.Size(0), D, K).Gather(2, y.Unsqueeze(2)).Squeeze(2).Sum(1);
        return r.MoveToOuterScope();
    }

    public double MeanLogLikelihood(Tensor x) { using var l = LogProb(x); using var m = l.Mean(); return m.ToDouble(); }

    /// <summary>x = f^{-1}(y), y_d ~ Base[d] independently: n samples (n, D).</summary>
    public Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        var y = Torch.Torch.Multinomial(BaseLogProbs.Exp(), n, replacement: true, generator).T.Contiguous(); // (n, D)
        return Inverse(y).MoveToOuterScope();
    }

    private void FitBase(Tensor x, double smoothing)
    {
        using var s = Scope.Begin();
        var y = Forward(x);
        var counts = Torch.Torch.Zeros(new long[] { D, K }, ScalarType.Float64)
            .ScatterAdd(1, y.T.Contiguous(), Torch.Torch.Ones(new long[] { D, y.Size(0) }, ScalarType.Float64)); // (D, K)
        var lp = (counts + smoothing).Log();
        BaseLogProbs.Dispose();
        BaseLogProbs = (lp - lp.LogSumExp(1, keepdim: true)).DetachFromScope();
    }

    /// <summary>
    /// Coordinate ascent on the exact training log-likelihood for <paramref name="sweeps"/> sweeps; returns the mean
    /// log-likelihood after each (the curve starts with the initial value). <paramref name="smoothing"/> &gt; 0 is added to
    /// each base count (a Dirichlet prior) so values unseen in training keep non-zero mass (the objective is then the posterior).
    /// </summary>
    public IReadOnlyList<double> Fit(Tensor x, int sweeps = 3, double smoothing = 0)
    {
        Check(x);
        FitBase(x, smoothing);
        var curve = new List<double> { MeanLogLikelihood(x) };
        for (var sweep = 0; sweep < sweeps; sweep++)
        {
            foreach (var layer in Layers)
                for (var v = 0; v < K; v++)
                {
                    long best = layer.Shift[v]; var bestLl = double.NegativeInfinity;
                    for (long c = 0; c < K; c++)
                    {
                        layer.Shift[v] = c;
                        FitBase(x, smoothing);
                        var ll = MeanLogLikelihood(x);
                        if (ll > bestLl + 1e-12) { bestLl = ll; best = c; }
                    }
                    layer.Shift[v] = best;
                    FitBase(x, smoothing);
                }
            curve.Add(MeanLogLikelihood(x));
        }
        return curve;
    }
}
