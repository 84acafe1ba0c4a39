// Ddpm.cs: the DDPM model (a denoiser network over a noise schedule) and its two denoisers: an MLP for points and a small U-Net for 28x28 images.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>An epsilon-predictor: eps(x_t, t) of x_t's shape, t (B) the steps 1..T in x_t's dtype.</summary>
public interface IDenoiser
{
    Tensor PredictNoise(Tensor xt, Tensor t);
}

/// <summary>
/// A DDPM (Ho et al. 2020): a denoiser network ("net") trained on the simple loss, with the variational bound as its
/// likelihood figure and ancestral sampling (the mathematics is in <see cref="Diffusion"/>). Continuous data (2-D points)
/// give the bound in nats of a density; image data on <c>Levels</c> levels scaled to [-1, 1] give the bound on the
/// discrete likelihood, in nats and bits per dim.
/// </summary>
public sealed class Ddpm : Module
{
    public DiffusionSchedule Schedule { get; }
    public long[] EventShape { get; }
    public DdpmVariance Variance { get; }
    /// <summary>null: continuous data; K (256 for 8-bit images): data on K levels scaled to [-1, 1].</summary>
    public int? Levels { get; }
    public Module Net { get; }

    public Ddpm(Module denoiser, DiffusionSchedule schedule, long[] eventShape, DdpmVariance variance = DdpmVariance.Beta, int? levels = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(eventShape);
        if (denoiser is not IDenoiser)
            throw new ArgumentException($"Ddpm: the denoiser must implement IDenoiser (PredictNoise(x_t, t)), got {denoiser?.GetType().Name ?? "null"}; use DdpmMlp or DdpmUNet");
        if (levels is { } k && k < 2) throw new ArgumentException($"Ddpm: levels must be >= 2 (256 for 8-bit images) or null for continuous data, got {k}");
        (Schedule, EventShape, Variance, Levels) = (schedule, eventShape.ToArray(), variance, levels);
        Net = RegisterModule("net", denoiser);
    }

    /// <summary>eps(x_t, t).</summary>
    public Tensor PredictNoise(Tensor xt, Tensor t) => ((IDenoiser)Net).PredictNoise(xt, t);

    /// <summary>The simple loss on a batch x_0 (B, *event): the training objective.</summary>
    public Tensor Loss(Tensor x0, Generator? generator) => Diffusion.SimpleLoss(Schedule, PredictNoise, Check(x0), generator);

    /// <summary>The bound's terms (B, T + 1) in nats: L_0, L_1, ..., L_{T-1}, L_T.</summary>
    public Tensor BoundTerms(Tensor x0, Generator? generator) =>
        Diffusion.BoundTerms(Schedule, PredictNoise, Check(x0), generator, Variance, Levels);

    /// <summary>The variational bound on -log p(x_0) per example (B), nats (one draw of x_t per term: an unbiased estimate).</summary>
    public Tensor NegativeBound(Tensor x0, Generator? generator)
    {
        using var terms = BoundTerms(x0, generator);
        return terms.Sum(1);
    }

    /// <summary>The bound in bits per dim of the discrete data, L / (D ln 2) (image data only: Levels set).</summary>
    public Tensor BoundBitsPerDim(Tensor x0, Generator? generator)
    {
        if (Levels is null) throw new InvalidOperationException("Ddpm.BoundBitsPerDim: bits per dim needs discrete data; this model was built for continuous data (levels: null)");
        using var b = NegativeBound(x0, generator);
        return b / (EventShape.Aggregate(1L, (a, d) => a * d) * Math.Log(2));
    }

    /// <summary>n samples (n, *event) by ancestral sampling (clamped to [-1, 1] for image data).</summary>
    public Tensor Sample(long n, Generator? generator)
    {
        if (n <= 0) throw new ArgumentException($"Ddpm.Sample: n must be positive, got {n}");
        var p = Parameters().First();
        var training = Training;
        Eval();
        try
        {
            return Diffusion.Sample(Schedule, PredictNoise, new[] { n }.Concat(EventShape).ToArray(), generator, Variance, p.Dtype, p.Device,
                Levels is null ? null : 1.0);
        }
        finally { Train(training); }
    }

    private Tensor Check(Tensor x0)
    {
        if (!x0.Shape.Skip(1).SequenceEqual(EventShape))
            throw new ArgumentException($"Ddpm: data must be (B, {string.Join(", ", EventShape)}), got {Bijector.Show(x0.Shape)}");
        return x0;
    }

    /// <summary>The sinusoidal embedding of steps t (B): (B, dim) = [sin(t w_i), cos(t w_i)], w_i = 10000^(-i / (dim/2)).</summary>
    public static Tensor TimeEmbedding(Tensor t, long dim)
    {
        if (dim < 2 || dim % 2 != 0) throw new ArgumentException($"Ddpm.TimeEmbedding: dim must be even and >= 2, got {dim}");
        using var sc = Scope.Begin();
        var half = dim / 2;
        var w = (Torch.Torch.Arange(half, t.Dtype, t.Device) * (-Math.Log(10000) / half)).Exp();   // (dim/2)
        var a = t.Unsqueeze(1) * w.Unsqueeze(0);                                                     // (B, dim/2)
        return Torch.Torch.Cat(new[] { a.Sin(), a.Cos() }, 1).MoveToOuterScope();                    // (B, dim)
    }
}

/// <summary>The points denoiser: eps = MLP([x_t, emb(t)]), SiLU between layers: (B, D) -> (B, D).</summary>
public sealed class DdpmMlp : Module, IDenoiser
{
    public long Features { get; }
    public long EmbeddingDim { get; }

    public DdpmMlp(long features = 2, long hidden = 128, int hiddenLayers = 3, long embeddingDim = 32, Generator? generator = null, ScalarType? dtype = null)
    {
        (Features, EmbeddingDim) = (features, embeddingDim);
        RegisterModule("net", Mlp.Create(features + embeddingDim, hidden, hiddenLayers, features, () => new SiLU(), generator, dtype));
    }

    public Tensor PredictNoise(Tensor xt, Tensor t)
    {
        using var sc = Scope.Begin();
        var h = Torch.Torch.Cat(new[] { xt, Ddpm.TimeEmbedding(t, EmbeddingDim) }, 1);   // (B, D + E)
        return GetSubmodule("net").Forward(h).MoveToOuterScope();
    }
}

/// <summary>GroupNorm with learned per-channel "weight" (ones) and "bias" (zeros).</summary>
internal sealed class GroupNormLayer : Module
{
    private readonly long groups;
    public GroupNormLayer(long groups, long channels, ScalarType? dtype)
    {
        this.groups = groups;
        RegisterParameter("weight", Torch.Torch.Ones(new[] { channels }, dtype ?? ScalarType.Float32));
        RegisterParameter("bias", Torch.Torch.Zeros(new[] { channels }, dtype ?? ScalarType.Float32));
    }
    public override Tensor Forward(Tensor x) => Functional.GroupNorm(x, groups, GetParameter("weight"), GetParameter("bias"));
}

/// <summary>h = conv(SiLU(GN(x))) + Linear(emb)[:, :, None, None]; out = conv(SiLU(GN(h))) + skip(x).</summary>
internal sealed class TimeResBlock : Module
{
    public TimeResBlock(long cin, long cout, long embDim, Generator? g, ScalarType? dtype)
    {
        RegisterModule("norm1", new GroupNormLayer(Math.Min(8, cin), cin, dtype));
        RegisterModule("conv1", new Conv2d(cin, cout, 3, padding: 1, generator: g, dtype: dtype));
        RegisterModule("time", new Linear(embDim, cout, generator: g, dtype: dtype));
        RegisterModule("norm2", new GroupNormLayer(Math.Min(8, cout), cout, dtype));
        RegisterModule("conv2", new Conv2d(cout, cout, 3, padding: 1, generator: g, dtype: dtype));
        if (cin != cout) RegisterModule("skip", new Conv2d(cin, cout, 1, generator: g, dtype: dtype));
    }

    public Tensor Forward(Tensor x, Tensor emb)
    {
        using var sc = Scope.Begin();
        var h = GetSubmodule("conv1").Forward(GetSubmodule("norm1").Forward(x).Silu());
        var te = GetSubmodule("time").Forward(emb.Silu());                                  // (B, cout)
        h = h + te.View(te.Size(0), te.Size(1), 1, 1);                                      // (B, cout, 1, 1)
        h = GetSubmodule("conv2").Forward(GetSubmodule("norm2").Forward(h).Silu());
        var skip = NamedChildren().Any(c => c.Name == "skip") ? GetSubmodule("skip").Forward(x) : x;
        return (h + skip).MoveToOuterScope();
    }
}

/// <summary>
/// A small U-Net for (1, 28, 28) images: conv in (1 -> C) at 28, a residual block, stride-2 down to 14 (2C), a block,
/// down to 7, a middle block, then nearest upsampling with skip connections back to 28 and conv out (C -> 1). Every
/// residual block adds a projection of the sinusoidal time embedding (dim C). C must be a multiple of 8.
/// </summary>
public sealed class DdpmUNet : Module, IDenoiser
{
    public long Channels { get; }

    public DdpmUNet(long channels = 32, Generator? generator = null, ScalarType? dtype = null)
    {
        if (channels < 8 || channels % 8 != 0) throw new ArgumentException($"DdpmUNet: channels must be a positive multiple of 8 (GroupNorm uses 8 groups), got {channels}");
        Channels = channels;
        var (c, g) = (channels, generator);
        RegisterModule("inp", new Conv2d(1, c, 3, padding: 1, generator: g, dtype: dtype));
        RegisterModule("down1", new TimeResBlock(c, c, c, g, dtype));
        RegisterModule("pool1", new Conv2d(c, 2 * c, 3, stride: 2, padding: 1, generator: g, dtype: dtype));
        RegisterModule("down2", new TimeResBlock(2 * c, 2 * c, c, g, dtype));
        RegisterModule("pool2", new Conv2d(2 * c, 2 * c, 3, stride: 2, padding: 1, generator: g, dtype: dtype));
        RegisterModule("mid", new TimeResBlock(2 * c, 2 * c, c, g, dtype));
        RegisterModule("up2", new TimeResBlock(4 * c, 2 * c, c, g, dtype));
        RegisterModule("unpool1", new Conv2d(2 * c, c, 3, padding: 1, generator: g, dtype: dtype));
        RegisterModule("up1", new TimeResBlock(2 * c, c, c, g, dtype));
        RegisterModule("outnorm", new GroupNormLayer(8, c, dtype));
        RegisterModule("out", new Conv2d(c, 1, 3, padding: 1, generator: g, dtype: dtype));
    }

    public Tensor PredictNoise(Tensor xt, Tensor t)
    {
        if (xt.Dim != 4 || xt.Size(1) != 1 || xt.Size(2) % 4 != 0 || xt.Size(3) % 4 != 0)
            throw new ArgumentException($"DdpmUNet: input must be (B, 1, H, W) with H and W multiples of 4 (28 x 28 for MNIST), got {Bijector.Show(xt.Shape)}");
        using var sc = Scope.Begin();
        TimeResBlock B(string n) => (TimeResBlock)GetSubmodule(n);
        Tensor M(string n, Tensor x) => GetSubmodule(n).Forward(x);
        var emb = Ddpm.TimeEmbedding(t, Channels);                                           // (B, C)
        var h1 = B("down1").Forward(M("inp", xt), emb);                                      // (B, C, 28, 28)
        var h2 = B("down2").Forward(M("pool1", h1), emb);                                    // (B, 2C, 14, 14)
        var m = B("mid").Forward(M("pool2", h2), emb);                                       // (B, 2C, 7, 7)
        var u2 = B("up2").Forward(Torch.Torch.Cat(new[] { Functional.Interpolate(m, scaleFactor: 2), h2 }, 1), emb);          // (B, 2C, 14, 14)
        var u1 = B("up1").Forward(Torch.Torch.Cat(new[] { M("unpool1", Functional.Interpolate(u2, scaleFactor: 2)), h1 }, 1), emb); // (B, C, 28, 28)
        return M("out", M("outnorm", u1).Silu()).MoveToOuterScope();                         // (B, 1, 28, 28)
    }
}
