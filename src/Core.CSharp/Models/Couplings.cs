// Couplings.cs: coupling bijectors beyond NICE's additive one — RealNVP's affine coupling on halves, masked (checkerboard/channel) couplings, and the masks.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// RealNVP's affine coupling on contiguous halves: x = (a, b), a = x[:, :D/2]. Not reversed: a is kept and
/// <code>b' = b exp(s(a)) + t(a),  s = tanh(raw),  (t, raw) = net(a) split in two along dim 1,  log|det| = sum_j s_j;</code>
/// reversed: b is kept and a is updated from net(b). The network ("net") maps the kept half's features to twice the
/// updated half's. The tanh keeps each log-scale in (-1, 1), a common stabilisation.
/// </summary>
public sealed class AffineCoupling : Bijector
{
    public long Features { get; }
    public bool Reverse { get; }
    public Module Net { get; }

    public AffineCoupling(long features, bool reverse, Module net)
    {
        if (features < 2) throw new ArgumentException($"AffineCoupling: need at least 2 features to split in halves, got {features}");
        (Features, Reverse) = (features, reverse);
        Net = RegisterModule("net", net ?? throw new ArgumentNullException(nameof(net)));
    }

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        using var sc = Scope.Begin();
        var (cond, moved) = Split(x);
        var (s, t) = ScaleShift(cond, moved);
        var z = Join(cond, moved * s.Exp() + t);
        return (z.MoveToOuterScope(), s.Sum(1).MoveToOuterScope());
    }

    public override Tensor Inverse(Tensor z)
    {
        using var sc = Scope.Begin();
        var (cond, moved) = Split(z);
        var (s, t) = ScaleShift(cond, moved);
        return Join(cond, (moved - t) * s.Neg().Exp()).MoveToOuterScope();
    }

    private (Tensor Cond, Tensor Moved) Split(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != Features)
            throw new ArgumentException($"AffineCoupling: input must be (B, {Features}), got {Show(x.Shape)}");
        var half = Features / 2;
        var a = x.Narrow(1, 0, half);                  // (B, D/2)
        var b = x.Narrow(1, half, Features - half);    // (B, D - D/2)
        return Reverse ? (b, a) : (a, b);
    }

    private Tensor Join(Tensor cond, Tensor moved) =>
        Reverse ? Torch.Torch.Cat(new[] { moved, cond }, 1) : Torch.Torch.Cat(new[] { cond, moved }, 1);   // (B, D)

    private (Tensor S, Tensor T) ScaleShift(Tensor cond, Tensor moved)
    {
        var h = Net.Forward(cond);                     // (B, 2 m)
        var m = moved.Size(1);
        if (h.Dim != 2 || h.Size(1) != 2 * m)
            throw new ArgumentException($"AffineCoupling: the coupling network maps {Show(cond.Shape)} to {Show(h.Shape)} but must give (B, {2 * m}): a shift and a log-scale for each of the {m} updated features");
        return (h.Narrow(1, m, m).Tanh(), h.Narrow(1, 0, m));
    }

    protected override string ExtraRepr() => $"features={Features}, reverse={(Reverse ? "True" : "False")}";
}

/// <summary>
/// A coupling with a binary mask m of the event shape (1 = kept, the conditioning part; 0 = updated), for vectors
/// (D) or images (C, H, W) with checkerboard or channel masks (RealNVP):
/// <code>additive: z = x + (1 - m) t(m x);   affine: z = m x + (1 - m)(x exp(s) + t),  s = tanh(raw),  (t, raw) = net(m x),
/// log|det| = sum over updated elements of s (0 for additive).</code>
/// The network ("net") maps (B, *event) to (B, *event) (additive) or to twice the channels, dim 1 (affine: shift first).
/// </summary>
public sealed class MaskedCoupling : Bijector
{
    public bool Affine { get; }
    public Module Net { get; }
    /// <summary>(*event), 1 where x is kept.</summary>
    public Tensor Mask => GetBuffer("mask")!;

    public MaskedCoupling(Tensor mask, Module net, bool affine)
    {
        ArgumentNullException.ThrowIfNull(mask);
        Affine = affine;
        Net = RegisterModule("net", net ?? throw new ArgumentNullException(nameof(net)));
        RegisterBuffer("mask", mask.Clone());
    }

    public override (Tensor Z, Tensor LogDet) ForwardAndLogDet(Tensor x)
    {
        using var sc = Scope.Begin();
        var (m, s, t) = Conditioner(x);
        if (!Affine) return ((x + (1.0 - m) * t).MoveToOuterScope(), ZeroLogDet(x).MoveToOuterScope());
        var z = x * s.Exp() + (1.0 - m) * t;               // s is 0 where m = 1, so kept elements pass unchanged
        return (z.MoveToOuterScope(), s.Flatten(1).Sum(1).MoveToOuterScope());
    }

    public override Tensor Inverse(Tensor z)
    {
        using var sc = Scope.Begin();
        var (m, s, t) = Conditioner(z);                    // m z = m x: the conditioning part is unchanged
        var x = Affine ? (z - (1.0 - m) * t) * s.Neg().Exp() : z - (1.0 - m) * t;
        return x.MoveToOuterScope();
    }

    private (Tensor M, Tensor S, Tensor T) Conditioner(Tensor x)
    {
        if (!x.Shape.Skip(1).SequenceEqual(Mask.Shape))
            throw new ArgumentException($"MaskedCoupling: input must be (B, {string.Join(", ", Mask.Shape)}) like the mask, got {Show(x.Shape)}");
        var m = Mask.To(x.Dtype);                          // (*event)
        var h = Net.Forward(x * m);
        var want = x.Shape.ToArray();
        if (Affine) want[1] *= 2;
        if (!h.Shape.SequenceEqual(want))
            throw new ArgumentException($"MaskedCoupling: the coupling network gives {Show(h.Shape)} but must give {Show(want)}" +
                                        (Affine ? " (a shift and a log-scale per element: twice the size of dim 1)" : " (a shift per element)"));
        if (!Affine) return (m, ZeroLogDet(x), h);
        var c = x.Size(1);
        var s = h.Narrow(1, c, c).Tanh() * (1.0 - m);      // (B, *event)
        return (m, s, h.Narrow(1, 0, c));
    }

    protected override string ExtraRepr() => $"affine={(Affine ? "True" : "False")}, mask={Show(Mask.Shape)}";
}

/// <summary>Binary coupling masks (float32, 1 = kept), RealNVP's checkerboard and channel masks and the vector alternation.</summary>
public static class CouplingMask
{
    /// <summary>(C, H, W): 1 where (i + j) is even (odd when <c>odd</c>), the same in every channel.</summary>
    public static Tensor Checkerboard(long[] imageShape, bool odd = false)
    {
        var (c, h, w) = Image(imageShape, "Checkerboard");
        var v = new float[c * h * w];
        for (long k = 0; k < c; k++)
            for (long i = 0; i < h; i++)
                for (long j = 0; j < w; j++)
                    v[(k * h + i) * w + j] = (i + j) % 2 == (odd ? 1 : 0) ? 1f : 0f;
        return Torch.Torch.Tensor(v, c, h, w);
    }

    /// <summary>(C, H, W): 1 on the first C/2 channels (the last C - C/2 when <c>second</c>). Needs C >= 2.</summary>
    public static Tensor Channel(long[] imageShape, bool second = false)
    {
        var (c, h, w) = Image(imageShape, "Channel");
        if (c < 2) throw new ArgumentException($"CouplingMask.Channel: needs at least 2 channels, got {c}; use Checkerboard, or Squeeze the image first");
        var v = new float[c * h * w];
        for (long k = 0; k < c; k++)
            if (k < c / 2 != second)
                for (long p = 0; p < h * w; p++) v[k * h * w + p] = 1f;
        return Torch.Torch.Tensor(v, c, h, w);
    }

    /// <summary>(D): 1 on even positions (odd when <c>odd</c>).</summary>
    public static Tensor Alternate(long features, bool odd = false)
    {
        if (features < 2) throw new ArgumentException($"CouplingMask.Alternate: need at least 2 features, got {features}");
        var v = new float[features];
        for (long d = 0; d < features; d++) v[d] = d % 2 == (odd ? 1 : 0) ? 1f : 0f;
        return Torch.Torch.Tensor(v, features);
    }

    private static (long C, long H, long W) Image(long[] s, string who)
    {
        if (s is not { Length: 3 } || s.Any(d => d < 1))
            throw new ArgumentException($"CouplingMask.{who}: imageShape must be (C, H, W) with positive sizes, got {Bijector.Show(s ?? Array.Empty<long>())}");
        return (s[0], s[1], s[2]);
    }
}
