/// Syntax.fs: the experiment language's types only — models, fits, metrics, plots, expectations (data sources: DataSyntax.fs).
namespace GenDsl.Dsl

type Covariance =
    | Identity
    | Spherical
    | Diagonal
    | Full

/// How a mixture's parameters start.
type GmmStart =
    /// K data points drawn at random (the homework's start).
    | RandomPoints
    | KMeansPlusPlus
    /// Given means (K rows of D numbers), weights 1/K.
    | StartMeans of float list list

/// A Gaussian mixture with K components.
type GmmSpec =
    { K: int
      Covariance: Covariance
      /// false: weights stay 1/K (CSE 599i P7), true: they are fitted too.
      LearnWeights: bool
      Start: GmmStart
      /// Restarts; the best final log-likelihood wins.
      NInit: int
      RegCovar: float }

/// How a Bernoulli mixture's parameters start.
type BmmStart =
    /// ECE 8803 P3's start: p_k ~ U(0,1)^D scaled to unit Euclidean length, pi = 1/K.
    | UnitLengthRows
    /// p_k = the mean of a random handful of data rows, shrunk toward 1/2; pi = 1/K.
    | RandomDataMeans

/// A mixture of K multivariate Bernoullis (ECE 8803 P2-P3), with the seed's Dirichlet smoothing
/// p_k = (sum_i eta_ik x_i + Alpha1) / (N_k + Alpha1 D), pi_k = (N_k + Alpha2) / (N + Alpha2 K).
type BmmSpec =
    { K: int
      Alpha1: float
      Alpha2: float
      Start: BmmStart }

/// One layer of a network; a network is a list of layers applied in order (a Sequential). Input shapes
/// are inferred by the checker from the data, so a layer names only its output size.
type Layer =
    /// A fully connected layer to `outputs` features (over the last dimension).
    | Linear of outputs: int
    | Conv2d of channels: int * kernel: int * stride: int * padding: int
    | ConvTranspose2d of channels: int * kernel: int * stride: int * padding: int * outputPadding: int
    | Relu
    | LeakyRelu of slope: float
    | Tanh
    | Sigmoid
    | Gelu
    | Softplus
    | Dropout of p: float
    /// LayerNorm over the last dimension.
    | LayerNorm
    /// (B, C, H, W) -> (B, C*H*W).
    | Flatten
    /// (B, F) -> (B, shape...), F = the product of shape.
    | Unflatten of shape: int list
    /// x + f(x), f the inner layers (which must keep the shape).
    | Residual of layers: Layer list

/// p(x | z) of a VAE's decoder.
type Likelihood =
    /// The decoder gives logits of independent Bernoullis: binary pixels, or grey levels in [0, 1] scored by binary
    /// cross-entropy as PyTorch's VAE example does (then not a normalised density).
    | BernoulliPixels
    /// The decoder gives means of N(mean, sigma^2) per pixel, sigma fixed.
    | GaussianPixels of sigma: float

/// A VAE: q(z|x) = N(mu(x), diag sigma^2(x)) from the encoder's output split in two halves (mean, log-variance),
/// p(z) = N(0, I), p(x|z) from the decoder (analytic KL).
type VaeSpec =
    { Encoder: Layer list
      Decoder: Layer list
      /// The shape of z: [20] for an MLP VAE, [16; 2; 2] for pytorch-generative's convolutional one.
      Latent: int list
      Likelihood: Likelihood }

type NicePrior =
    | Logistic
    | Gaussian

/// NICE (Dinh et al. 2014): additive couplings on alternating halves, each an MLP, then a diagonal scaling.
type NiceSpec =
    { Couplings: int
      /// Width of each coupling MLP's hidden layers.
      Hidden: int
      /// Number of hidden layers per coupling MLP.
      HiddenLayers: int
      Prior: NicePrior }

/// A word-level Transformer language model as gm-hw1 builds it (CSE 599i P8): token and position embeddings,
/// post-norm blocks of causal multi-head attention and a ReLU feed-forward, tied input/output embeddings.
type LmSpec =
    { Layers: int
      Heads: int
      /// The size of each head (gm-hw1: 40 whatever the number of heads).
      HeadDim: int
      Width: int
      FeedForward: int
      /// Dropout in attention and on the residual branches (P8 d: 0.2).
      Dropout: float
      /// Dropout on the input and output embeddings (P8 d: 0.6).
      EmbeddingDropout: float
      Tied: bool }

type GdaScheme =
    /// d and g both step from (d_k, g_k).
    | Simultaneous
    /// d steps first, g then steps from (d_{k+1}, g_k).
    | Alternating

/// How a kernel density estimator's bandwidth is chosen.
type Bandwidth =
    | FixedBandwidth of float
    /// Scott's rule: sigma_hat n^(-1/(d+4)).
    | Scott
    /// Silverman's rule: sigma_hat (n (d+2) / 4)^(-1/(d+4)).
    | Silverman
    /// The value of a log-spaced grid over [lo, hi] with the best validation log-likelihood (DS-GA 1008 1.3).
    | ValidationGrid of lo: float * hi: float * points: int

/// A Gaussian-kernel density estimator over the training points.
type KdeSpec = { Bandwidth: Bandwidth }

/// The importance-sampling proposal q of an energy-based model.
type Proposal =
    /// The true mixture the data were drawn from (DS-GA 1008 1.6's q).
    | TrueMixture
    /// A KDE fitted to the training data by Scott's rule.
    | KdeProposal

/// p(x) = exp(E(x)) / Z with E a shallow tanh MLP (DS-GA 1008 1.4-1.7), trained by gradient ascent on the
/// log-likelihood whose log Z gradient is estimated by self-normalised importance sampling with M samples from q.
type EbmSpec =
    { Hidden: int
      HiddenLayers: int
      Proposal: Proposal
      /// M, the importance samples per step (the seed: 5000).
      Samples: int
      /// Draw a fresh importance sample every step (true) or reuse one (false).
      Resample: bool
      /// s of a fixed -|x|^2 / (2 s^2) added to E, so exp(E) is integrable whatever the network does; None: none.
      BaseScale: float option }

/// A GAN with MLP generator and discriminator, the non-saturating loss, simultaneous or alternating updates (Mila Q6).
type GanSpec =
    { Hidden: int
      HiddenLayers: int
      Latent: int
      Scheme: GdaScheme
      DiscriminatorSteps: int
      /// Keep samples every n steps for the samples-over-training figure (0: none).
      SnapshotEvery: int }

/// What a model written in a script gives the trainer once built for the data (see Model.custom).
type CustomParts =
    { /// The parameters (a GenDsl.Torch.NN.Module: its state dict is checkpointed and resumed).
      Module: GenDsl.Torch.NN.Module
      /// log p(x) per example, (B, ...) -> (B): an exact density (the loss is its negative mean; NLL is reported).
      LogProb: (GenDsl.Torch.Tensor -> GenDsl.Torch.Tensor) option
      /// The loss of a batch to minimise (a scalar, the mean over the batch) when there is no exact log-likelihood (e.g. a
      /// negative bound); the generator is the step's (training) or the evaluation's.
      Loss: (GenDsl.Torch.Tensor -> GenDsl.Torch.Generator -> GenDsl.Torch.Tensor) option
      /// With a Loss and no LogProb: an upper bound on -log p(x) per example in nats, (B, ...) -> (B), given a generator (a
      /// DDPM's variational bound). It is reported as NegElbo, and as Nll, BitsPerDim and TestNll as the VAE's bound is:
      /// the model's likelihood figure, an upper bound on its NLL, not an exact one.
      Bound: (GenDsl.Torch.Tensor -> GenDsl.Torch.Generator -> GenDsl.Torch.Tensor) option
      /// n samples, (n, ...) (the report's samples and `gendsl sample`).
      Sample: (int -> GenDsl.Torch.Generator -> GenDsl.Torch.Tensor) option }

/// A model written in the script: its name, its hyperparameters (an F# record: `describe` prints its fields and
/// `--set` changes them) and how to build it from them for examples of a shape.
[<CustomEquality; NoComparison>]
type CustomModel =
    { Name: string
      /// The hyperparameter record (boxed), of type HyperType.
      Hyperparameters: obj
      HyperType: System.Type
      /// hyperparameters -> shape of one example -> generator of the initial weights -> the built model.
      Build: obj -> int list -> GenDsl.Torch.Generator -> CustomParts }
    override this.Equals(o) =
        match o with
        | :? CustomModel as c -> c.Name = this.Name && obj.Equals(c.Hyperparameters, this.Hyperparameters) && obj.ReferenceEquals(c.Build, this.Build)
        | _ -> false
    override this.GetHashCode() = hash this.Name

/// One case per model family, so the interpreter's match is exhaustive: a family it lacks is a compile error.
type ModelSpec =
    | Gmm of GmmSpec
    | Bmm of BmmSpec
    | Vae of VaeSpec
    | Nice of NiceSpec
    | TransformerLm of LmSpec
    | Kde of KdeSpec
    | Ebm of EbmSpec
    | Gan of GanSpec
    /// A model written in the script (Model.custom), trained by the one Trainer like the built-in families.
    | UserModel of CustomModel

type SgdSpec =
    { Lr: float
      Momentum: float
      Nesterov: bool
      WeightDecay: float }

type AdamSpec =
    { Lr: float
      Beta1: float
      Beta2: float
      Eps: float
      WeightDecay: float }

/// The update rule of a gradient fit (PyTorch's optimizers, same defaults).
type Optimizer =
    | Sgd of SgdSpec
    | Adam of AdamSpec
    | AdamW of AdamSpec

/// A length in optimizer steps or in epochs of the case's training data: how long a gradient fit runs, a schedule's
/// phase, the interval between evaluations or checkpoints. An epoch is ceil(N / batch) steps at the fit's batch, so a
/// length in epochs follows `--set batch=...` and a data subset; the checker resolves every length to steps once.
type Budget =
    | Steps of int
    | Epochs of int

/// How the learning rate changes over optimizer steps (stepped once per step, as PyTorch's schedulers when called per step).
type Schedule =
    | Constant
    /// lr * gamma^(step / every): StepLR.
    | StepDecay of every: Budget * gamma: float
    /// Cosine annealing from lr to floor * lr over the fit's steps: CosineAnnealingLR.
    | Cosine of floor: float
    /// A linear ramp from lr/1000 to lr over `length`, then the `after` schedule: LinearLR then another, as SequentialLR.
    | Warmup of length: Budget * after: Schedule
    /// lr x factor for the first `length`, then the `after` schedule (gm-hw1: 1e-4 for the first epoch, then 3.5e-4).
    | Hold of length: Budget * factor: float * after: Schedule

/// What a gradient fit maximises.
type Objective =
    /// The exact log-likelihood (GMM, NICE).
    | MaxLikelihood
    /// The evidence lower bound (VAE).
    | Elbo
    /// The importance-weighted bound with K samples (Burda et al.; Mila Q4).
    | Iwae of samples: int

/// A gradient fit: the one C# trainer runs it.
type Training =
    { Optimizer: Optimizer
      Schedule: Schedule
      Objective: Objective
      Budget: Budget
      /// Examples per step; None: the whole data set (full-batch gradient ascent).
      Batch: int option
      Shuffle: bool
      /// Rescale gradients to at most this joint norm.
      ClipNorm: float option
      /// Evaluate this often (and at the end); 0 steps or epochs: at the end only.
      EvalEvery: Budget
      /// The splits evaluated during training (curves), e.g. [ Valid ].
      EvalOn: Split list
      /// Keep the parameters that were best on the first EvalOn split.
      KeepBest: bool
      /// Stop after this many evaluations without improvement.
      EarlyStop: int option
      /// Write a resumable checkpoint this often (and at the end); 0 steps or epochs: only at the end.
      CheckpointEvery: Budget
      /// Stop when the evaluated mean log-likelihood improves by less (0: never; GMM gradient fits).
      Tol: float }

/// Expectation-maximisation: closed-form steps (GMM: CSE 599i P4; Bernoulli mixture: ECE 8803 P2c).
type EmSpec = { Iterations: int; Tol: float }

/// How a model is fitted; each family says which it accepts (the checker enforces it).
type Fitter =
    | Gradient of Training
    | Em of EmSpec
    /// Nothing trained: the estimator is the data (a KDE; its bandwidth is chosen by the model's rule).
    | ClosedForm

/// One way to fit the model; fits of a case are compared side by side.
type FitSpec = { Name: string; Fitter: Fitter }

/// One data set + model + fits; a sweep is a list of cases.
type Case =
    { Label: string
      Data: DataSpec
      Model: ModelSpec
      Fits: FitSpec list }

/// A number reported for every fit (on the test split where the data has one, else on the training data).
type MetricSpec =
    /// - mean_i log p(x_i), in nats.
    | Nll
    | Aic
    | Bic
    /// NLL of the data under the true mixture (known data sources only).
    | TrueNll
    /// Mean distance between fitted and true means, components matched greedily.
    | MeanError
    /// Largest |pi_k - true pi_k| after matching.
    | WeightError
    /// (D ln 256 - LL) / (D ln 2) for 8-bit images (LL of the density on [0, 1]^D, or the bound for a VAE).
    | BitsPerDim
    /// - mean ELBO, in nats (VAE).
    | NegElbo
    /// - mean IWAE-K bound over the first `images` test images, in nats: an estimate of -log p(x) from above (VAE);
    /// it costs K decoder passes per image.
    | NegIwae of samples: int * images: int
    /// exp(NLL per token) (language models).
    | Perplexity
    /// log p of the whole test split in nats (language models: the sum over its tokens).
    | TotalLogLikelihood
    /// Training tokens per second (language models).
    | TokensPerSecond
    /// Mean -log p(x) of a fresh test sample from the data's mixture (as many points as the training data), in nats.
    | TestNll
    /// The standard error of TestNll (sd of -log p(x_i) over sqrt n).
    | TestNllSe
    /// TestNll of the true mixture on the same test sample.
    | TrueTestNll
    /// How many of the true mixture's components have a generated sample within 3 sigma of their mean (GAN).
    | ModesCovered
    /// Mean -log p_true of generated samples: sample quality without a discriminator (GAN).
    | SampleNll
    /// log Z of an energy-based model by importance sampling.
    | LogZ
    /// log Z of a 2-D energy-based model by quadrature on a grid (a check of LogZ).
    | LogZQuadrature

type PlotSpec =
    /// The data coloured by the component that drew each point.
    | DataScatter
    /// Mean log-likelihood vs iteration, one figure per fit.
    | LogLikelihoodCurves
    /// The data with the true and every fit's final means drawn over it.
    | FinalMeansOverData
    /// The true density on a grid x grid lattice, as a heatmap with contours.
    | DensityHeatmap of grid: int
    /// The final NLL of each fit side by side.
    | FinalNllBars
    /// Estimated vs true weights and means, per case.
    | ParameterComparison
    /// A grid of n samples from each fitted model.
    | Samples of n: int
    /// n test images above their reconstructions (VAE).
    | Reconstructions of n: int
    /// Each mixture component's mean image (Bernoulli mixture).
    | ComponentMeans
    /// Every metric logged during training, per step and per evaluated split.
    | LearningCurves
    /// The 2-D latent means of test images coloured by label (VAE with a 2-D latent).
    | LatentScatter
    /// Each fit's density on a grid x grid lattice over the data, as a heatmap (2-D data).
    | FitDensityHeatmap of grid: int
    /// A KDE's validation log-likelihood against its bandwidth grid.
    | BandwidthCurve
    /// A GAN's samples at its snapshots, over the data.
    | SamplesOverTraining
    /// One learning-curve series (e.g. "valid nll", "train loss") of every fit of every case on one figure.
    | CurvesAcrossCases of series: string
    /// Text drawn from a language model after a prompt: tokens, temperature, top-k (0: all).
    | TextSamples of prompt: string * tokens: int * temperature: float * topK: int

type Comparison =
    | Below
    | Above
    /// At most another metric of the same fit plus the expectation's Value (a slack), e.g. IWAE-5000 <= IWAE-50.
    | AtMostMetric of MetricSpec

/// A claim checked after the run, e.g. "final NLL < 3.95" for every fit.
type Expectation =
    { Metric: MetricSpec
      /// None: every case.
      Case: string option
      /// None: every fit of the cases it covers.
      Fit: string option
      Comparison: Comparison
      Value: float }
