// Bijector.cs: the bijector contract (forward with log|det J|, inverse) and the normalizing flow: a base distribution plus a list of bijectors.
using GenDsl.Distributions;
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// An invertible map f on batches, in the data-to-latent direction: z = f(x), x (B, *event), with
/// log|det df/dx| per example (B). Inverse maps latents back to data. Change of variables:
/// <code>log p_X(x) = log p_Z(f(x)) + log|det df/dx|.</code>
/// A bijector may change the event shape (Squeeze does); <see cref="OutputShape"/> says how.
/// </summary>
public abstract class Bijector : Module
{
    /// <summary>(z, log|det df/dx|): z of the output event shape, the log-determinant per example (B).</summary>
    public abstract (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x);

    /// <summary>x = f^{-1}(z).</summary>
    public abstract Tensor Inverse(Tensor z);

    /// <summary>z = f(x) without the log-determinant.</summary>
    public override Tensor Forward(Tensor x)
    {
        var (z, ld) = ForwardAndLogDet(x);
        ld.Dispose();
        return z;
    }

    /// <summary>The event shape of z for an event shape of x (the same unless the bijector reshapes).</summary>
    public virtual long[] OutputShape(long[] eventShape) => eventShape;

    internal static Tensor ZeroLogDet(Tensor x) => Torch.Torch.Zeros(new[] { x.Size(0) }, x.Dtype, x.Device);

    internal static string Show(long[] shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>The factorised base density p_Z of a flow: N(0, 1) or the standard logistic per element.</summary>
public enum FlowBase { Gaussian, Logistic }

/// <summary>
/// A normalizing flow: z = f_K o ... o f_1 (x) with z ~ p_Z (factorised over every element of the latent), so
/// <code>log p_X(x) = sum_i log p_Z(z_i) + sum_k log|det df_k/dh_{k-1}|,
/// log p_Z(z) = -z^2/2 - log(2 pi)/2 (Gaussian) or -(softplus(z) + softplus(-z)) (logistic).</code>
/// Inputs are (B, *EventShape), or any (B, ...) with as many elements per example (they are reshaped). Bijectors are
/// registered as "bijectors.k". NICE (Nice.cs) is the value <see cref="Nice"/> of this family, with the same numbers.
/// </summary>
public sealed class NormalizingFlow : Module
{
    public long[] EventShape { get; }
    /// <summary>The latent's event shape after every bijector (the event shape unless one reshapes, e.g. Squeeze).</summary>
    public long[] LatentShape { get; }
    public FlowBase Base { get; }
    public ModuleList Bijectors { get; }

    public NormalizingFlow(long[] eventShape, IEnumerable<Bijector> bijectors, FlowBase baseDistribution = FlowBase.Gaussian)
    {
        ArgumentNullException.ThrowIfNull(eventShape);
        ArgumentNullException.ThrowIfNull(bijectors);
        if (eventShape.Length == 0 || eventShape.Any(d => d < 1))
            throw new ArgumentException($"NormalizingFlow: eventShape must be non-empty with positive sizes, got {Bijector.Show(eventShape)}; give (D) for vectors or (C, H, W) for images");
        (EventShape, Base) = (eventShape.ToArray(), baseDistribution);
        Bijectors = RegisterModule("bijectors", new ModuleList());
        var shape = EventShape;
        foreach (var b in bijectors)
        {
            Bijectors.Append(b ?? throw new ArgumentException("NormalizingFlow: a bijector in the list is null"));
            shape = b.OutputShape(shape);
        }
        LatentShape = shape;
    }

    /// <summary>(z, sum of log-determinants (B)): x (B, ...) -> z (B, *LatentShape).</summary>
    public (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        using var s = Scope.Begin();
        var h = Shaped(x, EventShape, "input");                 // (B, *EventShape)
        var total = Bijector.ZeroLogDet(h);
        foreach (var m in Bijectors)
        {
            var (z, ld) = ((Bijector)m).ForwardAndLogDet(h);
            (h, total) = (z, total + ld);
        }
        return (h.MoveToOuterScope(), total.MoveToOuterScope());
    }

    public override Tensor Forward(Tensor x)
    {
        var (z, ld) = ForwardAndLogDet(x);
        ld.Dispose();
        return z;
    }

    /// <summary>x = f_1^{-1} o ... o f_K^{-1}(z): z (B, ...) -> x (B, *EventShape).</summary>
    public Tensor Inverse(Tensor z)
    {
        using var s = Scope.Begin();
        var h = Shaped(z, LatentShape, "latent");
        for (var k = Bijectors.Count - 1; k >= 0; k--) h = ((Bijector)Bijectors[k]).Inverse(h);
        return h.MoveToOuterScope();
    }

    /// <summary>log p_Z(z) summed over every element of each example: (B, ...) -> (B).</summary>
    public Tensor BaseLogProb(Tensor z)
    {
        using var s = Scope.Begin();
        var lp = Base == FlowBase.Logistic ? (z.Softplus() + z.Neg().Softplus()).Neg() : -0.5 * z.Square() - Normal.HalfLog2Pi;
        return lp.Flatten(1).Sum(1).MoveToOuterScope();       // (B)
    }

    /// <summary>log p_X(x) in nats per example (B).</summary>
    public Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var (z, ld) = ForwardAndLogDet(x);
        return (BaseLogProb(z) + ld).MoveToOuterScope();
    }

    /// <summary>The training objective: the batch mean of -log p_X(x).</summary>
    public Tensor Loss(Tensor x)
    {
        using var s = Scope.Begin();
        return LogProb(x).Mean().Neg().MoveToOuterScope();
    }

    /// <summary>n samples x = f^{-1}(T z), z ~ p_Z (T: the temperature); (n, *EventShape), no graph recorded.</summary>
    public Tensor Sample(long n, Generator? generator, double temperature = 1.0)
    {
        if (n <= 0) throw new ArgumentException($"NormalizingFlow.Sample: n must be positive, got {n}");
        if (!(temperature > 0)) throw new ArgumentException($"NormalizingFlow.Sample: temperature must be positive, got {temperature}");
        using var ng = Autograd.NoGrad();
        using var s = Scope.Begin();
        var p = Parameters().FirstOrDefault();
        var (dtype, device) = p is null ? (ScalarType.Float32, Device.CPU) : (p.Dtype, p.Device);
        var shape = new[] { n }.Concat(LatentShape).ToArray();
        Tensor z;
        if (Base == FlowBase.Logistic)
        {
            var u = Torch.Torch.Rand(shape, generator, dtype, device).Clamp(1e-7, 1 - 1e-7);
            z = u.Log() - (1.0 - u).Log();                      // the logistic quantile log(u / (1 - u))
        }
        else z = Torch.Torch.Randn(shape, generator, dtype, device);
        return Inverse(z * temperature).MoveToOuterScope();
    }

    private static Tensor Shaped(Tensor x, long[] eventShape, string what)
    {
        var per = eventShape.Aggregate(1L, (a, d) => a * d);
        if (x.Dim < 2 || x.Shape.Skip(1).Aggregate(1L, (a, d) => a * d) != per)
            throw new ArgumentException($"NormalizingFlow: the {what} must be (B, {string.Join(", ", eventShape)}) or (B, ...) with {per} elements per example, got {Bijector.Show(x.Shape)}");
        return x.Shape.Skip(1).SequenceEqual(eventShape) ? x.Alias() : x.Reshape(new[] { x.Size(0) }.Concat(eventShape).ToArray());   // (B, *event)
    }

    // ---- members of the family ----

    /// <summary>
    /// NICE as a flow: the same layers and parameter draws as <see cref="Models.Nice.Mlp"/> (additive couplings on
    /// alternating contiguous halves, then a diagonal scaling), so one seed gives the same parameters and log-densities.
    /// </summary>
    public static NormalizingFlow Nice(long features = 784, int couplingBlocks = 4, int hiddenLayers = 5, long hidden = 1000,
        FlowBase baseDistribution = FlowBase.Logistic, Generator? generator = null, ScalarType? dtype = null)
    {
        if (features < 2) throw new ArgumentException($"NormalizingFlow.Nice: need at least 2 features, got {features}");
        if (couplingBlocks < 1) throw new ArgumentException($"NormalizingFlow.Nice: need at least one coupling block, got {couplingBlocks}");
        var net = Models.Nice.MlpNet(hiddenLayers, hidden, generator, dtype);
        var half = features / 2;
        var layers = new List<Bijector>();
        for (var i = 0; i < couplingBlocks; i++)
        {
            var reverse = i % 2 == 1;
            layers.Add(new AdditiveCoupling(features, reverse, reverse ? net(features - half, half) : net(half, features - half)));
        }
        layers.Add(new DiagonalScaling(features, dtype));
        return new NormalizingFlow(new[] { features }, layers, baseDistribution);
    }

    /// <summary>
    /// RealNVP on vectors: <c>couplings</c> x [ActNorm, affine coupling on alternating halves], each coupling network an
    /// MLP (hiddenLayers x hidden, ReLU) from the conditioning half to (shift, raw log-scale) of the other half.
    /// </summary>
    public static NormalizingFlow RealNvp(long features, int couplings = 4, int hiddenLayers = 2, long hidden = 64,
        FlowBase baseDistribution = FlowBase.Gaussian, Generator? generator = null, ScalarType? dtype = null)
    {
        if (features < 2) throw new ArgumentException($"NormalizingFlow.RealNvp: need at least 2 features, got {features}");
        if (couplings < 1) throw new ArgumentException($"NormalizingFlow.RealNvp: couplings must be >= 1 (2 or more update every feature), got {couplings}");
        var half = features / 2;
        var layers = new List<Bijector>();
        for (var i = 0; i < couplings; i++)
        {
            var reverse = i % 2 == 1;
            var (cond, moved) = reverse ? (features - half, half) : (half, features - half);
            layers.Add(new ActNorm(features, dtype: dtype));
            layers.Add(new AffineCoupling(features, reverse, Mlp.Create(cond, hidden, hiddenLayers, 2 * moved, generator: generator, dtype: dtype)));
        }
        return new NormalizingFlow(new[] { features }, layers, baseDistribution);
    }

    /// <summary>
    /// A Glow-style image flow on (C, H, W) (H, W even): Squeeze to (4C, H/2, W/2), then <c>steps</c> x [ActNorm,
    /// invertible 1x1 convolution, affine coupling with a channel mask (alternating halves)], each coupling network
    /// conv3x3(4C, hidden), ReLU, conv1x1(hidden, hidden), ReLU, conv3x3(hidden, 8C).
    /// </summary>
    public static NormalizingFlow Glow(long channels, long height, long width, int steps = 4, long hidden = 64,
        FlowBase baseDistribution = FlowBase.Gaussian, Generator? generator = null, ScalarType? dtype = null)
    {
        if (steps < 1) throw new ArgumentException($"NormalizingFlow.Glow: steps must be >= 1, got {steps}");
        var sq = new Squeeze();
        var shape = sq.OutputShape(new[] { channels, height, width });   // (4C, H/2, W/2)
        var c = shape[0];
        var layers = new List<Bijector> { sq };
        for (var i = 0; i < steps; i++)
        {
            layers.Add(new ActNorm(c, spatialDims: 2, dtype: dtype));
            layers.Add(new InvertibleConv1x1(c, generator, dtype));
            var net = new Sequential(new Conv2d(c, hidden, 3, padding: 1, generator: generator, dtype: dtype), new ReLU(),
                new Conv2d(hidden, hidden, 1, generator: generator, dtype: dtype), new ReLU(),
                new Conv2d(hidden, 2 * c, 3, padding: 1, generator: generator, dtype: dtype));
            layers.Add(new MaskedCoupling(CouplingMask.Channel(shape, i % 2 == 1), net, affine: true));
        }
        return new NormalizingFlow(new[] { channels, height, width }, layers, baseDistribution);
    }

    /// <summary>
    /// MAF: <c>layers</c> masked autoregressive layers (each a MADE with the given hidden sizes) with the order reversed
    /// between layers (a reverse permutation after each but the last).
    /// </summary>
    public static NormalizingFlow Maf(long features, int layers = 4, IReadOnlyList<long>? hidden = null,
        FlowBase baseDistribution = FlowBase.Gaussian, Generator? generator = null, ScalarType? dtype = null)
    {
        if (layers < 1) throw new ArgumentException($"NormalizingFlow.Maf: layers must be >= 1, got {layers}");
        var list = new List<Bijector>();
        for (var i = 0; i < layers; i++)
        {
            list.Add(new MaskedAutoregressive(features, hidden ?? new long[] { 64, 64 }, generator: generator, dtype: dtype));
            if (i < layers - 1) list.Add(Permutation.Reverse(features));
        }
        return new NormalizingFlow(new[] { features }, list, baseDistribution);
    }
}
