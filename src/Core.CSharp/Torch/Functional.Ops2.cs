// Functional.Ops2.cs: torch.nn.functional of issue 14 — activations (elu, selu, celu, gelu tanh, hardtanh, glu, softmin),
// normalize, cosine_similarity, group_norm, conv1d, adaptive pooling, interpolate, pixel_shuffle, unfold/fold, gumbel_softmax.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public static partial class Functional
{
    /// <summary>x for x &gt; 0, alpha (e^x - 1) otherwise.</summary>
    public static Tensor Elu(Tensor x, double alpha = 1.0) => W(gd_nn_elu(x, alpha, out var r), r);
    /// <summary>scale elu(x, alpha) with PyTorch's constants (alpha 1.6732632423543772, scale 1.0507009873554805).</summary>
    public static Tensor Selu(Tensor x) => W(gd_nn_selu(x, out var r), r);
    /// <summary>max(0, x) + min(0, alpha (e^(x / alpha) - 1)).</summary>
    public static Tensor Celu(Tensor x, double alpha = 1.0) => W(gd_nn_celu(x, alpha, out var r), r);
    /// <summary>
    /// GELU: x Phi(x) exactly ("none"), or with approximate "tanh": 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    /// (GPT-2's form).
    /// </summary>
    public static Tensor Gelu(Tensor x, string approximate)
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"Gelu: approximate '{approximate}' is unknown; use \"none\" or \"tanh\"");
        return W(gd_nn_gelu(x, approximate == "tanh" ? 1 : 0, out var r), r);
    }
    /// <summary>x clamped to [minVal, maxVal] (gradient zero outside).</summary>
    public static Tensor Hardtanh(Tensor x, double minVal = -1, double maxVal = 1) => W(gd_nn_hardtanh(x, minVal, maxVal, out var r), r);
    /// <summary>Gated linear unit: a * sigmoid(b) where (a, b) are the halves of x along dim (which must be even).</summary>
    public static Tensor Glu(Tensor x, long dim = -1) => W(gd_nn_glu(x, dim, out var r), r);
    /// <summary>softmax(-x) along dim.</summary>
    public static Tensor Softmin(Tensor x, long dim)
    {
        using var neg = x.Neg();
        return neg.Softmax(dim);
    }
    /// <summary>x / max(||x||_p, eps) along dim (F.normalize): unit vectors, and 0 stays 0.</summary>
    public static Tensor Normalize(Tensor x, double p = 2, long dim = 1, double eps = 1e-12)
    {
        using var scope = Scope.Begin();
        var norm = Linalg.VectorNorm(x, p, new[] { dim }, keepdim: true).ClampMin(eps);      // (.., 1, ..)
        return (x / norm.ExpandAs(x)).MoveToOuterScope();
    }
    /// <summary>x1 . x2 / max(||x1|| ||x2||, eps) along dim, broadcasting (F.cosine_similarity).</summary>
    public static Tensor CosineSimilarity(Tensor x1, Tensor x2, long dim = 1, double eps = 1e-8) =>
        W(gd_nn_cosine_similarity(x1, x2, dim, eps, out var r), r);
    /// <summary>Normalises x (N, C, *) over groups of C / groups channels and the spatial dims, then applies per-channel weight and bias.</summary>
    public static Tensor GroupNorm(Tensor x, long numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (x.Dim < 2 || numGroups <= 0 || x.Size(1) % numGroups != 0)
            throw new ArgumentException($"GroupNorm: {numGroups} groups must divide the {(x.Dim < 2 ? 0 : x.Size(1))} channels of x (N, C, *)");
        return W(gd_nn_group_norm(x, numGroups, Tensor.Of(weight), Tensor.Of(bias), eps, out var r), r);
    }
    /// <summary>1-D convolution; x (B, C, L), weight (O, C/groups, k) -> (B, O, (L + 2 padding - dilation (k - 1) - 1) / stride + 1).</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        W(gd_nn_conv1d(x, weight, Tensor.Of(bias), stride, padding, dilation, groups, out var r), r);
    /// <summary>Averages over adaptive windows so that the last dim becomes outputSize: window i is [floor(i L / n), ceil((i + 1) L / n)).</summary>
    public static Tensor AdaptiveAvgPool1d(Tensor x, long outputSize) => W(gd_nn_adaptive_avg_pool1d(x, outputSize, out var r), r);
    public static Tensor AdaptiveAvgPool2d(Tensor x, long outputH, long outputW) =>
        W(gd_nn_adaptive_avg_pool2d(x, new[] { outputH, outputW }, out var r), r);
    public static Tensor AdaptiveAvgPool2d(Tensor x, long outputSize) => AdaptiveAvgPool2d(x, outputSize, outputSize);
    public static Tensor AdaptiveMaxPool1d(Tensor x, long outputSize)
    {
        Check(gd_nn_adaptive_max_pool1d(x, outputSize, out var v, out var i));
        using var idx = new Tensor(i);
        return new Tensor(v);
    }
    public static Tensor AdaptiveMaxPool2d(Tensor x, long outputH, long outputW)
    {
        Check(gd_nn_adaptive_max_pool2d(x, new[] { outputH, outputW }, out var v, out var i));
        using var idx = new Tensor(i);
        return new Tensor(v);
    }
    public static Tensor AdaptiveMaxPool2d(Tensor x, long outputSize) => AdaptiveMaxPool2d(x, outputSize, outputSize);

    /// <summary>
    /// Resizes x (N, C, H, W) to <paramref name="size"/> [H', W'] or by <paramref name="scaleFactor"/> (give exactly one), with
    /// mode "nearest" (src = floor(dst * in / out)) or "bilinear" (alignCorners false: half-pixel centres, as F.interpolate).
    /// MNIST 28x28 -> 32x32 is <c>Interpolate(x, size: new long[] { 32, 32 }, mode: "bilinear")</c>.
    /// </summary>
    public static Tensor Interpolate(Tensor x, long[]? size = null, double? scaleFactor = null, string mode = "nearest", bool? alignCorners = null)
    {
        if (size is null == scaleFactor is null)
            throw new ArgumentException("Interpolate: give exactly one of size and scaleFactor");
        if (mode is not ("nearest" or "bilinear"))
            throw new ArgumentException($"Interpolate: mode '{mode}' is not supported; use \"nearest\" or \"bilinear\"");
        if (mode == "nearest" && alignCorners is not null)
            throw new ArgumentException("Interpolate: alignCorners only applies to bilinear (as PyTorch)");
        if (x.Dim != 4)
            throw new ArgumentException($"Interpolate: x must be 4-D (N, C, H, W), got {x.Dim}-D");
        if (size is { Length: not 2 })
            throw new ArgumentException($"Interpolate: size must be [H, W], got {size.Length} numbers");
        var sz = size;
        var sf = scaleFactor is { } f ? new[] { f, f } : null;
        return W(gd_nn_interpolate2d(x, sz, sf, mode == "bilinear" ? 1 : 0, alignCorners == true ? 1 : 0, out var r), r);
    }
    /// <summary>(N, C r^2, H, W) -> (N, C, H r, W r): sub-pixel convolution's rearrangement.</summary>
    public static Tensor PixelShuffle(Tensor x, long upscaleFactor) => W(gd_nn_pixel_shuffle(x, upscaleFactor, out var r), r);
    /// <summary>(N, C, H r, W r) -> (N, C r^2, H, W), the inverse of PixelShuffle.</summary>
    public static Tensor PixelUnshuffle(Tensor x, long downscaleFactor) => W(gd_nn_pixel_unshuffle(x, downscaleFactor, out var r), r);
    /// <summary>Sliding blocks (im2col): x (N, C, H, W) -> (N, C kH kW, L) with L the number of block positions.</summary>
    public static Tensor Unfold(Tensor x, long kernelSize, long dilation = 1, long padding = 0, long stride = 1) =>
        W(gd_nn_unfold(x, Pair(kernelSize), Pair(dilation), Pair(padding), Pair(stride), out var r), r);
    /// <summary>The adjoint of Unfold (col2im): (N, C kH kW, L) -> (N, C, H, W) with outputSize [H, W], overlapping entries summed.</summary>
    public static Tensor Fold(Tensor x, long[] outputSize, long kernelSize, long dilation = 1, long padding = 0, long stride = 1) =>
        outputSize.Length != 2
            ? throw new ArgumentException($"Fold: outputSize must be [H, W], got {outputSize.Length} numbers")
            : W(gd_nn_fold(x, outputSize, Pair(kernelSize), Pair(dilation), Pair(padding), Pair(stride), out var r), r);

    /// <summary>
    /// softmax((logits + g) / tau) with g_i = -log(-log U_i), U ~ U(0, 1) drawn from <paramref name="generator"/> (Jang et al. 2017;
    /// CSE 599i P2's Gumbel trick). With hard, the forward value is the one-hot argmax and the gradient the soft sample's
    /// (straight-through).
    /// </summary>
    public static Tensor GumbelSoftmax(Tensor logits, double tau = 1, bool hard = false, long dim = -1, Generator? generator = null)
    {
        if (!(tau > 0)) throw new ArgumentException($"GumbelSoftmax: tau must be positive, got {tau}");
        using var scope = Scope.Begin();
        var u = Torch.RandLike(logits, generator).ClampMin(1e-20);                      // avoid log(0)
        var gumbels = u.Log().Neg().Log().Neg();                                        // -log(-log U)
        var soft = ((logits + gumbels) / tau).Softmax(dim);
        if (!hard) return soft.MoveToOuterScope();
        var (_, index) = soft.Max(dim, keepdim: true);
        var oneHot = Torch.ZerosLike(soft).Scatter(dim, index, Torch.OnesLike(soft));
        return (oneHot - soft.Detach() + soft).MoveToOuterScope();
    }
}
