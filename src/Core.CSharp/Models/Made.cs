// Made.cs: MADE (Germain et al. 2015) — masked linear layers with an order; Bernoulli outputs for binary data, exact log-likelihood, sampling in order.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>y = x (W ⊙ M)^T + b: a Linear layer ("weight", "bias", PyTorch's initialisation) whose weight is multiplied by the fixed 0/1 buffer "mask" (out, in).</summary>
public sealed class MaskedLinear : Module
{
    public long InFeatures { get; }
    public long OutFeatures { get; }

    public MaskedLinear(long inFeatures, long outFeatures, Tensor mask, Generator? generator = null, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!mask.Shape.SequenceEqual(new[] { outFeatures, inFeatures }))
            throw new ArgumentException($"MaskedLinear: mask must be (out, in) = ({outFeatures}, {inFeatures}), got {Bijector.Show(mask.Shape)}");
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        using var lin = new Linear(inFeatures, outFeatures, generator: generator, dtype: dtype);   // the same draws as Linear
        RegisterParameter("weight", lin.Weight.Detach().Clone());
        RegisterParameter("bias", lin.Bias!.Detach().Clone());
        RegisterBuffer("mask", mask.To(dtype ?? ScalarType.Float32));
    }

    public Tensor Weight => GetParameter("weight")!;
    public Tensor Bias => GetParameter("bias")!;
    /// <summary>(out, in).</summary>
    public Tensor Mask => GetBuffer("mask")!;

    public override Tensor Forward(Tensor x)
    {
        using var mw = Weight * Mask;
        return Functional.Linear(x, mw, Bias);
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}";
}

/// <summary>
/// MADE: an MLP whose masks make output d depend only on inputs before d in the order. With the order's ranks
/// r(d) in 1..D (input degrees), hidden unit k of a layer of width h gets degree m(k) = (k mod (D - 1)) + 1 when
/// h >= D - 1, else floor(k (D - 1) / h) + 1 (deterministic, degrees 1..D-1 spread as evenly as the width allows), and
/// <code>hidden mask M[k, j] = 1[m_l(k) >= m_{l-1}(j)],   output mask M[d, k] = 1[r(d) > m_L(k)],</code>
/// so output d sees exactly the inputs of rank &lt; r(d) (the first in the order sees none: its output is a constant).
/// Output layout: <c>outputsPerFeature</c> blocks of D, (B, K D) with parameter k of feature d at k D + d.
/// For binary data (K = 1) the outputs are Bernoulli logits:
/// <code>log p(x) = sum_d [x_d log sigma(l_d) + (1 - x_d) log(1 - sigma(l_d))],  l = MADE(x)  (exact).</code>
/// </summary>
public sealed class Made : Module
{
    public long Features { get; }
    public int OutputsPerFeature { get; }
    /// <summary>The rank r(d) in 1..D of each input d (the natural order is 1..D).</summary>
    public long[] Ranks { get; }
    public Sequential Net { get; }

    /// <param name="features">D (at least 2).</param>
    /// <param name="hidden">the hidden layer widths (ReLU between layers); with widths below D - 1 some degrees have no unit.</param>
    /// <param name="outputsPerFeature">K: 1 for Bernoulli logits, 2 for MAF's shift and log-scale.</param>
    /// <param name="order">the positions in the order they are generated (a permutation of 0..D-1); null: 0, 1, ..., D-1.</param>
    /// <param name="generator">draws the initial weights (PyTorch's Linear initialisation, layer by layer).</param>
    /// <param name="dtype">the parameters' dtype (default float32).</param>
    public Made(long features, IReadOnlyList<long> hidden, int outputsPerFeature = 1, long[]? order = null, Generator? generator = null, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (features < 2) throw new ArgumentException($"Made: need at least 2 features, got {features}");
        if (outputsPerFeature < 1) throw new ArgumentException($"Made: outputsPerFeature must be >= 1, got {outputsPerFeature}");
        if (hidden.Any(h => h < 1)) throw new ArgumentException($"Made: hidden widths must be positive, got [{string.Join(", ", hidden)}]");
        order ??= Enumerable.Range(0, (int)features).Select(i => (long)i).ToArray();
        if (order.Length != features || !order.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, (int)features).Select(i => (long)i)))
            throw new ArgumentException($"Made: order must be a permutation of 0..{features - 1}, got [{string.Join(", ", order)}]");
        (Features, OutputsPerFeature) = (features, outputsPerFeature);
        Ranks = new long[features];
        for (var i = 0; i < features; i++) Ranks[order[i]] = i + 1;

        Net = RegisterModule("net", new Sequential());
        var prev = Ranks;
        foreach (var h in hidden)
        {
            var deg = Enumerable.Range(0, (int)h).Select(k => Degree(k, h, features)).ToArray();
            Net.Append(new MaskedLinear(prev.Length, h, MaskOf(deg, prev, (o, i) => o >= i), generator, dtype)).Append(new ReLU());
            prev = deg;
        }
        var outDeg = Enumerable.Range(0, outputsPerFeature).SelectMany(_ => Ranks).ToArray();   // (K D)
        Net.Append(new MaskedLinear(prev.Length, outDeg.Length, MaskOf(outDeg, prev, (o, i) => o > i), generator, dtype));
    }

    /// <summary>m(k) = (k mod (D - 1)) + 1 when h >= D - 1, else floor(k (D - 1) / h) + 1 (spread evenly over 1..D-1).</summary>
    private static long Degree(long k, long h, long d) => h >= d - 1 ? k % (d - 1) + 1 : k * (d - 1) / h + 1;

    private static Tensor MaskOf(long[] outDeg, long[] inDeg, Func<long, long, bool> connect)
    {
        var m = new float[outDeg.Length * inDeg.Length];
        for (var o = 0; o < outDeg.Length; o++)
            for (var i = 0; i < inDeg.Length; i++)
                m[o * inDeg.Length + i] = connect(outDeg[o], inDeg[i]) ? 1f : 0f;
        return Torch.Torch.Tensor(m, outDeg.Length, inDeg.Length);   // (out, in)
    }

    /// <summary>(B, D) (or (B, ...) with D elements) -> (B, K D).</summary>
    public override Tensor Forward(Tensor x) => Net.Forward(Flat(x));

    /// <summary>log p(x) per example (B) for binary x (B, D) or (B, ...) under the Bernoulli outputs (K = 1), in nats.</summary>
    public Tensor LogProb(Tensor x)
    {
        if (OutputsPerFeature != 1) throw new InvalidOperationException($"Made.LogProb: Bernoulli outputs need outputsPerFeature = 1, this MADE has {OutputsPerFeature}");
        using var sc = Scope.Begin();
        var xf = Flat(x);
        var logits = Net.Forward(xf);                                        // (B, D)
        var nll = Functional.BinaryCrossEntropyWithLogits(logits, xf, reduction: Reduction.None);
        return nll.Sum(1).Neg().MoveToOuterScope();
    }

    /// <summary>The batch mean of -log p(x) in nats.</summary>
    public Tensor Loss(Tensor x)
    {
        using var sc = Scope.Begin();
        return LogProb(x).Mean().Neg().MoveToOuterScope();
    }

    /// <summary>n binary samples (n, D) drawn in the order, one pass of the network per feature (D passes).</summary>
    public Tensor Sample(long n, Generator? generator)
    {
        if (OutputsPerFeature != 1) throw new InvalidOperationException($"Made.Sample: Bernoulli outputs need outputsPerFeature = 1, this MADE has {OutputsPerFeature}");
        if (n <= 0) throw new ArgumentException($"Made.Sample: n must be positive, got {n}");
        using var ng = Autograd.NoGrad();
        var p = Parameters().First();
        var x = Torch.Torch.Zeros(new[] { n, Features }, p.Dtype, p.Device);
        var byRank = Enumerable.Range(0, (int)Features).OrderBy(d => Ranks[d]).ToArray();
        foreach (var d in byRank)
        {
            using var sc = Scope.Begin();
            var probs = Net.Forward(x).Select(1, d).Sigmoid();                   // (n)
            x.Select(1, d).Copy_(Torch.Torch.Bernoulli(probs, generator));
        }
        return x;
    }

    /// <summary>(B, D) or (B, ...) with D elements -> (B, D), or an error naming the shape wanted.</summary>
    internal Tensor Flat(Tensor x)
    {
        if (x.Dim < 2 || x.Shape.Skip(1).Aggregate(1L, (a, d) => a * d) != Features)
            throw new ArgumentException($"Made: input must be (B, {Features}) or (B, ...) with {Features} elements per example, got {Bijector.Show(x.Shape)}");
        return x.Dim == 2 ? x.Alias() : x.Flatten(1);                       // (B, D)
    }
}

/// <summary>
/// MADE with mixture-of-Gaussians conditionals for real vectors (MADE-MoG, Papamakarios et al. 2017): each feature d gets
/// C logits a, means m and log-scales s from its predecessors in the order (a MADE with 3C outputs per feature, block
/// c of the logits at c D + d, of the means at (C + c) D + d, of the log-scales at (2C + c) D + d), and
/// <code>log p(x) = sum_d log sum_c softmax(a_d)_c N(x_d; m_dc, exp(s_dc)^2)   (exact).</code>
/// One component (C = 1) is a Gaussian MADE: a one-layer MAF's density.
/// </summary>
public sealed class MadeMixture : Module
{
    public Made Made { get; }
    public int Components { get; }
    public long Features => Made.Features;

    public MadeMixture(long features, IReadOnlyList<long> hidden, int components, long[]? order = null, Generator? generator = null, ScalarType? dtype = null)
    {
        if (components < 1) throw new ArgumentException($"MadeMixture: components must be >= 1, got {components}");
        Components = components;
        Made = RegisterModule("made", new Made(features, hidden, 3 * components, order, generator, dtype));
    }

    /// <summary>The conditionals' (logits, means, log-scales), each (B, C, D), for x (B, D) or (B, ...) with D elements.</summary>
    public (Tensor Logits, Tensor Means, Tensor LogScales) Conditionals(Tensor x)
    {
        using var sc = Scope.Begin();
        var h = Made.Forward(x).View(x.Size(0), 3, Components, Features);     // (B, 3, C, D)
        return (h.Select(1, 0).MoveToOuterScope(), h.Select(1, 1).MoveToOuterScope(), h.Select(1, 2).MoveToOuterScope());
    }

    /// <summary>log p(x) per example (B) in nats, x (B, D) or (B, ...) with D elements.</summary>
    public Tensor LogProb(Tensor x)
    {
        using var sc = Scope.Begin();
        var xf = Made.Flat(x);                                                  // (B, D)
        var (a, m, s) = Conditionals(xf);
        var z = (xf.Unsqueeze(1) - m) * s.Neg().Exp();                         // (B, C, D)
        var logN = z.Square() * -0.5 - s - 0.5 * Math.Log(2 * Math.PI);
        return (a.LogSoftmax(1) + logN).LogSumExp(1).Sum(1).MoveToOuterScope();
    }

    /// <summary>The batch mean of -log p(x) in nats.</summary>
    public Tensor Loss(Tensor x)
    {
        using var sc = Scope.Begin();
        return LogProb(x).Mean().Neg().MoveToOuterScope();
    }

    /// <summary>n samples (n, D) drawn in the order: a component from the softmax, then its Gaussian (D passes).</summary>
    public Tensor Sample(long n, Generator? generator)
    {
        if (n <= 0) throw new ArgumentException($"MadeMixture.Sample: n must be positive, got {n}");
        using var ng = Autograd.NoGrad();
        var p = Parameters().First();
        var x = Torch.Torch.Zeros(new[] { n, Features }, p.Dtype, p.Device);
        foreach (var d in Enumerable.Range(0, (int)Features).OrderBy(d => Made.Ranks[d]))
        {
            using var sc = Scope.Begin();
            var (a, m, s) = Conditionals(x);
            var c = Torch.Torch.Multinomial(a.Select(2, d).Softmax(1), 1, replacement: true, generator);   // (n, 1)
            var mu = m.Select(2, d).Gather(1, c).Squeeze(1);                                                 // (n)
            var sd = s.Select(2, d).Gather(1, c).Squeeze(1).Exp();
            x.Select(1, d).Copy_(mu + sd * Torch.Torch.RandnLike(mu, generator));
        }
        return x;
    }
}

/// <summary>
/// MAF's masked autoregressive layer (Papamakarios et al. 2017) on a MADE ("made") with K = 2 outputs (mu, alpha):
/// <code>z_d = (x_d - mu_d(x_&lt;d)) exp(-alpha_d(x_&lt;d)),   log|det dz/dx| = -sum_d alpha_d   (one pass);</code>
/// the inverse x_d = z_d exp(alpha_d) + mu_d takes D passes in the order.
/// </summary>
public sealed class MaskedAutoregressive : Bijector
{
    public Made Made { get; }

    public MaskedAutoregressive(long features, IReadOnlyList<long> hidden, long[]? order = null, Generator? generator = null, ScalarType? dtype = null) =>
        Made = RegisterModule("made", new Made(features, hidden, 2, order, generator, dtype));

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        using var sc = Scope.Begin();
        var (mu, alpha) = MuAlpha(x);
        var z = (x - mu) * alpha.Neg().Exp();
        return (z.MoveToOuterScope(), alpha.Sum(1).Neg().MoveToOuterScope());
    }

    public override Tensor Inverse(Tensor z)
    {
        Check(z);
        using var sc = Scope.Begin();
        var x = Torch.Torch.ZerosLike(z);
        for (var k = 0; k < Made.Features; k++)              // after pass k the first k + 1 features in the order are exact
        {
            var (mu, alpha) = MuAlpha(x);
            x = z * alpha.Exp() + mu;
        }
        return x.MoveToOuterScope();
    }

    private (Tensor Mu, Tensor Alpha) MuAlpha(Tensor x)
    {
        Check(x);
        var h = Made.Forward(x).View(x.Size(0), 2, Made.Features);          // (B, 2, D)
        return (h.Select(1, 0), h.Select(1, 1));
    }

    private void Check(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != Made.Features)
            throw new ArgumentException($"MaskedAutoregressive: input must be (B, {Made.Features}), got {Show(x.Shape)}");
    }
}
