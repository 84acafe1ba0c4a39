// Functional.Losses2.cs: the losses of issue 14 — kl_div, l1_loss, smooth_l1_loss, huber_loss, gaussian_nll_loss.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public static partial class Functional
{
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
