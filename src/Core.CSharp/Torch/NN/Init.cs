// Init.cs: torch.nn.init — in-place initialisers (uniform, normal, Kaiming, Xavier) with an optional seeded Generator.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch.NN;

/// <summary>
/// torch.nn.init in .NET casing. Every initialiser fills the tensor in place without recording autograd,
/// draws from <c>generator</c> (or the global one seeded by <see cref="Torch.ManualSeed"/>)
/// and returns the tensor.
/// </summary>
public static class Init
{
    /// <summary>Fills with U(low, high).</summary>
    public static Tensor Uniform_(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
    {
        if (!(low <= high)) throw new ArgumentException($"Uniform_: low ({low}) must not exceed high ({high})");
        using (Autograd.NoGrad()) Check(gd_tensor_uniform_(tensor, low, high, Generator.Of(generator)));
        return tensor;
    }

    /// <summary>Fills with N(mean, std^2).</summary>
    public static Tensor Normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        if (!(std >= 0)) throw new ArgumentException($"Normal_: std must be non-negative, got {std}");
        using (Autograd.NoGrad()) Check(gd_tensor_normal_(tensor, mean, std, Generator.Of(generator)));
        return tensor;
    }

    public static Tensor Zeros_(Tensor tensor) { using (Autograd.NoGrad()) tensor.Zero_(); return tensor; }
    public static Tensor Ones_(Tensor tensor) { using (Autograd.NoGrad()) tensor.Fill_(1.0); return tensor; }
    public static Tensor Constant_(Tensor tensor, double value) { using (Autograd.NoGrad()) tensor.Fill_(value); return tensor; }

    /// <summary>
    /// (fan_in, fan_out) as PyTorch computes them: for a weight (out, in, k...) fan_in = in * prod(k) and
    /// fan_out = out * prod(k). (For ConvTranspose weights (in, out/groups, k...) this gives PyTorch's same quirk.)
    /// </summary>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        var s = tensor.Shape;
        if (s.Length < 2)
            throw new ArgumentException($"fan in and fan out need a tensor of at least 2 dims, got [{string.Join(", ", s)}]");
        long receptive = 1;
        for (var i = 2; i < s.Length; i++) receptive *= s[i];
        return (s[1] * receptive, s[0] * receptive);
    }

    /// <summary>The recommended gain for a nonlinearity: relu sqrt(2), leaky_relu sqrt(2/(1+a^2)), tanh 5/3, linear/sigmoid/conv 1.</summary>
    public static double CalculateGain(string nonlinearity, double param = 0.01) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose2d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + param * param)),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"unknown nonlinearity '{nonlinearity}': use linear, sigmoid, tanh, relu, leaky_relu, selu or a conv name"),
    };

    /// <summary>
    /// He uniform: U(-b, b) with b = gain * sqrt(3 / fan), gain = sqrt(2 / (1 + a^2)) (leaky_relu). With
    /// a = sqrt(5) and fan = fan_in this is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's Linear/Conv default.
    /// </summary>
    public static Tensor KaimingUniform_(Tensor tensor, double a = 0, bool fanIn = true, string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        var (fi, fo) = CalculateFanInAndFanOut(tensor);
        var fan = fanIn ? fi : fo;
        if (fan == 0) return tensor; // PyTorch warns and leaves a zero-element tensor alone
        var std = CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
        var bound = Math.Sqrt(3.0) * std; // PyTorch's order of operations, so the bounds agree to the bit
        return Uniform_(tensor, -bound, bound, generator);
    }

    /// <summary>He normal: N(0, std^2) with std = gain / sqrt(fan).</summary>
    public static Tensor KaimingNormal_(Tensor tensor, double a = 0, bool fanIn = true, string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        var (fi, fo) = CalculateFanInAndFanOut(tensor);
        var fan = fanIn ? fi : fo;
        if (fan == 0) return tensor;
        return Normal_(tensor, 0, CalculateGain(nonlinearity, a) / Math.Sqrt(fan), generator);
    }

    /// <summary>Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform_(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fi, fo) = CalculateFanInAndFanOut(tensor);
        var bound = gain * Math.Sqrt(6.0 / (fi + fo));
        return Uniform_(tensor, -bound, bound, generator);
    }

    /// <summary>Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal_(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fi, fo) = CalculateFanInAndFanOut(tensor);
        return Normal_(tensor, 0, gain * Math.Sqrt(2.0 / (fi + fo)), generator);
    }
}
