// Vae.cs: the variational autoencoder over any encoder/decoder Modules — ELBO (analytic KL), IWAE-K in chunks, sampling.
using GenDsl.Distributions;
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>The decoder's observation model p(x | z).</summary>
public enum VaeLikelihoodKind { Bernoulli, Gaussian }

/// <summary>
/// p(x | z): Bernoulli (the decoder outputs logits l; log p = sum x l - softplus(l), data in [0, 1]) or Gaussian
/// N(m, sigma^2 I) (the decoder outputs means m), with sigma fixed or learned (the parameter "log_sigma").
/// </summary>
public sealed record VaeLikelihood(VaeLikelihoodKind Kind, double Sigma = 1, bool LearnSigma = false)
{
    public static VaeLikelihood Bernoulli { get; } = new(VaeLikelihoodKind.Bernoulli);

    /// <summary>N(decoder(z), sigma^2 I); with learnSigma, sigma starts at the given value and is trained.</summary>
    public static VaeLikelihood Gaussian(double sigma = 1, bool learnSigma = false) =>
        sigma > 0 ? new(VaeLikelihoodKind.Gaussian, sigma, learnSigma)
                  : throw new ArgumentException($"VaeLikelihood.Gaussian: sigma must be positive, got {sigma}");
}

/// <summary>The ELBO of each example (B) and its two terms: ELBO = ReconLogLik - Kl.</summary>
public sealed record VaeElboTerms(Tensor Elbo, Tensor ReconLogLik, Tensor Kl) : IDisposable
{
    public void Dispose() { Elbo.Dispose(); ReconLogLik.Dispose(); Kl.Dispose(); }
}

/// <summary>
/// The VAE (Kingma and Welling; ECE 8803 PS2 P4, Mila DGM Q4): prior p(z) = N(0, I), amortised posterior
/// q(z | x) = N(mu(x), diag exp(logvar(x))) where the encoder outputs (mu, logvar) concatenated on dim 1
/// ((B, 2L) for a vector latent, (B, 2C, H, W) for a convolutional one), and the decoder maps z to the
/// likelihood's parameters (logits or means, shaped like x).
/// <code>
/// ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || p(z)),   KL = (1/2) sum_j (mu_j^2 + exp(logvar_j) - 1 - logvar_j)
/// L_K(x)  = E[log (1/K) sum_k p(x, z_k) / q(z_k | x)],  z_k ~ q(z | x) i.i.d.;  ELBO = L_1 &lt;= L_K &lt;= L_{K+1} &lt;= log p(x)  (Mila Q4)
/// </code>
/// One reparameterised sample z = mu + exp(logvar / 2) eps, eps ~ N(0, I), estimates the expectation. The
/// submodules are named "encoder" and "decoder" (a learned sigma is "log_sigma"), so the MLP builder's
/// state dict matches bench/vae/vae_torch.py.
/// </summary>
public sealed class Vae : Module
{
    public Module Encoder { get; }
    public Module Decoder { get; }
    /// <summary>The shape of one latent: (L) or (C, H, W).</summary>
    public long[] LatentShape { get; }
    public VaeLikelihood Likelihood { get; }

    public Vae(Module encoder, Module decoder, long[] latentShape, VaeLikelihood? likelihood = null)
    {
        ArgumentNullException.ThrowIfNull(latentShape);
        if (latentShape.Length == 0 || latentShape.Any(s => s <= 0))
            throw new ArgumentException($"Vae: latentShape must be non-empty and positive, e.g. [20] or [16, 2, 2]; got [{string.Join(", ", latentShape)}]");
        Encoder = RegisterModule("encoder", encoder ?? throw new ArgumentNullException(nameof(encoder)));
        Decoder = RegisterModule("decoder", decoder ?? throw new ArgumentNullException(nameof(decoder)));
        LatentShape = (long[])latentShape.Clone();
        Likelihood = likelihood ?? VaeLikelihood.Bernoulli;
        if (Likelihood is { Kind: VaeLikelihoodKind.Gaussian, LearnSigma: true })
        {
            var p = decoder.Parameters().FirstOrDefault();
            RegisterParameter("log_sigma", Torch.Torch.Full(Array.Empty<long>(), Math.Log(Likelihood.Sigma), p?.Dtype ?? ScalarType.Float32, p?.Device));
        }
    }

    /// <summary>A VAE with a vector latent of <paramref name="latentDim"/> dims (the encoder outputs (B, 2 latentDim)).</summary>
    public Vae(Module encoder, Module decoder, long latentDim, VaeLikelihood? likelihood = null)
        : this(encoder, decoder, new[] { latentDim }, likelihood) { }

    /// <summary>sigma of a Gaussian likelihood, as a tensor (exp(log_sigma) when learned).</summary>
    public Tensor Sigma()
    {
        if (Likelihood.Kind != VaeLikelihoodKind.Gaussian) throw new InvalidOperationException("Vae.Sigma: the likelihood is Bernoulli; it has no sigma");
        return Likelihood.LearnSigma ? GetParameter("log_sigma")!.Exp() : Torch.Torch.Scalar(Likelihood.Sigma, LatentDtype(), LatentDevice());
    }

    // ---- the pieces ----

    /// <summary>q(z | x)'s parameters: (mu, logvar), each (B, latentShape...).</summary>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        using var h = Encoder.Forward(x);   // (B, 2 L) or (B, 2 C, H, W)
        var expected = new[] { x.Size(0), 2 * LatentShape[0] }.Concat(LatentShape.Skip(1)).ToArray();
        if (!h.Shape.SequenceEqual(expected))
            throw new ArgumentException($"Vae: the encoder output is [{string.Join(", ", h.Shape)}] but (mu, logvar) for a latent of shape " +
                                        $"[{string.Join(", ", LatentShape)}] needs [{string.Join(", ", expected)}]; make its last layer output 2 x {LatentShape[0]} channels");
        var parts = h.Chunk(2, 1);          // 2 x (B, latentShape...)
        return (parts[0], parts[1]);
    }

    /// <summary>The decoder's raw output at z: logits (Bernoulli) or means (Gaussian), shaped like x.</summary>
    public Tensor Decode(Tensor z) => Decoder.Forward(z);

    /// <summary>KL(N(mu, diag exp(logvar)) || N(0, I)) = (1/2) sum (mu^2 + exp(logvar) - 1 - logvar), per example (B).</summary>
    public static Tensor KlToStandardNormal(Tensor mu, Tensor logVar)
    {
        using var s = Scope.Begin();
        var k = 0.5 * (mu.Square() + logVar.Exp() - 1.0 - logVar);
        return SumPerExample(k).MoveToOuterScope();
    }

    /// <summary>log p(x | z) per example (B), given the decoder's output at z (logits or means, shaped like x).</summary>
    public Tensor LogLikelihood(Tensor x, Tensor decoded)
    {
        if (!x.Shape.SequenceEqual(decoded.Shape))
            throw new ArgumentException($"Vae: the decoder output [{string.Join(", ", decoded.Shape)}] must have the data's shape [{string.Join(", ", x.Shape)}]; " +
                                        "end the decoder with a Reshape/Unflatten to it");
        using var s = Scope.Begin();
        Tensor ll;
        if (Likelihood.Kind == VaeLikelihoodKind.Bernoulli)
            ll = x * decoded - decoded.Softplus();                        // x log sigmoid(l) + (1 - x) log sigmoid(-l)
        else
        {
            var sigma = Sigma();
            ll = -0.5 * ((x - decoded) / sigma).Square() - sigma.Log() - Normal.HalfLog2Pi;
        }
        return SumPerExample(ll).MoveToOuterScope();
    }

    // ---- bounds ----

    /// <summary>ELBO(x), log p(x | z) at one reparameterised z, and the analytic KL, each (B).</summary>
    public VaeElboTerms ElboTerms(Tensor x, Generator? generator)
    {
        using var s = Scope.Begin();
        var (mu, logVar) = Encode(x);
        using var eps = Torch.Torch.Randn(mu.Shape, generator, mu.Dtype, mu.Device);
        var z = mu + (0.5 * logVar).Exp() * eps;
        var recon = LogLikelihood(x, Decode(z));
        var kl = KlToStandardNormal(mu, logVar);
        var elbo = recon - kl;
        return new VaeElboTerms(elbo.MoveToOuterScope(), recon.MoveToOuterScope(), kl.MoveToOuterScope());
    }

    /// <summary>The single-sample ELBO estimate of each example (B), in nats.</summary>
    public Tensor Elbo(Tensor x, Generator? generator)
    {
        var t = ElboTerms(x, generator);
        t.ReconLogLik.Dispose();
        t.Kl.Dispose();
        return t.Elbo;
    }

    /// <summary>The training objective: the batch mean of -ELBO (a scalar to minimise).</summary>
    public Tensor Loss(Tensor x, Generator? generator)
    {
        using var e = Elbo(x, generator);
        using var m = e.Mean();
        return m.Neg();
    }

    /// <summary>
    /// log w = log p(x | z) + log p(z) - log q(z | x) for given standard-normal noise eps (K, B, latentShape...),
    /// z = mu + sigma eps: (K, B).
    /// </summary>
    public Tensor LogWeights(Tensor x, Tensor mu, Tensor logVar, Tensor eps)
    {
        using var s = Scope.Begin();
        var k = eps.Size(0);
        var b = x.Size(0);
        var z = mu.Unsqueeze(0) + (0.5 * logVar).Exp().Unsqueeze(0) * eps;          // (K, B, latent...)
        var flatZ = z.Reshape(new[] { k * b }.Concat(LatentShape).ToArray());       // (K B, latent...)
        var xs = x.Unsqueeze(0).Expand(new[] { k }.Concat(x.Shape).ToArray())
                  .Reshape(new[] { k * b }.Concat(x.Shape.Skip(1)).ToArray());      // (K B, data...)
        var logLik = LogLikelihood(xs, Decode(flatZ)).View(k, b);                   // (K, B)
        var logPrior = (-0.5 * z.Square() - Normal.HalfLog2Pi).Flatten(2).Sum(2);   // (K, B)
        var logQ = (-0.5 * eps.Square() - 0.5 * logVar.Unsqueeze(0) - Normal.HalfLog2Pi).Flatten(2).Sum(2); // (K, B)
        return (logLik + logPrior - logQ).MoveToOuterScope();
    }

    /// <summary>
    /// The IWAE bound log (1/K) sum_k w_k of each example (B), from K samples drawn <paramref name="chunk"/> at a time:
    /// each chunk's log-sum-exp is kept and the chunks are combined by one more log-sum-exp, so memory grows with the
    /// chunk, not with K (K = 5000 fits). Wrap in <c>Autograd.NoGrad()</c> for evaluation.
    /// </summary>
    public Tensor Iwae(Tensor x, int k, Generator? generator, int chunk = 100)
    {
        CheckK(k, chunk);
        using var s = Scope.Begin();
        var (mu, logVar) = Encode(x);
        var parts = new List<Tensor>();
        for (var start = 0; start < k; start += chunk)
        {
            var m = Math.Min(chunk, k - start);
            using var cs = Scope.Begin();
            var eps = Torch.Torch.Randn(new long[] { m }.Concat(mu.Shape).ToArray(), generator, mu.Dtype, mu.Device);  // (m, B, latent...)
            parts.Add(LogWeights(x, mu, logVar, eps).LogSumExp(0).MoveToOuterScope());                              // (B)
        }
        return Combine(parts, k).MoveToOuterScope();
    }

    /// <summary>As <see cref="Iwae"/> with given noise eps (K, B, latentShape...), consumed <paramref name="chunk"/> samples at a time.</summary>
    public Tensor IwaeFromNoise(Tensor x, Tensor eps, int chunk)
    {
        var k = (int)eps.Size(0);
        CheckK(k, chunk);
        using var s = Scope.Begin();
        var (mu, logVar) = Encode(x);
        var parts = new List<Tensor>();
        for (var start = 0; start < k; start += chunk)
        {
            using var cs = Scope.Begin();
            var e = eps.Narrow(0, start, Math.Min(chunk, k - start));                  // (m, B, latent...)
            parts.Add(LogWeights(x, mu, logVar, e).LogSumExp(0).MoveToOuterScope());   // (B)
        }
        return Combine(parts, k).MoveToOuterScope();
    }

    /// <summary>The IWAE-K training objective: the batch mean of -L_K (K samples at once, one graph).</summary>
    public Tensor IwaeLoss(Tensor x, int k, Generator? generator)
    {
        using var l = Iwae(x, k, generator, chunk: k);
        using var m = l.Mean();
        return m.Neg();
    }

    // ---- generation ----

    /// <summary>
    /// n samples: z ~ N(0, I) decoded; with mean, the likelihood's mean (sigmoid(logits) or the decoder's means),
    /// otherwise a draw from p(x | z). No graph is recorded.
    /// </summary>
    public Tensor Sample(long n, Generator? generator, bool mean = true)
    {
        if (n <= 0) throw new ArgumentException($"Vae.Sample: n must be positive, got {n}");
        using var ng = Autograd.NoGrad();
        using var s = Scope.Begin();
        var z = Torch.Torch.Randn(new[] { n }.Concat(LatentShape).ToArray(), generator, LatentDtype(), LatentDevice()); // (n, latent...)
        var d = Decode(z);
        Tensor r = Likelihood.Kind == VaeLikelihoodKind.Bernoulli
            ? (mean ? d.Sigmoid() : Torch.Torch.Bernoulli(d.Sigmoid(), generator))
            : (mean ? d : d + Sigma() * Torch.Torch.Randn(d.Shape, generator, d.Dtype, d.Device));
        return r.MoveToOuterScope();
    }

    /// <summary>The likelihood's mean at z = mu(x) (no sampling, no graph): sigmoid(logits) or the decoder's means.</summary>
    public Tensor Reconstruct(Tensor x)
    {
        using var ng = Autograd.NoGrad();
        using var s = Scope.Begin();
        var (mu, _) = Encode(x);
        var d = Decode(mu);
        return (Likelihood.Kind == VaeLikelihoodKind.Bernoulli ? d.Sigmoid() : d).MoveToOuterScope();
    }

    // ---- builders ----

    /// <summary>
    /// The classic MLP VAE (Kingma and Welling's MNIST setting): encoder Linear(784, 400), ReLU, Linear(400, 2 x 20);
    /// decoder Linear(20, 400), ReLU, Linear(400, 784) giving Bernoulli logits; inputs (B, 784) in [0, 1].
    /// </summary>
    public static Vae Mlp(long inputDim = 784, long hidden = 400, long latent = 20, Generator? generator = null, ScalarType? dtype = null) =>
        new(new Sequential(new Linear(inputDim, hidden, generator: generator, dtype: dtype), new ReLU(),
                           new Linear(hidden, 2 * latent, generator: generator, dtype: dtype)),
            new Sequential(new Linear(latent, hidden, generator: generator, dtype: dtype), new ReLU(),
                           new Linear(hidden, inputDim, generator: generator, dtype: dtype)),
            latent, VaeLikelihood.Bernoulli);

    /// <summary>
    /// pytorch-generative's convolutional VAE at its defaults (strides 2, 2, 2, 2; hidden 64; residual 32; 16 latent
    /// channels; two residual blocks per stack; Bernoulli logits): a (B, 1, 32, 32) input encodes to (B, 32, 2, 2),
    /// i.e. a (16, 2, 2) latent. See <see cref="VaeNetworks"/> for the blocks.
    /// </summary>
    public static Vae Conv(long inChannels = 1, long outChannels = 1, long latentChannels = 16, int[]? strides = null,
        long hiddenChannels = 64, long residualChannels = 32, int residualBlocks = 2, long imageSize = 32, Generator? generator = null)
    {
        strides ??= new[] { 2, 2, 2, 2 };
        var down = VaeNetworks.Downsampling(strides);
        if (imageSize % down != 0)
            throw new ArgumentException($"Vae.Conv: imageSize {imageSize} must be divisible by the total downsampling {down} of strides [{string.Join(", ", strides)}]");
        var enc = VaeNetworks.ConvEncoder(inChannels, latentChannels, strides, hiddenChannels, residualChannels, residualBlocks, generator);
        var dec = VaeNetworks.ConvDecoder(latentChannels, outChannels, strides, hiddenChannels, residualChannels, residualBlocks, generator);
        return new Vae(enc, dec, new[] { latentChannels, imageSize / down, imageSize / down }, VaeLikelihood.Bernoulli);
    }

    // ---- helpers ----

    private static Tensor SumPerExample(Tensor t) => t.Dim == 1 ? t.Alias() : t.Flatten(1).Sum(1);   // (B)

    private static Tensor Combine(List<Tensor> chunkLogSums, int k)
    {
        using var st = Torch.Torch.Stack(chunkLogSums, 0);   // (chunks, B)
        using var l = st.LogSumExp(0);                        // (B)
        return l - Math.Log(k);
    }

    private static void CheckK(int k, int chunk)
    {
        if (k < 1) throw new ArgumentException($"Vae.Iwae: K must be at least 1, got {k}");
        if (chunk < 1) throw new ArgumentException($"Vae.Iwae: chunk must be at least 1, got {chunk}");
    }

    private ScalarType LatentDtype() => Decoder.Parameters().FirstOrDefault()?.Dtype ?? ScalarType.Float32;
    private Device? LatentDevice() => Decoder.Parameters().FirstOrDefault()?.Device;
}
