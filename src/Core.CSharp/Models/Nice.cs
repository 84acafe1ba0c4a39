// Nice.cs: NICE (Dinh et al. 2014) — additive coupling layers on alternating halves, a diagonal scaling layer, a logistic or Gaussian prior.
using GenDsl.Distributions;
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>The factorised prior p_Z of NICE: the standard logistic (the paper's choice for MNIST) or N(0, 1) per dim.</summary>
public enum NicePrior { Logistic, Gaussian }

/// <summary>
/// Additive coupling on halves: x = (a, b) with a = x[:, :D/2] and b = x[:, D/2:]. Not reversed: (a, b) -> (a, b + m(a));
/// reversed: (a, b) -> (a + m(b), b). The Jacobian is unit-triangular, so log|det| = 0; the inverse subtracts m.
/// The network m is registered as "net" (it maps D/2 features to D - D/2, or the reverse when reversed).
/// </summary>
public sealed class AdditiveCoupling : Bijector
{
    public long Features { get; }
    public bool Reverse { get; }
    public Module Net { get; }

    public AdditiveCoupling(long features, bool reverse, Module net)
    {
        if (features < 2) throw new ArgumentException($"AdditiveCoupling: need at least 2 features to split in halves, got {features}");
        (Features, Reverse) = (features, reverse);
        Net = RegisterModule("net", net ?? throw new ArgumentNullException(nameof(net)));
    }

    /// <summary>Data to latent direction: adds m(conditioning half) to the other half. (B, D) -> (B, D).</summary>
    public override Tensor Forward(Tensor x) => Couple(x, +1);

    /// <summary>Latent to data direction: subtracts m(conditioning half). (B, D) -> (B, D).</summary>
    public override Tensor Inverse(Tensor y) => Couple(y, -1);

    /// <summary>(z, log|det|) with log|det| = 0 per example (B): the Jacobian is unit-triangular.</summary>
    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x) =>
        (Couple(x, +1), Torch.Torch.Zeros(new[] { x.Size(0) }, x.Dtype, x.Device));

    private Tensor Couple(Tensor x, double sign)
    {
        if (x.Dim != 2 || x.Size(1) != Features)
            throw new ArgumentException($"AdditiveCoupling: input must be (B, {Features}), got [{string.Join(", ", x.Shape)}]");
        using var s = Scope.Begin();
        var half = Features / 2;
        var a = x.Narrow(1, 0, half);                  // (B, D/2)
        var b = x.Narrow(1, half, Features - half);    // (B, D - D/2)
        var (cond, moved) = Reverse ? (b, a) : (a, b);
        var shift = Net.Forward(cond);
        if (!shift.Shape.SequenceEqual(moved.Shape))
            throw new ArgumentException($"AdditiveCoupling: the coupling network maps [{string.Join(", ", cond.Shape)}] to [{string.Join(", ", shift.Shape)}] " +
                                        $"but must give [{string.Join(", ", moved.Shape)}] (its output size is the other half's)");
        var updated = moved + sign * shift;
        var r = Reverse ? Torch.Torch.Cat(new[] { updated, b }, 1) : Torch.Torch.Cat(new[] { a, updated }, 1);   // (B, D)
        return r.MoveToOuterScope();
    }

    protected override string ExtraRepr() => $"features={Features}, reverse={(Reverse ? "True" : "False")}";
}

/// <summary>The diagonal scaling layer z = x exp(s) with s = "log_scale" (1, D), starting at 0; log|det| = sum_j s_j.</summary>
public sealed class DiagonalScaling : Bijector
{
    public DiagonalScaling(long features, ScalarType? dtype = null) =>
        RegisterParameter("log_scale", Torch.Torch.Zeros(new[] { 1L, features }, dtype ?? ScalarType.Float32));

    /// <summary>(1, D).</summary>
    public Tensor LogScale => GetParameter("log_scale")!;

    public override Tensor Forward(Tensor x) { using var e = LogScale.Exp(); return x * e; }
    public override Tensor Inverse(Tensor z) { using var e = LogScale.Neg().Exp(); return z * e; }
    /// <summary>(x exp(s), sum_j s_j per example (B)).</summary>
    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        using var ld = LogAbsDet();
        return (Forward(x), ld.Expand(x.Size(0)).Contiguous());
    }
    /// <summary>sum_j s_j (a scalar), the same for every example.</summary>
    public Tensor LogAbsDet() => LogScale.Sum();
}

/// <summary>
/// NICE (ECE 8803 PS2 P4 "NICE vs VAE"): z = S (c_K o ... o c_1)(x), with additive couplings c_k on alternating halves
/// (block 0 updates the second half from the first, block 1 the first from the second, ...; the split is contiguous
/// halves, as in pytorch-generative, not a checkerboard) and a diagonal scaling S = diag(exp s). By change of variables
/// <code>log p_X(x) = sum_j log p_Z(z_j) + sum_j s_j,   log p_Z = -(softplus(z) + softplus(-z)) (logistic) or -z^2/2 - log(2 pi)/2.</code>
/// Convention: x is the dequantised data (pixel + u) / 256, u ~ U(0, 1), in [0, 1]^D (inputs (B, D) or (B, C, H, W),
/// flattened to (B, D)); <see cref="LogProb"/> is the continuous density of that x in nats, and
/// <see cref="GenDsl.Inference.BitsPerDim"/> turns it into bits per dim of the 8-bit data.
/// Submodules "net" (a Sequential of couplings, each with its "net") and "scaling" ("log_scale") match the state dict
/// of bench/nice/nice_torch.py.
/// </summary>
public sealed class Nice : Module
{
    public long Features { get; }
    public NicePrior Prior { get; }
    public Sequential Couplings { get; }
    public DiagonalScaling Scaling { get; }

    /// <param name="features">D, the numbers per example (flat).</param>
    /// <param name="couplingBlocks">the number of additive coupling layers (halves alternate).</param>
    /// <param name="couplingNet">makes each coupling network from (input features, output features): D/2 -> D - D/2 or the reverse.</param>
    /// <param name="prior">the prior of the latent code: logistic (the paper's) or standard normal.</param>
    /// <param name="dtype">the parameters' dtype (default float32).</param>
    public Nice(long features, int couplingBlocks, Func<long, long, Module> couplingNet, NicePrior prior = NicePrior.Logistic, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(couplingNet);
        if (features < 2) throw new ArgumentException($"Nice: need at least 2 features, got {features}");
        if (couplingBlocks < 1) throw new ArgumentException($"Nice: need at least one coupling block (3 or more let every dim influence every other), got {couplingBlocks}");
        (Features, Prior) = (features, prior);
        var half = features / 2;
        Couplings = RegisterModule("net", new Sequential());
        for (var i = 0; i < couplingBlocks; i++)
        {
            var reverse = i % 2 == 1;
            Couplings.Append(new AdditiveCoupling(features, reverse, reverse ? couplingNet(features - half, half) : couplingNet(half, features - half)));
        }
        Scaling = RegisterModule("scaling", new DiagonalScaling(features, dtype));
    }

    /// <summary>
    /// The seed's setting (pytorch-generative's defaults): D = 784, 4 coupling blocks, each an MLP with 5 hidden layers of
    /// 1000 ReLU units (Linear(392, 1000), ReLU, 4 x [Linear(1000, 1000), ReLU], Linear(1000, 392)), logistic prior.
    /// </summary>
    public static Nice Mlp(long features = 784, int couplingBlocks = 4, int hiddenLayers = 5, long hidden = 1000,
        NicePrior prior = NicePrior.Logistic, Generator? generator = null, ScalarType? dtype = null) =>
        new(features, couplingBlocks, MlpNet(hiddenLayers, hidden, generator, dtype), prior, dtype);

    /// <summary>A coupling-network factory: Linear(in, hidden), ReLU, (hiddenLayers - 1) x [Linear(hidden, hidden), ReLU], Linear(hidden, out).</summary>
    public static Func<long, long, Module> MlpNet(int hiddenLayers, long hidden, Generator? generator = null, ScalarType? dtype = null)
    {
        if (hiddenLayers < 1 || hidden < 1) throw new ArgumentException($"Nice.MlpNet: need hiddenLayers >= 1 and hidden >= 1, got {hiddenLayers} and {hidden}");
        return (inF, outF) =>
        {
            var seq = new Sequential(new Linear(inF, hidden, generator: generator, dtype: dtype), new ReLU());
            for (var i = 1; i < hiddenLayers; i++) seq.Append(new Linear(hidden, hidden, generator: generator, dtype: dtype)).Append(new ReLU());
            return seq.Append(new Linear(hidden, outF, generator: generator, dtype: dtype));
        };
    }

    /// <summary>z = f(x) (B, D) for x (B, D) or (B, ...) with D elements per example (the data-to-latent map).</summary>
    public override Tensor Forward(Tensor x)
    {
        using var s = Scope.Begin();
        var h = Flat(x);                                     // (B, D)
        foreach (var c in Couplings) h = c.Forward(h);
        return Scaling.Forward(h).MoveToOuterScope();
    }

    /// <summary>(z, log|det df/dx|) with z (B, D) and the log-determinant per example (B) = sum_j s_j (couplings add 0).</summary>
    public (Tensor Z, Tensor LogDet) ForwardWithLogDet(Tensor x)
    {
        var z = Forward(x);
        using var ld = Scaling.LogAbsDet();
        return (z, ld.Expand(z.Size(0)).Contiguous());
    }

    /// <summary>x = f^{-1}(z): undo the scaling, then the couplings in reverse order. (B, D) -> (B, D).</summary>
    public Tensor Inverse(Tensor z)
    {
        using var s = Scope.Begin();
        var h = Scaling.Inverse(Flat(z));                   // (B, D)
        for (var i = Couplings.Count - 1; i >= 0; i--) h = ((AdditiveCoupling)Couplings[i]).Inverse(h);
        return h.MoveToOuterScope();
    }

    /// <summary>log p_Z(z) summed over dims: (B, D) -> (B).</summary>
    public Tensor PriorLogProb(Tensor z)
    {
        using var s = Scope.Begin();
        var lp = Prior == NicePrior.Logistic ? (z.Softplus() + z.Neg().Softplus()).Neg() : -0.5 * z.Square() - Normal.HalfLog2Pi;
        return lp.Sum(1).MoveToOuterScope();
    }

    /// <summary>log p_X(x) in nats per example (B): the continuous density of the dequantised x (see the class comment).</summary>
    public Tensor LogProb(Tensor x)
    {
        using var s = Scope.Begin();
        var (z, ld) = ForwardWithLogDet(x);
        return (PriorLogProb(z) + ld).MoveToOuterScope();
    }

    /// <summary>The training objective: the batch mean of -log p_X(x) (a scalar to minimise).</summary>
    public Tensor Loss(Tensor x)
    {
        using var l = LogProb(x);
        using var m = l.Mean();
        return m.Neg();
    }

    /// <summary>
    /// n samples x = f^{-1}(T z), z drawn from the prior and scaled by the temperature T (T &lt; 1: smoother, less varied
    /// samples); (n, D), no graph recorded.
    /// </summary>
    public Tensor Sample(long n, Generator? generator, double temperature = 1.0)
    {
        if (n <= 0) throw new ArgumentException($"Nice.Sample: n must be positive, got {n}");
        if (!(temperature > 0)) throw new ArgumentException($"Nice.Sample: temperature must be positive, got {temperature}");
        using var ng = Autograd.NoGrad();
        using var s = Scope.Begin();
        var p = Scaling.LogScale;
        Tensor z;
        if (Prior == NicePrior.Logistic)
        {
            var u = Torch.Torch.Rand(new[] { n, Features }, generator, p.Dtype, p.Device).Clamp(1e-7, 1 - 1e-7);
            z = u.Log() - (1.0 - u).Log();                    // the logistic quantile log(u / (1 - u))
        }
        else z = Torch.Torch.Randn(new[] { n, Features }, generator, p.Dtype, p.Device);
        return Inverse(z * temperature).MoveToOuterScope();
    }

    private Tensor Flat(Tensor x)
    {
        if (x.Dim < 2 || x.Shape.Skip(1).Aggregate(1L, (p, d) => p * d) != Features)   // not NumEl / B: B may be 0
            throw new ArgumentException($"Nice: input must be (B, {Features}) or (B, ...) with {Features} elements per example, got [{string.Join(", ", x.Shape)}]");
        return x.Dim == 2 ? x.Alias() : x.Flatten(1);         // (B, D)
    }
}
