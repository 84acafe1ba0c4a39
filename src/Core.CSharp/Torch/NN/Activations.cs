// Activations.cs: parameter-free modules — ReLU, LeakyReLU, Tanh, Sigmoid, GELU, SiLU, Softplus, Identity, Flatten, Dropout.
namespace GenDsl.Torch.NN;

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor input) => input.Relu();
}

public sealed class LeakyReLU : Module
{
    public double NegativeSlope { get; }
    public LeakyReLU(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);
    protected override string ExtraRepr() => $"negative_slope={Make.Py(NegativeSlope)}";
}

public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor input) => input.Tanh();
}

public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

/// <summary>x Phi(x) with the exact normal CDF (PyTorch's default, approximate='none').</summary>
public sealed class GELU : Module
{
    public override Tensor Forward(Tensor input) => input.Gelu();
}

/// <summary>x sigmoid(x).</summary>
public sealed class SiLU : Module
{
    public override Tensor Forward(Tensor input) => input.Silu();
}

/// <summary>log(1 + exp(beta x)) / beta, linear above the threshold.</summary>
public sealed class Softplus : Module
{
    public double Beta { get; }
    public double Threshold { get; }
    public Softplus(double beta = 1, double threshold = 20) => (Beta, Threshold) = (beta, threshold);
    public override Tensor Forward(Tensor input) => input.Softplus(Beta, Threshold);
    protected override string ExtraRepr() => $"beta={Make.Py(Beta)}, threshold={Make.Py(Threshold)}";
}

/// <summary>Returns its input (a new handle to it), as nn.Identity.</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor input) => input.Alias();
}

/// <summary>Flattens dims startDim..endDim: (B, C, H, W) -> (B, C H W) with the defaults (1, -1).</summary>
public sealed class Flatten : Module
{
    public long StartDim { get; }
    public long EndDim { get; }
    public Flatten(long startDim = 1, long endDim = -1) => (StartDim, EndDim) = (startDim, endDim);
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);
    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}

/// <summary>
/// In training mode zeroes each element with probability p and scales the survivors by 1/(1-p), so the
/// expectation is unchanged; in eval mode the identity. Masks are drawn from <c>generator</c> (or the global one).
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? generator;
    public double P { get; }

    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}");
        P = p;
        this.generator = generator;
    }

    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training, generator);
    protected override string ExtraRepr() => $"p={Make.Py(P)}, inplace=False";
}
