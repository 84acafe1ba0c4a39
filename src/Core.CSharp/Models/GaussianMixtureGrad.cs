// GaussianMixtureGrad.cs: the unconstrained parameters gradient ascent and SGD update, and the mean log-likelihood over them.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// Leaf tensors (requires_grad) for the gradient fits: means mu (K, D); logits a (K) with pi = softmax(a) when the weights
/// are learned; and the covariance unconstrained — Spherical/Diagonal: s with variance exp(s) + reg; Full: A with
/// L = tril(A, -1) + diag(exp(diag A)) and Sigma = L L^T + reg I. Any real values give a valid mixture.
/// </summary>
internal sealed class GmmGradParams : IDisposable
{
    private readonly CovarianceType type;
    private readonly double reg;
    private readonly Tensor means;          // (K, D)
    private readonly Tensor? logits;        // (K), when learned
    private readonly Tensor fixedLogWeights;
    private readonly Tensor? raw;           // (K) | (K, D) | (K, D, D)
    private readonly Tensor[] leaves;

    public GmmGradParams(GmmState st, GmmFitOptions o)
    {
        type = st.Type;
        reg = o.RegCovar;
        using var s = Scope.Begin();
        means = st.Means.Detach().Clone().RequiresGrad_().DetachFromScope();
        fixedLogWeights = st.LogWeights.Detach().Clone().DetachFromScope();
        logits = o.LearnWeights ? st.LogWeights.Detach().Clone().RequiresGrad_().DetachFromScope() : null;
        raw = type switch
        {
            CovarianceType.Identity => null,
            CovarianceType.Spherical or CovarianceType.Diagonal => (st.Scale! - reg).ClampMin(1e-12).Log(),
            _ => FullRaw(st.Scale!),
        };
        raw?.RequiresGrad_().DetachFromScope();
        leaves = new[] { means, logits, raw }.Where(t => t is not null).Select(t => t!).ToArray();
    }

    /// <summary>A with tril(A, -1) + diag(exp(diag A)) = chol(Sigma - reg I) (or chol(Sigma) when that is not positive definite).</summary>
    private Tensor FullRaw(Tensor l)
    {
        var d = l.Size(1);
        var sigma = l.MatMul(l.T);                                                              // (K, D, D)
        Tensor l0;
        try { l0 = Linalg.Cholesky(sigma - Torch.Torch.Eye(d, null, ScalarType.Float64, l.Device) * reg); }
        catch (TorchException) { l0 = l; }
        var diag = l0.Diagonal(0, -2, -1);                                                      // (K, D)
        return l0.Tril(-1) + diag.Log().DiagEmbed();
    }

    private Tensor LogWeights() => logits is null ? fixedLogWeights : logits.LogSoftmax(0);

    /// <summary>The covariance scale in GmmState's form: variances (K) / (K, D), or the Cholesky factor of L L^T + reg I.</summary>
    private Tensor? Scale()
    {
        switch (type)
        {
            case CovarianceType.Identity: return null;
            case CovarianceType.Spherical:
            case CovarianceType.Diagonal: return raw!.Exp() + reg;
            default:
            {
                var l = raw!.Tril(-1) + raw.Diagonal(0, -2, -1).Exp().DiagEmbed();            // (K, D, D)
                if (reg == 0) return l;
                var d = l.Size(1);
                return Linalg.Cholesky(l.MatMul(l.T) + Torch.Torch.Eye(d, null, ScalarType.Float64, l.Device) * reg);
            }
        }
    }

    /// <summary>(1/B) sum_i log p_theta(x_i) over the rows of x (B, D), differentiable in the leaves; a 0-d tensor.</summary>
    public Tensor MeanLogLikelihood(Tensor x) =>
        (GaussianMixture.ComponentLogProb(x, means, type, Scale()) + LogWeights()).LogSumExp(1).Mean();

    /// <summary>theta += lr * grad theta of <paramref name="objective"/> (autograd), in place.</summary>
    public void Ascend(Tensor objective, double lr)
    {
        var grads = Autograd.Grad(new[] { objective }, leaves, allowUnused: true);
        using (Autograd.NoGrad())
            for (var i = 0; i < leaves.Length; i++)
                if (grads[i] is { } g) leaves[i].Add_(g, lr);
    }

    /// <summary>Copies the current values into the state (detached), so the fit's model can be built from it.</summary>
    public void WriteBack(GmmState st)
    {
        using var s = Scope.Begin();
        using (Autograd.NoGrad())
        {
            var logW = LogWeights().Detach().Clone();
            var scale = Scale()?.Detach().Clone();
            st.Replace(logW, means.Detach().Clone(), scale);
        }
    }

    public void Dispose()
    {
        means.Dispose();
        logits?.Dispose();
        fixedLogWeights.Dispose();
        raw?.Dispose();
    }
}
