// SGD.cs: stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay (PyTorch's rules).
namespace GenDsl.Torch.Optim;

/// <summary>
/// torch.optim.SGD. For each parameter p with gradient g, at step t:
/// <code>
/// g  = g + weight_decay p                         (if weight_decay != 0)
/// b  = g at t = 1, else momentum b + (1 - dampening) g   (if momentum != 0)
/// g  = g + momentum b (nesterov) or b (otherwise)
/// p  = p - lr g
/// </code>
/// (maximize: g = -g first). The same fused in-place ops as PyTorch, so float results agree to the last bits.
/// </summary>
public sealed class SGD : Optimizer
{
    public double Momentum { get; }
    public double Dampening { get; }
    public bool Nesterov { get; }
    public bool Maximize { get; }

    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool maximize = false)
        : this(new[] { new ParamGroup(parameters) }, lr, momentum, dampening, weightDecay, nesterov, maximize) { }

    public SGD(IEnumerable<ParamGroup> paramGroups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool maximize = false)
        : base(paramGroups, lr, weightDecay)
    {
        CheckNonNegative("SGD momentum", momentum);
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"SGD: Nesterov momentum requires momentum > 0 and dampening = 0 (got momentum {momentum}, dampening {dampening})");
        (Momentum, Dampening, Nesterov, Maximize) = (momentum, dampening, nesterov, maximize);
    }

    protected override void Update(Tensor param, Tensor grad, ParamGroup group, ParamState state)
    {
        state.Step++;
        var d = Maximize ? grad.Neg() : grad;
        if (group.WeightDecay != 0) d = (ReferenceEquals(d, grad) ? d.Clone() : d).Add_(param, group.WeightDecay);
        if (Momentum != 0)
        {
            var first = !state.Tensors.ContainsKey("momentum_buffer");
            var dd = d;
            var buf = state.GetOrAdd("momentum_buffer", () => dd.Clone());
            if (!first) buf.Mul_(Momentum).Add_(d, 1 - Dampening);
            d = Nesterov ? d.Clone().Add_(buf, Momentum) : buf;
        }
        param.Add_(d, -group.LR);
    }
}
