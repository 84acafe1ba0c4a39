// Adam.cs: Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay), with PyTorch's bias correction.
namespace GenDsl.Torch.Optim;

/// <summary>
/// torch.optim.Adam. For each parameter p with gradient g, at step t:
/// <code>
/// g  = g + weight_decay p                      (Adam; AdamW instead first sets p = p (1 - lr weight_decay))
/// m  = m + (1 - beta1) (g - m)                 (lerp: m = beta1 m + (1 - beta1) g)
/// v  = beta2 v + (1 - beta2) g^2
/// v̂ = max(v̂, v) (amsgrad) or v
/// p  = p - lr / (1 - beta1^t) * m / (sqrt(v̂) / sqrt(1 - beta2^t) + eps)
/// </code>
/// (maximize: g = -g first.) The state tensors m, v are created on the first step, outside every scope.
/// </summary>
public class Adam : Optimizer
{
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public bool AmsGrad { get; }
    public bool Maximize { get; }
    /// <summary>True for AdamW: the weight decay shrinks the parameter directly instead of entering the gradient.</summary>
    protected virtual bool Decoupled => false;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(new[] { new ParamGroup(parameters) }, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize) { }

    public Adam(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : base(paramGroups, lr, weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"{GetType().Name}: beta1 must be in [0, 1), got {beta1}");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"{GetType().Name}: beta2 must be in [0, 1), got {beta2}");
        CheckNonNegative($"{GetType().Name} eps", eps);
        (Beta1, Beta2, Eps, AmsGrad, Maximize) = (beta1, beta2, eps, amsgrad, maximize);
    }

    protected override void Update(Tensor param, Tensor grad, ParamGroup group, ParamState state)
    {
        var t = ++state.Step;
        var g = Maximize ? grad.Neg() : grad;
        var lr = group.LR;
        if (group.WeightDecay != 0)
        {
            if (Decoupled) param.Mul_(1 - lr * group.WeightDecay);
            else g = (ReferenceEquals(g, grad) ? g.Clone() : g).Add_(param, group.WeightDecay);
        }
        var m = state.GetOrAdd("exp_avg", () => Torch.ZerosLike(param));
        var v = state.GetOrAdd("exp_avg_sq", () => Torch.ZerosLike(param));
        m.Lerp_(g, 1 - Beta1);
        v.Mul_(Beta2).AddCMul_(g, g, 1 - Beta2);
        var biasCorrection1 = 1 - Math.Pow(Beta1, t);
        var biasCorrection2 = 1 - Math.Pow(Beta2, t);
        var stepSize = lr / biasCorrection1;
        var biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);
        var second = v;
        if (AmsGrad)
        {
            var vMax = state.GetOrAdd("max_exp_avg_sq", () => Torch.ZerosLike(param));
            vMax.Copy_(vMax.Maximum(v));
            second = vMax;
        }
        var denom = second.Sqrt().Div_(biasCorrection2Sqrt).Add_(Eps);   // sqrt(v̂) / sqrt(1 - beta2^t) + eps, one buffer
        param.AddCDiv_(m, denom, -stepSize);
    }
}

/// <summary>
/// torch.optim.AdamW (Loshchilov and Hutter): Adam whose weight decay is decoupled, p = p (1 - lr weight_decay)
/// before the Adam step; the default weight decay is 0.01, as in PyTorch.
/// </summary>
public sealed class AdamW : Adam
{
    protected override bool Decoupled => true;

    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize) { }

    public AdamW(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(paramGroups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize) { }
}
