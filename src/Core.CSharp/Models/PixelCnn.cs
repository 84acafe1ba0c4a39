// PixelCnn.cs: PixelCNN (van den Oord et al. 2016) from Mila Q1's type A / B masked convolutions — plain, residual or gated blocks; Bernoulli or 256-way outputs.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// A masked convolution layer: conv2d(x, W ⊙ M, b), padding (k-1)/2, with M the Mila Q1 mask of the given type
/// (<see cref="MaskedConv.Mask"/>, the same for every channel pair; single-channel images, so no channel grouping).
/// Parameters "weight" (Cout, Cin, k, k) and "bias" as Conv2d's, buffer "mask" (k, k).
/// </summary>
public sealed class MaskedConv2d : Module
{
    public MaskType Type { get; }
    public long KernelSize { get; }

    public MaskedConv2d(long inChannels, long outChannels, long kernelSize, MaskType type, Generator? generator = null, ScalarType? dtype = null)
    {
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentException($"MaskedConv2d: kernelSize must be odd and positive, got {kernelSize}");
        (Type, KernelSize) = (type, kernelSize);
        using var conv = new Conv2d(inChannels, outChannels, kernelSize, generator: generator, dtype: dtype);   // the same draws as Conv2d
        RegisterParameter("weight", conv.Weight.Detach().Clone());
        RegisterParameter("bias", conv.Bias!.Detach().Clone());
        using var m = MaskedConv.Mask(type, (int)kernelSize);
        RegisterBuffer("mask", m.To(dtype ?? ScalarType.Float32));
    }

    public Tensor Weight => GetParameter("weight")!;
    public Tensor Bias => GetParameter("bias")!;

    /// <summary>
    /// conv2d(x, W ⊙ M, b) with padding p = (k-1)/2, computed without the mask's zero rows: M is zero above its centre
    /// row, so only its lower p + 1 rows carry weight; convolving with those rows over x padded p to the left, right and
    /// below (none above) gives the same sums, output row r reading input rows r..r+p, with p/k fewer multiply-adds
    /// (a third for k = 3: 6 of 9 taps; the 7x7 first layer 28 of 49).
    /// </summary>
    public override Tensor Forward(Tensor x)
    {
        var p = (KernelSize - 1) / 2;
        using var mw = Weight * GetBuffer("mask")!;
        using var rows = mw.Narrow(2, p, p + 1);                          // (Cout, Cin, p + 1, k): the rows from the centre down
        using var padded = Functional.Pad(x, new[] { p, p, 0, p });       // (B, Cin, H + p, W + 2p)
        return Functional.Conv2d(padded, rows, Bias);
    }

    protected override string ExtraRepr() => $"{Weight.Size(1)}, {Weight.Size(0)}, kernel_size=({KernelSize}, {KernelSize}), mask={Type}";
}

/// <summary>
/// Plain, Residual and Gated blocks stack type B masked convolutions (Mila Q1's masks, with their blind spot to the
/// lower right of each pixel); GatedStack is the gated PixelCNN's vertical and horizontal stacks (GatedPixelCnn.cs), which
/// has none.
/// </summary>
public enum PixelCnnBlock { Plain, Residual, Gated, GatedStack }
public enum PixelCnnOutput { Bernoulli, Categorical256 }

/// <summary>PixelCNN's settings; the defaults are a small MNIST model.</summary>
public sealed record PixelCnnOptions
{
    /// <summary>Hidden channels C.</summary>
    public long Channels { get; init; } = 64;
    /// <summary>Blocks after the first (type A) layer, each built around one type B masked convolution.</summary>
    public int Blocks { get; init; } = 7;
    /// <summary>The first layer's kernel (type A).</summary>
    public long FirstKernel { get; init; } = 7;
    /// <summary>The blocks' kernel (type B).</summary>
    public long Kernel { get; init; } = 3;
    public PixelCnnBlock Block { get; init; } = PixelCnnBlock.Plain;
    public PixelCnnOutput Output { get; init; } = PixelCnnOutput.Bernoulli;

    internal void Validate()
    {
        if (Channels < 1) throw new ArgumentException($"PixelCnnOptions.Channels must be positive, got {Channels}");
        if (Channels % 2 != 0 && Block == PixelCnnBlock.Residual) throw new ArgumentException($"PixelCnnOptions.Channels must be even for residual blocks (they halve it), got {Channels}");
        if (Blocks < 0) throw new ArgumentException($"PixelCnnOptions.Blocks must be >= 0, got {Blocks}");
        if (FirstKernel < 1 || FirstKernel % 2 == 0 || Kernel < 1 || Kernel % 2 == 0)
            throw new ArgumentException($"PixelCnnOptions: FirstKernel ({FirstKernel}) and Kernel ({Kernel}) must be odd and positive");
    }
}

/// <summary>One PixelCNN block: plain (ReLU, masked B conv), residual (x + 1x1(ReLU(B(ReLU(1x1(ReLU x)))))), or gated (x + 1x1(tanh(a) sigma(b)), (a, b) = B(x)).</summary>
internal sealed class PixelCnnLayer : Module
{
    private readonly PixelCnnBlock kind;

    public PixelCnnLayer(PixelCnnBlock kind, long c, long k, Generator? g, ScalarType? dtype)
    {
        this.kind = kind;
        switch (kind)
        {
            case PixelCnnBlock.Plain:
                RegisterModule("conv", new MaskedConv2d(c, c, k, MaskType.B, g, dtype));
                break;
            case PixelCnnBlock.Residual:
                RegisterModule("in", new Conv2d(c, c / 2, 1, generator: g, dtype: dtype));
                RegisterModule("conv", new MaskedConv2d(c / 2, c / 2, k, MaskType.B, g, dtype));
                RegisterModule("out", new Conv2d(c / 2, c, 1, generator: g, dtype: dtype));
                break;
            default:
                RegisterModule("conv", new MaskedConv2d(c, 2 * c, k, MaskType.B, g, dtype));
                RegisterModule("out", new Conv2d(c, c, 1, generator: g, dtype: dtype));
                break;
        }
    }

    public override Tensor Forward(Tensor x)
    {
        using var sc = Scope.Begin();
        var conv = GetSubmodule("conv");
        Tensor y;
        switch (kind)
        {
            case PixelCnnBlock.Plain:
                y = conv.Forward(x.Relu());
                break;
            case PixelCnnBlock.Residual:
                y = x + GetSubmodule("out").Forward(conv.Forward(GetSubmodule("in").Forward(x.Relu()).Relu()).Relu());
                break;
            default:
                var h = conv.Forward(x);                                          // (B, 2C, H, W)
                var c = x.Size(1);
                y = x + GetSubmodule("out").Forward(h.Narrow(1, 0, c).Tanh() * h.Narrow(1, c, c).Sigmoid());
                break;
        }
        return y.MoveToOuterScope();
    }
}

/// <summary>
/// PixelCNN on single-channel H x W images: a type A masked k0 x k0 convolution (1 -> C), <c>Blocks</c> blocks around
/// type B masked convolutions (or, with <see cref="PixelCnnBlock.GatedStack"/>, a first gated layer and <c>Blocks</c>
/// gated layers of the two stacks), then ReLU, 1x1 (C -> C), ReLU, 1x1 (C -> out): Bernoulli logits (out = 1) for binary
/// images or 256-way logits (out = 256) for 8-bit ones (the network reads x / 255).
/// <para>The order is the one Mila Q1's masks define: type A at (r, c) reads (r, c-1) and row r+1, so pixel (r, c) comes
/// after every pixel of the rows below it and the pixels to its left in its row (the usual top-left raster order
/// of an image flipped upside down). With it, log p(x) = sum_i log p(x_i | x_&lt;i) exactly:
/// <code>Bernoulli: sum_i [x_i log sigma(l_i) + (1 - x_i) log(1 - sigma(l_i))];   256-way: sum_i log softmax(l_i)[x_i].</code></para>
/// </summary>
public sealed class PixelCnn : Module
{
    public PixelCnnOptions Options { get; }
    public Sequential Net { get; }

    public PixelCnn(PixelCnnOptions? options = null, Generator? generator = null, ScalarType? dtype = null)
    {
        Options = options ?? new PixelCnnOptions();
        Options.Validate();
        var c = Options.Channels;
        if (Options.Block == PixelCnnBlock.GatedStack)
            Net = RegisterModule("net", new Sequential(new GatedStacks(c, Options.Blocks, Options.FirstKernel, Options.Kernel, generator, dtype)));
        else
        {
            Net = RegisterModule("net", new Sequential(new MaskedConv2d(1, c, Options.FirstKernel, MaskType.A, generator, dtype)));
            for (var i = 0; i < Options.Blocks; i++) Net.Append(new PixelCnnLayer(Options.Block, c, Options.Kernel, generator, dtype));
        }
        Net.Append(new ReLU()).Append(new Conv2d(c, c, 1, generator: generator, dtype: dtype)).Append(new ReLU())
           .Append(new Conv2d(c, OutChannels, 1, generator: generator, dtype: dtype));
    }

    /// <summary>1 (Bernoulli) or 256 (categorical).</summary>
    public long OutChannels => Options.Output == PixelCnnOutput.Bernoulli ? 1 : 256;

    /// <summary>Logits (B, 1 or 256, H, W) for images (B, 1, H, W) with values in {0, 1} (Bernoulli) or 0..255 (categorical).</summary>
    public override Tensor Forward(Tensor x)
    {
        Check(x);
        using var sc = Scope.Begin();
        var input = Options.Output == PixelCnnOutput.Bernoulli ? x : x / 255.0;
        // The first layer's C channels go on in channels-last layout: libtorch's CPU convolutions then skip the layout
        // conversions they make for row-major input, and every later op keeps the layout (a training step 0.84x as long
        // for the plain stack, 0.89x for the 15-block residual model; bench/zoo/RESULTS.md). The values are the same.
        var h = Net[0].Forward(input).Contiguous(MemoryFormat.ChannelsLast);
        for (var i = 1; i < Net.Count; i++) h = Net[i].Forward(h);
        return h.MoveToOuterScope();
    }

    /// <summary>log p(x) in nats per image (B), exact.</summary>
    public Tensor LogProb(Tensor x)
    {
        using var sc = Scope.Begin();
        var logits = Forward(x);
        Tensor lp;
        if (Options.Output == PixelCnnOutput.Bernoulli)
            lp = Functional.BinaryCrossEntropyWithLogits(logits, x, reduction: Reduction.None).Neg();      // (B, 1, H, W)
        else
            lp = logits.LogSoftmax(1).Gather(1, x.To(ScalarType.Int64));                                   // (B, 1, H, W)
        return lp.Flatten(1).Sum(1).MoveToOuterScope();
    }

    /// <summary>The batch mean of -log p(x) in nats.</summary>
    public Tensor Loss(Tensor x)
    {
        using var sc = Scope.Begin();
        return LogProb(x).Mean().Neg().MoveToOuterScope();
    }

    /// <summary>n images (n, 1, H, W) drawn pixel by pixel in the order (H W passes of the network), no graph recorded.</summary>
    public Tensor Sample(long n, long height, long width, Generator? generator)
    {
        if (n <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"PixelCnn.Sample: n, height and width must be positive, got {n}, {height}, {width}");
        using var ng = Autograd.NoGrad();
        var p = Parameters().First();
        var x = Torch.Torch.Zeros(new[] { n, 1, height, width }, p.Dtype, p.Device);
        for (var r = height - 1; r >= 0; r--)
            for (long c = 0; c < width; c++)
            {
                using var sc = Scope.Begin();
                var l = Forward(x).Select(2, r).Select(2, c);                      // (n, out)
                var v = Options.Output == PixelCnnOutput.Bernoulli
                    ? Torch.Torch.Bernoulli(l.Select(1, 0).Sigmoid(), generator)
                    : Torch.Torch.Multinomial(l.Softmax(1), 1, generator: generator).Select(1, 0).To(p.Dtype);   // (n)
                x.Select(2, r).Select(2, c).Select(1, 0).Copy_(v);
            }
        return x;
    }

    private static void Check(Tensor x)
    {
        if (x.Dim != 4 || x.Size(1) != 1)
            throw new ArgumentException($"PixelCnn: input must be single-channel images (B, 1, H, W), got {Bijector.Show(x.Shape)}; add the channel with .Unsqueeze(1)");
    }
}
