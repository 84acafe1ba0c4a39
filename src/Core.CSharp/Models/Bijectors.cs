// Bijectors.cs: the non-coupling bijectors — ActNorm (data-dependent init), permutations, Glow's invertible 1x1 convolution, and squeeze.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// ActNorm (Glow): per-channel z = (x + b) exp(s) over dim 1 of (B, C) or (B, C, H, W);
/// log|det| = (H W) sum_c s_c. Data-dependent initialisation: the first forward pass in training mode sets
/// b = -mean and s = -log(std + 1e-6) of that batch per channel, so the first batch comes out with zero mean and unit
/// variance per channel; the buffer "initialized" (saved in the state dict) records that it happened.
/// </summary>
public sealed class ActNorm : Bijector
{
    public long Channels { get; }
    public int SpatialDims { get; }

    /// <param name="channels">C, the size of dim 1.</param>
    /// <param name="spatialDims">0 for vectors (B, C), 2 for images (B, C, H, W).</param>
    /// <param name="dtype">the parameters' dtype (default float32).</param>
    public ActNorm(long channels, int spatialDims = 0, ScalarType? dtype = null)
    {
        if (channels < 1) throw new ArgumentException($"ActNorm: channels must be positive, got {channels}");
        if (spatialDims < 0) throw new ArgumentException($"ActNorm: spatialDims must be >= 0 (0: vectors, 2: images), got {spatialDims}");
        (Channels, SpatialDims) = (channels, spatialDims);
        var shape = new[] { 1L, channels }.Concat(Enumerable.Repeat(1L, spatialDims)).ToArray();   // (1, C, 1, ...)
        RegisterParameter("bias", Torch.Torch.Zeros(shape, dtype ?? ScalarType.Float32));
        RegisterParameter("log_scale", Torch.Torch.Zeros(shape, dtype ?? ScalarType.Float32));
        RegisterBuffer("initialized", Torch.Torch.Zeros(new long[] { 1 }, ScalarType.Float32));
    }

    public Tensor Bias => GetParameter("bias")!;
    public Tensor LogScale => GetParameter("log_scale")!;
    public bool Initialized => GetBuffer("initialized")!.ToDouble() != 0;

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        Check(x);
        if (Training && !Initialized) InitializeFrom(x);
        using var sc = Scope.Begin();
        var z = (x + Bias) * LogScale.Exp();
        var perExample = x.Shape.Skip(2).Aggregate(1L, (a, d) => a * d);
        var ld = (LogScale.Sum() * perExample).Expand(x.Size(0)).Contiguous();   // (B)
        return (z.MoveToOuterScope(), ld.MoveToOuterScope());
    }

    public override Tensor Inverse(Tensor z)
    {
        Check(z);
        using var sc = Scope.Begin();
        return (z * LogScale.Neg().Exp() - Bias).MoveToOuterScope();
    }

    /// <summary>Sets b and s from a batch (what the first training pass does): b = -mean, s = -log(std + 1e-6) per channel.</summary>
    public void InitializeFrom(Tensor x)
    {
        Check(x);
        using var ng = Autograd.NoGrad();
        using var sc = Scope.Begin();
        var dims = Enumerable.Range(0, x.Dim).Where(d => d != 1).Select(d => (long)d).ToArray();
        var mean = x.Mean(dims, keepdim: true);                                 // (1, C, 1, ...)
        var std = (x - mean).Square().Mean(dims, keepdim: true).Sqrt();
        Bias.Copy_(mean.Neg());
        LogScale.Copy_((std + 1e-6).Log().Neg());
        GetBuffer("initialized")!.Fill_(1.0);
    }

    private void Check(Tensor x)
    {
        if (x.Dim != 2 + SpatialDims || x.Size(1) != Channels)
            throw new ArgumentException($"ActNorm: input must be (B, {Channels}{string.Concat(Enumerable.Repeat(", *", SpatialDims))}), got {Show(x.Shape)}");
    }

    protected override string ExtraRepr() => $"channels={Channels}, spatial_dims={SpatialDims}";
}

/// <summary>A fixed permutation of dim 1 (features or channels): z[:, i] = x[:, perm[i]]; log|det| = 0. Buffers "perm" and "inverse".</summary>
public sealed class Permutation : Bijector
{
    public Permutation(long[] perm)
    {
        ArgumentNullException.ThrowIfNull(perm);
        if (perm.Length == 0 || !perm.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, perm.Length).Select(i => (long)i)))
            throw new ArgumentException($"Permutation: perm must hold each of 0..n-1 once, got [{string.Join(", ", perm)}]");
        var inv = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        RegisterBuffer("perm", Torch.Torch.Tensor(perm, perm.Length));
        RegisterBuffer("inverse", Torch.Torch.Tensor(inv, inv.Length));
    }

    /// <summary>n-1, ..., 0.</summary>
    public static Permutation Reverse(long n) => new(Enumerable.Range(0, (int)n).Select(i => n - 1 - i).ToArray());

    /// <summary>A fixed random permutation drawn from the generator.</summary>
    public static Permutation Random(long n, Generator? generator)
    {
        if (n < 1) throw new ArgumentException($"Permutation.Random: n must be positive, got {n}");
        using var p = Torch.Torch.RandPerm(n, generator);
        return new(p.ToArray<long>());
    }

    public long[] Perm => GetBuffer("perm")!.ToArray<long>();

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x) => (Apply(x, GetBuffer("perm")!), ZeroLogDet(x));
    public override Tensor Inverse(Tensor z) => Apply(z, GetBuffer("inverse")!);

    private static Tensor Apply(Tensor x, Tensor index)
    {
        if (x.Dim < 2 || x.Size(1) != index.Size(0))
            throw new ArgumentException($"Permutation: input must be (B, {index.Size(0)}, ...), got {Show(x.Shape)}");
        return x.IndexSelect(1, index);
    }
}

/// <summary>
/// Glow's invertible 1x1 convolution: z[:, :, i, j] = W x[:, :, i, j] with W (C, C) "weight", for (B, C, H, W) or
/// (B, C) (then H W = 1); log|det| = H W log|det W| (slogdet, O(C^3)). W starts as a random rotation
/// exp(A - A^T), A ~ N(0, 1), so log|det W| = 0 at the start.
/// </summary>
public sealed class InvertibleConv1x1 : Bijector
{
    public long Channels { get; }

    public InvertibleConv1x1(long channels, Generator? generator = null, ScalarType? dtype = null)
    {
        if (channels < 1) throw new ArgumentException($"InvertibleConv1x1: channels must be positive, got {channels}");
        Channels = channels;
        using var a = Torch.Torch.Randn(new[] { channels, channels }, generator, ScalarType.Float64);
        using var skew = a - a.T;
        using var w = Linalg.MatrixExp(skew);
        RegisterParameter("weight", w.To(dtype ?? ScalarType.Float32));
    }

    public Tensor Weight => GetParameter("weight")!;

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        using var sc = Scope.Begin();
        var z = Mix(x, Weight);
        var (sign, logAbs) = Linalg.SlogDet(Weight);
        var ld = (logAbs * x.Shape.Skip(2).Aggregate(1L, (a, d) => a * d)).Expand(x.Size(0)).Contiguous();   // (B)
        return (z.MoveToOuterScope(), ld.MoveToOuterScope());
    }

    public override Tensor Inverse(Tensor z)
    {
        using var sc = Scope.Begin();
        return Mix(z, Linalg.Inv(Weight)).MoveToOuterScope();
    }

    private Tensor Mix(Tensor x, Tensor w)
    {
        if ((x.Dim != 2 && x.Dim != 4) || x.Size(1) != Channels)
            throw new ArgumentException($"InvertibleConv1x1: input must be (B, {Channels}) or (B, {Channels}, H, W), got {Show(x.Shape)}");
        return x.Dim == 2 ? x.MatMul(w.T) : Functional.Conv2d(x, w.View(Channels, Channels, 1, 1));   // (B, C[, H, W])
    }

    protected override string ExtraRepr() => $"channels={Channels}";
}

/// <summary>
/// Squeeze (RealNVP/Glow): each 2x2 block of pixels becomes 4 channels, (B, C, H, W) -> (B, 4C, H/2, W/2), with
/// channel index 4c + 2 di + dj for pixel (2i + di, 2j + dj) of channel c. A permutation: log|det| = 0.
/// </summary>
public sealed class Squeeze : Bijector
{
    public override long[] OutputShape(long[] s)
    {
        if (s.Length != 3 || s[1] % 2 != 0 || s[2] % 2 != 0)
            throw new ArgumentException($"Squeeze: the event must be (C, H, W) with even H and W, got {Show(s)}; pad the image first");
        return new[] { 4 * s[0], s[1] / 2, s[2] / 2 };
    }

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        var o = OutputShape(x.Shape.Skip(1).ToArray());
        using var sc = Scope.Begin();
        var (b, c, h, w) = (x.Size(0), x.Size(1), x.Size(2), x.Size(3));
        var z = x.View(b, c, h / 2, 2, w / 2, 2)                   // (B, C, H/2, 2, W/2, 2)
                 .Permute(0, 1, 3, 5, 2, 4)                         // (B, C, 2, 2, H/2, W/2)
                 .Reshape(b, o[0], o[1], o[2]);                     // (B, 4C, H/2, W/2)
        return (z.MoveToOuterScope(), ZeroLogDet(x).MoveToOuterScope());
    }

    public override Tensor Inverse(Tensor z)
    {
        if (z.Dim != 4 || z.Size(1) % 4 != 0)
            throw new ArgumentException($"Squeeze.Inverse: input must be (B, 4C, H, W), got {Show(z.Shape)}");
        using var sc = Scope.Begin();
        var (b, c4, h, w) = (z.Size(0), z.Size(1), z.Size(2), z.Size(3));
        var x = z.View(b, c4 / 4, 2, 2, h, w)                       // (B, C, 2, 2, H/2, W/2)
                 .Permute(0, 1, 4, 2, 5, 3)                         // (B, C, H/2, 2, W/2, 2)
                 .Reshape(b, c4 / 4, 2 * h, 2 * w);                 // (B, C, H, W)
        return x.MoveToOuterScope();
    }
}
