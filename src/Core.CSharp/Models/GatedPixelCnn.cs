// GatedPixelCnn.cs: the gated PixelCNN's two stacks (van den Oord et al. 2016, "Conditional Image Generation with PixelCNN Decoders"), without the blind spot of stacked masked convolutions, in Mila Q1's order.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// A convolution with a (kh, kw) kernel over an input padded by (left, right, top, bottom) first; "weight"
/// (Cout, Cin, kh, kw) and "bias" initialised as PyTorch's Conv2d (kaiming_uniform a = sqrt 5, bias U(+-1/sqrt(fan_in))).
/// </summary>
internal sealed class PaddedConv : Module
{
    private readonly long[] pad;

    public PaddedConv(long cin, long cout, long kh, long kw, long[] pad, Generator? g, ScalarType? dtype)
    {
        this.pad = pad;
        RegisterParameter("weight", Make.Param(new[] { cout, cin, kh, kw }, dtype, null, t => Init.KaimingUniform_(t, a: Math.Sqrt(5), generator: g)));
        RegisterParameter("bias", Make.Param(new[] { cout }, dtype, null, b => Make.BiasInit(b, cin * kh * kw, g)));
    }

    public override Tensor Forward(Tensor x)
    {
        using var p = Functional.Pad(x, pad);
        return Functional.Conv2d(p, GetParameter("weight")!, GetParameter("bias"));
    }
}

/// <summary>
/// One gated layer of the two stacks, in Mila Q1's order (rows below come first, then the pixels to the left):
/// <code>vertical:   v' = gate(V * v),  V a (k/2 + 1) x k kernel over rows r..r+k/2 (own row included);
/// horizontal: h' = h + 1x1(gate(H * h + 1x1(down(V * v)))),  H a 1 x (k/2 + 1) kernel over columns c-k/2..c
///             (c-k/2-1..c-1 in the first layer, type A), down(u)[r] = u[r + 1] (rows strictly below);
/// gate(a, b) = tanh(a) sigma(b) over the two halves of the channels.</code>
/// The vertical stack reads its own row (all columns) but reaches the horizontal stack only through down(.), so the
/// output at (r, c) depends on exactly the earlier pixels; unlike a stack of masked 3x3 convolutions, every earlier
/// pixel within reach is seen (no blind spot to the lower right).
/// </summary>
internal sealed class GatedStackLayer : Module
{
    private readonly bool first;

    public GatedStackLayer(long cin, long c, long k, bool first, Generator? g, ScalarType? dtype)
    {
        this.first = first;
        var r = k / 2;
        RegisterModule("v", new PaddedConv(cin, 2 * c, r + 1, k, new[] { r, r, 0, r }, g, dtype));                 // pad (left, right, top, bottom)
        RegisterModule("h", new PaddedConv(cin, 2 * c, 1, r + 1, new[] { first ? r + 1 : r, first ? -1L : 0, 0, 0 }, g, dtype));
        RegisterModule("link", new Conv2d(2 * c, 2 * c, 1, generator: g, dtype: dtype));
        RegisterModule("out", new Conv2d(c, c, 1, generator: g, dtype: dtype));
    }

    public (Tensor V, Tensor H) Forward(Tensor v, Tensor h)
    {
        using var sc = Scope.Begin();
        var vo = GetSubmodule("v").Forward(v);                                                  // (B, 2C, H, W)
        var height = vo.Size(2);
        var down = Functional.Pad(vo, new long[] { 0, 0, 0, 1 }).Narrow(2, 1, height);          // (B, 2C, H, W): row r holds row r + 1
        var ho = GetSubmodule("h").Forward(h) + GetSubmodule("link").Forward(down);             // (B, 2C, H, W)
        var hg = GetSubmodule("out").Forward(Gate(ho));
        var hn = first ? hg : h + hg;                                                           // residual after the first layer
        return (Gate(vo).MoveToOuterScope(), hn.MoveToOuterScope());
    }

    private static Tensor Gate(Tensor a)
    {
        var c = a.Size(1) / 2;
        return a.Narrow(1, 0, c).Tanh() * a.Narrow(1, c, c).Sigmoid();                           // (B, C, H, W)
    }
}

/// <summary>The two stacks: a first layer (type A horizontal, kernel k0) on the image, then <c>layers</c> layers (kernel k); returns the horizontal stack (B, C, H, W).</summary>
internal sealed class GatedStacks : Module
{
    public GatedStacks(long channels, int layers, long firstKernel, long kernel, Generator? g, ScalarType? dtype)
    {
        var list = RegisterModule("layers", new ModuleList());
        list.Append(new GatedStackLayer(1, channels, firstKernel, true, g, dtype));
        for (var i = 0; i < layers; i++) list.Append(new GatedStackLayer(channels, channels, kernel, false, g, dtype));
    }

    public override Tensor Forward(Tensor x)
    {
        using var sc = Scope.Begin();
        var layers = (ModuleList)GetSubmodule("layers");
        var (v, h) = ((GatedStackLayer)layers[0]).Forward(x, x);
        (v, h) = (v.Contiguous(MemoryFormat.ChannelsLast), h.Contiguous(MemoryFormat.ChannelsLast));   // as PixelCnn.Forward
        for (var i = 1; i < layers.Count; i++) (v, h) = ((GatedStackLayer)layers[i]).Forward(v, h);
        return h.MoveToOuterScope();
    }
}
