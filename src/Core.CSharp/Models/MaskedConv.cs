// MaskedConv.cs: type A / type B masked 3x3 convolutions (Mila Q1) as a small net with explicit weights, and its receptive field by autograd.
using GenDsl.Torch;

namespace GenDsl.Models;

public enum MaskType { A, B }

/// <summary>
/// Masked convolutions as Mila Q1 defines them (kernel k x k, 1-based indices, centre c = (k+1)/2):
///   (M^A)_{ij} = 1 if i = c and j &lt; c, or i &gt; c;   (M^B)_{ij} = 1 if i = c and j &lt;= c, or i &gt; c;   0 elsewhere.
/// For k = 3: M^A = [[0,0,0],[1,0,0],[1,1,1]], M^B = [[0,0,0],[1,1,0],[1,1,1]]. Convolution is cross-correlation
/// (no kernel flipping), padding (k-1)/2, so with input x the output at (r, col) reads x[r + i - c, col + j - c]:
/// type A sees the pixel to the left and the row below, type B also the pixel itself.
/// </summary>
public static class MaskedConv
{
    /// <summary>The (k, k) float64 mask of the given type.</summary>
    public static Tensor Mask(MaskType type, int k = 3)
    {
        if (k < 1 || k % 2 == 0) throw new ArgumentOutOfRangeException(nameof(k), $"kernel size must be odd and positive, got {k}");
        var c = (k + 1) / 2;
        var m = new double[k * k];
        for (var i = 1; i <= k; i++)
            for (var j = 1; j <= k; j++)
                m[(i - 1) * k + (j - 1)] = i > c || (i == c && (type == MaskType.A ? j < c : j <= c)) ? 1 : 0;
        return Torch.Torch.Tensor<double>(m, k, k);
    }

    /// <summary>conv2d(x, weight ⊙ mask) with padding (k-1)/2: x (B, Cin, H, W), weight (Cout, Cin, k, k).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, MaskType type, Tensor? bias = null)
    {
        var k = weight.Size(-1);
        using var mask = Mask(type, (int)k);
        using var mw = weight * mask;
        return Functional.Conv2d(x, mw, bias, padding: (k - 1) / 2);
    }
}

/// <summary>
/// A stack of masked k x k convolutions with tanh between layers: x (B, 1, H, W) -&gt; (B, 1, H, W).
/// Weights are explicit tensors (Cout, Cin, k, k), drawn positive so no two paths cancel: an input pixel
/// is in an output pixel's receptive field exactly when the gradient is non-zero.
/// </summary>
public sealed class MaskedConvNet
{
    public IReadOnlyList<MaskType> Masks { get; }
    public IReadOnlyList<Tensor> Weights { get; }
    public int KernelSize { get; }

    public MaskedConvNet(IReadOnlyList<MaskType> masks, int channels = 4, int kernelSize = 3, Generator? generator = null)
    {
        if (masks.Count == 0) throw new ArgumentException("MaskedConvNet: give at least one layer's mask type");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), "need at least one hidden channel");
        Masks = masks;
        KernelSize = kernelSize;
        var ws = new List<Tensor>();
        for (var l = 0; l < masks.Count; l++)
        {
            long cin = l == 0 ? 1 : channels, cout = l == masks.Count - 1 ? 1 : channels;
            using var u = Torch.Torch.Rand(new[] { cout, cin, (long)kernelSize, kernelSize }, generator, ScalarType.Float64);
            ws.Add((u + 0.5).DetachFromScope());   // in [0.5, 1.5)
        }
        Weights = ws;
    }

    public Tensor Forward(Tensor x)
    {
        using var s = Scope.Begin();
        var h = x;
        for (var l = 0; l < Masks.Count; l++)
        {
            h = MaskedConv.Conv2d(h, Weights[l], Masks[l]);
            if (l < Masks.Count - 1) h = h.Tanh();
        }
        return h.MoveToOuterScope();
    }

    /// <summary>
    /// The receptive field of output pixel (row, col) (0-based) on an H x W input: d out[row, col] / d x != 0,
    /// found with autograd. Returns an (H, W) bool grid.
    /// </summary>
    public bool[,] ReceptiveField(int height, int width, int row, int col)
    {
        if (row < 0 || row >= height || col < 0 || col >= width)
            throw new ArgumentOutOfRangeException(nameof(row), $"pixel ({row}, {col}) is outside the {height}x{width} map");
        using var s = Scope.Begin();
        var x = Torch.Torch.Full(new long[] { 1, 1, height, width }, 0.1, ScalarType.Float64).RequiresGrad_();
        var y = Forward(x);
        var g = Autograd.Grad(y[0, 0, row, col], x);   // (1, 1, H, W)
        var v = g.Reshape(height, width).ToArray<double>();
        var r = new bool[height, width];
        for (var i = 0; i < height; i++)
            for (var j = 0; j < width; j++)
                r[i, j] = v[i * width + j] != 0;
        return r;
    }
}
