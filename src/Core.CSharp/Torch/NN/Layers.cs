// Layers.cs: the parametrised layers — Linear, Conv2d, ConvTranspose2d, Embedding, LayerNorm — initialised as PyTorch does.
using System.Globalization;

namespace GenDsl.Torch.NN;

/// <summary>Shared construction: parameters are made and initialised on the CPU (so one seed gives the same numbers on every device), then moved.</summary>
internal static class Make
{
    internal static Tensor Param(long[] shape, ScalarType? dtype, Device? device, Func<Tensor, Tensor> init)
    {
        var t = Torch.Empty(shape, dtype ?? ScalarType.Float32);
        init(t);
        if (device is { Type: not DeviceType.CPU } d)
        {
            var moved = t.To(d);
            t.Dispose();
            t = moved;
        }
        return t;
    }

    internal static void Positive(string layer, string what, long value)
    {
        if (value <= 0) throw new ArgumentException($"{layer}: {what} must be positive, got {value}");
    }

    /// <summary>U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for a bias, as PyTorch's Linear/Conv reset_parameters.</summary>
    internal static Tensor BiasInit(Tensor b, long fanIn, Generator? g)
    {
        var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        return Init.Uniform_(b, -bound, bound, g);
    }

    internal static string Py(bool b) => b ? "True" : "False";
    /// <summary>A double as Python's repr writes it (1.0, 0.5, 1e-05).</summary>
    internal static string Py(double x) =>
        x == Math.Floor(x) && Math.Abs(x) < 1e16 ? x.ToString("0", CultureInfo.InvariantCulture) + ".0"
        : x.ToString("R", CultureInfo.InvariantCulture).Replace("E-0", "e-0").Replace("E", "e");
}

/// <summary>
/// y = x W^T + b with W (out, in) and b (out): x (*, in) -> (*, out). Initialised as PyTorch: W by
/// kaiming_uniform(a = sqrt 5), i.e. U(-1/sqrt(in), 1/sqrt(in)), and b by U(-1/sqrt(in), 1/sqrt(in)),
/// drawn in that order from <c>generator</c> (or the global generator).
/// </summary>
public sealed class Linear : Module
{
    public long InFeatures { get; }
    public long OutFeatures { get; }

    public Linear(long inFeatures, long outFeatures, bool bias = true, Generator? generator = null,
        ScalarType? dtype = null, Device? device = null)
    {
        Make.Positive(nameof(Linear), "inFeatures", inFeatures);
        Make.Positive(nameof(Linear), "outFeatures", outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("weight", Make.Param(new[] { outFeatures, inFeatures }, dtype, device,
            w => Init.KaimingUniform_(w, a: Math.Sqrt(5), generator: generator)));
        RegisterOptionalParameter("bias", bias ? Make.Param(new[] { outFeatures }, dtype, device, b => Make.BiasInit(b, inFeatures, generator)) : null);
    }

    /// <summary>(out, in).</summary>
    public Tensor Weight => GetParameter("weight")!;
    /// <summary>(out), or null when built with bias: false.</summary>
    public Tensor? Bias => GetParameter("bias");

    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Make.Py(Bias is not null)}";
}

/// <summary>
/// 2-D convolution with square kernels: x (B, C_in, H, W) -> (B, C_out, H', W'),
/// H' = floor((H + 2 padding - dilation (k - 1) - 1) / stride) + 1. Weight (C_out, C_in/groups, k, k) and
/// bias (C_out) are initialised as PyTorch (kaiming_uniform a = sqrt 5; bias U(+-1/sqrt(fan_in)), fan_in = C_in/groups k^2).
/// </summary>
public sealed class Conv2d : Module
{
    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true, Generator? generator = null, ScalarType? dtype = null, Device? device = null)
    {
        foreach (var (what, v) in new[] { ("inChannels", inChannels), ("outChannels", outChannels), ("kernelSize", kernelSize),
                     ("stride", stride), ("dilation", dilation), ("groups", groups) })
            Make.Positive(nameof(Conv2d), what, v);
        if (padding < 0) throw new ArgumentException($"Conv2d: padding must be non-negative, got {padding}");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: inChannels ({inChannels}) and outChannels ({outChannels}) must both be divisible by groups ({groups})");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        RegisterParameter("weight", Make.Param(new[] { outChannels, inChannels / groups, kernelSize, kernelSize }, dtype, device,
            t => Init.KaimingUniform_(t, a: Math.Sqrt(5), generator: generator)));
        var fanIn = inChannels / groups * kernelSize * kernelSize;
        RegisterOptionalParameter("bias", bias ? Make.Param(new[] { outChannels }, dtype, device, b => Make.BiasInit(b, fanIn, generator)) : null);
    }

    /// <summary>(C_out, C_in/groups, k, k).</summary>
    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})" +
        (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (Dilation != 1 ? $", dilation=({Dilation}, {Dilation})" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}

/// <summary>
/// Transposed 2-D convolution (the gradient of Conv2d): x (B, C_in, H, W) -> (B, C_out, H', W'),
/// H' = (H - 1) stride - 2 padding + dilation (k - 1) + outputPadding + 1. Weight (C_in, C_out/groups, k, k);
/// initialised as PyTorch, whose fan_in here is C_out/groups k^2 (it reads dim 1 of the weight).
/// </summary>
public sealed class ConvTranspose2d : Module
{
    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long OutputPadding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long outputPadding = 0,
        long groups = 1, bool bias = true, long dilation = 1, Generator? generator = null, ScalarType? dtype = null, Device? device = null)
    {
        foreach (var (what, v) in new[] { ("inChannels", inChannels), ("outChannels", outChannels), ("kernelSize", kernelSize),
                     ("stride", stride), ("dilation", dilation), ("groups", groups) })
            Make.Positive(nameof(ConvTranspose2d), what, v);
        if (padding < 0 || outputPadding < 0)
            throw new ArgumentException($"ConvTranspose2d: padding ({padding}) and outputPadding ({outputPadding}) must be non-negative");
        if (outputPadding >= Math.Max(stride, dilation))
            throw new ArgumentException($"ConvTranspose2d: outputPadding ({outputPadding}) must be smaller than stride ({stride}) or dilation ({dilation})");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: inChannels ({inChannels}) and outChannels ({outChannels}) must both be divisible by groups ({groups})");
        (InChannels, OutChannels, KernelSize, Stride, Padding, OutputPadding, Dilation, Groups) =
            (inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, groups);
        RegisterParameter("weight", Make.Param(new[] { inChannels, outChannels / groups, kernelSize, kernelSize }, dtype, device,
            t => Init.KaimingUniform_(t, a: Math.Sqrt(5), generator: generator)));
        var fanIn = outChannels / groups * kernelSize * kernelSize;
        RegisterOptionalParameter("bias", bias ? Make.Param(new[] { outChannels }, dtype, device, b => Make.BiasInit(b, fanIn, generator)) : null);
    }

    /// <summary>(C_in, C_out/groups, k, k).</summary>
    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    public override Tensor Forward(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Dilation, Groups);
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})" +
        (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (OutputPadding != 0 ? $", output_padding=({OutputPadding}, {OutputPadding})" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}

/// <summary>
/// A lookup table: integer indices (*) -> rows of the weight (*, D). Weight (V, D) ~ N(0, 1), as PyTorch;
/// the row <c>paddingIdx</c> (negative counts from the end) starts at zero and gets no gradient.
/// </summary>
public sealed class Embedding : Module
{
    public long NumEmbeddings { get; }
    public long EmbeddingDim { get; }
    public long? PaddingIdx { get; }

    public Embedding(long numEmbeddings, long embeddingDim, long? paddingIdx = null, Generator? generator = null,
        ScalarType? dtype = null, Device? device = null)
    {
        Make.Positive(nameof(Embedding), "numEmbeddings", numEmbeddings);
        Make.Positive(nameof(Embedding), "embeddingDim", embeddingDim);
        if (paddingIdx is { } p)
        {
            if (p >= numEmbeddings || p < -numEmbeddings)
                throw new ArgumentException($"Embedding: paddingIdx {p} is outside [-{numEmbeddings}, {numEmbeddings})");
            PaddingIdx = p < 0 ? p + numEmbeddings : p;
        }
        (NumEmbeddings, EmbeddingDim) = (numEmbeddings, embeddingDim);
        RegisterParameter("weight", Make.Param(new[] { numEmbeddings, embeddingDim }, dtype, device, w =>
        {
            Init.Normal_(w, 0, 1, generator);
            if (PaddingIdx is { } pad)
                using (Autograd.NoGrad())
                using (var row = w.Select(0, pad))
                    row.Zero_();
            return w;
        }));
    }

    /// <summary>(V, D).</summary>
    public Tensor Weight => GetParameter("weight")!;

    public override Tensor Forward(Tensor input) => Functional.Embedding(input, Weight, PaddingIdx);
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is { } p ? $", padding_idx={p}" : "");
}

/// <summary>
/// Layer normalisation over the trailing <c>normalizedShape</c> dims: (x - mean) / sqrt(var + eps) * weight + bias,
/// with the biased variance; weight starts at ones and bias at zeros, as PyTorch.
/// </summary>
public sealed class LayerNorm : Module
{
    public long[] NormalizedShape { get; }
    public double Eps { get; }

    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true,
        ScalarType? dtype = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0) throw new ArgumentException("LayerNorm: normalizedShape needs at least one dim");
        foreach (var s in normalizedShape) Make.Positive(nameof(LayerNorm), "each normalizedShape entry", s);
        if (!(eps > 0)) throw new ArgumentException($"LayerNorm: eps must be positive, got {eps}");
        NormalizedShape = (long[])normalizedShape.Clone();
        Eps = eps;
        RegisterOptionalParameter("weight", elementwiseAffine ? Make.Param(NormalizedShape, dtype, device, Init.Ones_) : null);
        RegisterOptionalParameter("bias", elementwiseAffine && bias ? Make.Param(NormalizedShape, dtype, device, Init.Zeros_) : null);
    }

    /// <summary>Normalises over the last dim of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(long normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true,
        ScalarType? dtype = null, Device? device = null)
        : this(new[] { normalizedShape }, eps, elementwiseAffine, bias, dtype, device) { }

    public Tensor? Weight => GetParameter("weight");
    public Tensor? Bias => GetParameter("bias");

    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);
    protected override string ExtraRepr() =>
        $"({string.Join(", ", NormalizedShape)}{(NormalizedShape.Length == 1 ? "," : "")}), eps={Make.Py(Eps)}, elementwise_affine={Make.Py(Weight is not null)}";
}
