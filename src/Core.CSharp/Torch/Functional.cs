// Functional.cs: torch.nn.functional — layers, normalisation, dropout and losses as plain functions.
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
}
