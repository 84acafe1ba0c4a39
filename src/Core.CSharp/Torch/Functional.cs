// Functional.cs: torch.nn.functional — layers, activations, normalisation, convolution, pooling, interpolation, fold/unfold, dropout and losses as plain functions.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

/// <summary>How a loss reduces over the batch: none (per element), mean or sum.</summary>
public enum Reduction { None = 0, Mean = 1, Sum = 2 }

/// <summary>torch.nn.functional in .NET casing. Models are written over these.</summary>
public static partial class Functional
{
    private static Tensor W(int status, IntPtr h, [System.Runtime.CompilerServices.CallerMemberName] string op = "") => Tensor.Wrap(status, h, op);
    private static long[] Pair(long v) => new[] { v, v };

    /// <summary>x W^T + b; x (*, in), W (out, in), b (out).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        W(gd_nn_linear(x, weight, Tensor.Of(bias), out var r), r);

    /// <summary>2-D convolution; x (B, C, H, W), weight (O, C/groups, kH, kW).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        W(gd_nn_conv2d(x, weight, Tensor.Of(bias), Pair(stride), Pair(padding), Pair(dilation), groups, out var r), r);

    /// <summary>Transposed 2-D convolution; weight (C, O/groups, kH, kW).</summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
        long outputPadding = 0, long dilation = 1, long groups = 1) =>
        W(gd_nn_conv_transpose2d(x, weight, Tensor.Of(bias), Pair(stride), Pair(padding), Pair(outputPadding), Pair(dilation), groups, out var r), r);

    public static Tensor MaxPool2d(Tensor x, long kernel, long? stride = null, long padding = 0) =>
        W(gd_nn_max_pool2d(x, Pair(kernel), Pair(stride ?? kernel), Pair(padding), out var r), r);
    public static Tensor AvgPool2d(Tensor x, long kernel, long? stride = null, long padding = 0) =>
        W(gd_nn_avg_pool2d(x, Pair(kernel), Pair(stride ?? kernel), Pair(padding), out var r), r);

    /// <summary>
    /// Rows of <paramref name="weight"/> (V, D) picked by integer <paramref name="indices"/>: (*,) -> (*, D). The row
    /// <paramref name="paddingIdx"/> gets no gradient; negative counts from the end (-1 is the last row, as in
    /// F.embedding); null means no padding row.
    /// </summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, long? paddingIdx = null)
    {
        var pad = -1L; // libtorch's "none"
        if (paddingIdx is { } p)
        {
            var v = weight.Size(0);
            if (p >= v || p < -v)
                throw new ArgumentException($"Embedding: paddingIdx {p} is outside [-{v}, {v}) for a weight with {v} rows; pass null for no padding");
            pad = p < 0 ? p + v : p;
        }
        return W(gd_nn_embedding(weight, indices, pad, out var r), r);
    }

    public static Tensor LayerNorm(Tensor x, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        W(gd_nn_layer_norm(x, normalizedShape, normalizedShape.Length, Tensor.Of(weight), Tensor.Of(bias), eps, out var r), r);

    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        W(gd_nn_batch_norm(x, Tensor.Of(weight), Tensor.Of(bias), Tensor.Of(runningMean), Tensor.Of(runningVar),
            training ? 1 : 0, momentum, eps, out var r), r);

    /// <summary>Zeroes each element with probability p and scales the rest by 1/(1-p) when training; the identity otherwise.</summary>
    public static Tensor Dropout(Tensor x, double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (!training || p == 0 || p == 1 || Generator.RowsFor(generator, x.Shape) is not { } rows)
            return W(gd_tensor_dropout(x, p, training ? 1 : 0, Generator.Of(generator), out var r), r);
        using var index = rows.Index(Device.CPU);   // (n_r,): this rank's rows of the batch's mask
        return W(gd_tensor_dropout_rows(x, p, rows.Count, index, Generator.Of(generator), out var rr), rr);
    }

    public static Tensor Relu(Tensor x) => x.Relu();
    public static Tensor Gelu(Tensor x) => x.Gelu();
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();
    public static Tensor Tanh(Tensor x) => x.Tanh();
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) => x.LeakyRelu(negativeSlope);
    public static Tensor Softplus(Tensor x, double beta = 1, double threshold = 20) => x.Softplus(beta, threshold);
    public static Tensor Softmax(Tensor x, long dim) => x.Softmax(dim);
    public static Tensor LogSoftmax(Tensor x, long dim) => x.LogSoftmax(dim);
    public static Tensor OneHot(Tensor indices, long numClasses = -1) => W(gd_nn_one_hot(indices, numClasses, out var r), r);

    /// <summary>Constant padding; <paramref name="pad"/> lists (left, right) pairs from the last dim backwards, as F.pad.</summary>
    public static Tensor Pad(Tensor x, long[] pad, double value = 0) => W(gd_nn_pad(x, pad, pad.Length, value, out var r), r);

    // ---- losses ----
    /// <summary>Negative log-likelihood of integer targets under log-probabilities (N, C) or (N, C, d...).</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignoreIndex = -100) =>
        W(gd_nn_nll_loss(logProbs, target, Tensor.Of(weight), (int)reduction, ignoreIndex, out var r), r);

    /// <summary>log_softmax + nll_loss on logits (N, C); targets are class indices.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100, double labelSmoothing = 0) =>
        W(gd_nn_cross_entropy(logits, target, Tensor.Of(weight), (int)reduction, ignoreIndex, labelSmoothing, out var r), r);

    /// <summary>Binary cross-entropy on logits, computed stably (no sigmoid then log).</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? posWeight = null,
        Reduction reduction = Reduction.Mean) =>
        W(gd_nn_bce_with_logits(logits, target, Tensor.Of(weight), Tensor.Of(posWeight), (int)reduction, out var r), r);

    public static Tensor BinaryCrossEntropy(Tensor probs, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
        W(gd_nn_bce(probs, target, Tensor.Of(weight), (int)reduction, out var r), r);

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        W(gd_nn_mse_loss(input, target, (int)reduction, out var r), r);

    /// <summary>Scales gradients in place so their joint norm is at most maxNorm; returns the norm before clipping.</summary>
    public static double ClipGradNorm_(IReadOnlyList<Tensor> parameters, double maxNorm, double normType = 2)
    {
        Check(gd_nn_clip_grad_norm_(Tensor.Handles(parameters), parameters.Count, maxNorm, normType, out var total));
        GC.KeepAlive(parameters);
        return total;
    }

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

    /// <summary>
    /// F.kl_div(input, target): the pointwise target (log target - input) with input holding log-probabilities (and target
    /// log-probabilities too with logTarget). KL(p || q) for a batch is <c>KlDiv(q.Log(), p, batchMean: true)</c>: the sum
    /// divided by the batch size (PyTorch's reduction="batchmean"; Mean divides by the element count instead).
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false, bool batchMean = false)
    {
        if (!batchMean) return W(gd_nn_kl_div(input, target, (int)reduction, logTarget ? 1 : 0, out var r), r);
        if (reduction != Reduction.Mean)
            throw new ArgumentException("KlDiv: batchMean replaces the reduction; leave reduction at Mean");
        using var sum = W(gd_nn_kl_div(input, target, (int)Reduction.Sum, logTarget ? 1 : 0, out var s), s);
        return input.Dim == 0 ? sum.Alias() : sum / input.Size(0);
    }
    /// <summary>|input - target|, reduced.</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        W(gd_nn_l1_loss(input, target, (int)reduction, out var r), r);
    /// <summary>0.5 d^2 / beta where |d| &lt; beta, |d| - 0.5 beta elsewhere (d = input - target).</summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
        W(gd_nn_smooth_l1_loss(input, target, (int)reduction, beta, out var r), r);
    /// <summary>0.5 d^2 where |d| &lt; delta, delta (|d| - 0.5 delta) elsewhere: delta times SmoothL1Loss with beta = delta.</summary>
    public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0) =>
        W(gd_nn_huber_loss(input, target, (int)reduction, delta, out var r), r);

    /// <summary>
    /// The Gaussian negative log-likelihood 0.5 (log max(var, eps) + (input - target)^2 / max(var, eps)) (+ 0.5 log 2 pi with
    /// full), as F.gaussian_nll_loss: var has input's shape, or lacks its last dim, or has 1 there (one variance per
    /// row); the clamp at eps does not stop the gradient (PyTorch clamps a copy without grad).
    /// </summary>
    public static Tensor GaussianNllLoss(Tensor input, Tensor target, Tensor var, bool full = false, double eps = 1e-6, Reduction reduction = Reduction.Mean)
    {
        using var scope = Scope.Begin();
        var v = var;
        if (v.Dim == input.Dim - 1 && input.Dim > 0 && SameLeading(v, input)) v = v.Unsqueeze(-1);          // (*, 1)
        else if (!(v.Dim == input.Dim && (SameShape(v, input) || (SameLeading(v, input, 1) && v.Size(-1) == 1))))
            throw new ArgumentException($"GaussianNllLoss: var [{string.Join(", ", var.Shape)}] must have input's shape [{string.Join(", ", input.Shape)}], " +
                "or lack its last dim, or have 1 there");
        Tensor clamped;
        using (Autograd.NoGrad()) clamped = v.Clamp(eps, null);
        var vv = v + (clamped - v).Detach();                                          // value max(var, eps), gradient of var
        var loss = (vv.Log() + (input - target).Square() / vv) * 0.5;
        if (full) loss = loss + 0.5 * Math.Log(2 * Math.PI);
        var result = reduction switch { Reduction.Mean => loss.Mean(), Reduction.Sum => loss.Sum(), _ => loss };
        return result.MoveToOuterScope();
    }

    private static bool SameShape(Tensor a, Tensor b) => a.Shape.AsSpan().SequenceEqual(b.Shape);
    private static bool SameLeading(Tensor a, Tensor b, int dropLast = 0)
    {
        var n = b.Dim - 1;
        for (var i = 0; i < n; i++) if (a.Size(i) != b.Size(i)) return false;
        return dropLast == 0 || a.Dim == b.Dim;
    }
}
