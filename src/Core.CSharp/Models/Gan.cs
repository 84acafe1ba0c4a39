// Gan.cs: a generative adversarial network of two modules (generator G, discriminator D) with the non-saturating losses (Mila DGM Q6 beyond the bilinear game).
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// x = G(z), z ~ N(0, I_latent); D(x) a logit, sigma(D(x)) the probability that x is real. The losses (Goodfellow et al.'s
/// non-saturating game):
/// <code>
///   L_D = -E_data[log sigma(D(x))] - E_z[log(1 - sigma(D(G(z))))] = E softplus(-D(x)) + E softplus(D(G(z)))
///   L_G = -E_z[log sigma(D(G(z)))]                                  = E softplus(-D(G(z)))
/// </code>
/// For a fixed G with density q the L_D minimiser is D*(x) = p(x) / (p(x) + q(x)), i.e. logit D* = log p - log q.
/// The two players are updated simultaneously or alternately by <see cref="Training.GanTrainer"/> (Mila Q6).
/// </summary>
public sealed class Gan : Module
{
    public Gan(Module generatorNet, Module discriminatorNet, int latentDim, int dataDim)
    {
        if (latentDim < 1 || dataDim < 1) throw new ArgumentException($"Gan: latentDim and dataDim must be >= 1; got {latentDim} and {dataDim}");
        GeneratorNet = RegisterModule("generator", generatorNet ?? throw new ArgumentNullException(nameof(generatorNet)));
        DiscriminatorNet = RegisterModule("discriminator", discriminatorNet ?? throw new ArgumentNullException(nameof(discriminatorNet)));
        (LatentDim, DataDim) = (latentDim, dataDim);
    }

    /// <summary>MLP generator (latent -> hidden x layers -> data, ReLU) and discriminator (data -> hidden x layers -> 1, LeakyReLU 0.2).</summary>
    public static Gan Mlp(int dataDim = 2, int latentDim = 2, long hidden = 128, int hiddenLayers = 2,
        Generator? generator = null, ScalarType? dtype = null) =>
        new(Models.Mlp.Create(latentDim, hidden, hiddenLayers, dataDim, () => new ReLU(), generator, dtype),
            Models.Mlp.Create(dataDim, hidden, hiddenLayers, 1, () => new LeakyReLU(0.2), generator, dtype), latentDim, dataDim);

    /// <summary>G: (N, latent) -> (N, D). Registered as "generator".</summary>
    public Module GeneratorNet { get; }
    /// <summary>D: (N, D) -> (N) or (N, 1) logits. Registered as "discriminator".</summary>
    public Module DiscriminatorNet { get; }
    public int LatentDim { get; }
    public int DataDim { get; }

    private ScalarType Dtype => GeneratorNet.Parameters().FirstOrDefault()?.Dtype ?? ScalarType.Float32;

    /// <summary>z ~ N(0, I): (n, latent) in the generator's dtype.</summary>
    public Tensor Latent(long n, Generator? generator) => Torch.Torch.Randn(new[] { n, (long)LatentDim }, generator, Dtype);

    /// <summary>G(z): (N, latent) -> (N, D).</summary>
    public Tensor Generate(Tensor z)
    {
        if (z.Dim != 2 || z.Size(1) != LatentDim)
            throw new ArgumentException($"Gan.Generate: z must be (N, {LatentDim}); got shape [{string.Join(", ", z.Shape)}]", nameof(z));
        return GeneratorNet.Forward(z);
    }

    /// <summary>n samples G(z), z fresh from <paramref name="generator"/> (with autograd unless under NoGrad).</summary>
    public Tensor Sample(long n, Generator? generator = null)
    {
        using var s = Scope.Begin();
        return Generate(Latent(n, generator)).MoveToOuterScope();
    }

    /// <summary>The discriminator's logits D(x): (N, D) -> (N); x is converted to the discriminator's dtype.</summary>
    public Tensor Logits(Tensor x)
    {
        if (x.Dim != 2 || x.Size(1) != DataDim)
            throw new ArgumentException($"Gan.Logits: x must be (N, {DataDim}); got shape [{string.Join(", ", x.Shape)}]", nameof(x));
        using var s = Scope.Begin();
        var dtype = DiscriminatorNet.Parameters().FirstOrDefault()?.Dtype ?? x.Dtype;
        var d = DiscriminatorNet.Forward(x.Dtype == dtype ? x : x.To(dtype));
        if (d.Dim == 2 && d.Size(1) == 1) d = d.Squeeze(1);                       // (N, 1) -> (N)
        if (d.Dim != 1) throw new ArgumentException($"Gan: the discriminator must return (N) or (N, 1) logits; it returned [{string.Join(", ", d.Shape)}]");
        return d.MoveToOuterScope();
    }

    /// <summary>sigma(D(x)), the probability that x is real: (N, D) -> (N).</summary>
    public Tensor DiscriminatorProb(Tensor x)
    {
        using var l = Logits(x);
        return l.Sigmoid();
    }

    /// <summary>L_D = mean softplus(-D(real)) + mean softplus(D(fake)); pass fake detached to train D alone.</summary>
    public Tensor DiscriminatorLoss(Tensor real, Tensor fake)
    {
        using var s = Scope.Begin();
        return (Logits(real).Neg().Softplus().Mean() + Logits(fake).Softplus().Mean()).MoveToOuterScope();
    }

    /// <summary>The non-saturating generator loss L_G = mean softplus(-D(fake)) = -mean log sigma(D(G(z))).</summary>
    public Tensor GeneratorLoss(Tensor fake)
    {
        using var s = Scope.Begin();
        return Logits(fake).Neg().Softplus().Mean().MoveToOuterScope();
    }
}
