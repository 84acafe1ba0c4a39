/// Build.fs: smart constructors and combinators that experiment scripts are written with.
namespace GenDsl.Dsl

/// A builder applied to a value it cannot change fails when the script is evaluated, naming both: a silent no-op
/// (Data.subset on a mixture sample, Model.likelihood on NICE, Fit.schedule on EM) would pass `check` and do nothing.
module internal NoOp =
    let private caseName (v: obj) =
        let c, _ = Microsoft.FSharp.Reflection.FSharpValue.GetUnionFields(v, v.GetType())
        c.Name
    let fail (builder: string) (got: obj) (isFor: string) : 'a =
        raise (System.ArgumentException(sprintf "%s does nothing to a %s: it is for %s" builder (caseName got) isFor))

/// Data sources: `Data.cse599iP7 3000`, `Data.ring 10 10.0 1000`, `Data.mnist |> Data.binarized |> Data.subset 1000`.
[<RequireQualifiedAccess>]
module Data =
    /// Samples from a known mixture: i.i.d. draws, seed = the experiment's.
    let sample (source: Mixture) (n: int) =
        MixtureSample { Source = source; N = n; Stratified = false; Seed = None; Jitter = None }

    /// CSE 599i HW1 P7 a: n/3 points from each of the three Gaussians.
    let cse599iP7 (n: int) =
        MixtureSample { Source = Cse599iP7; N = n; Stratified = true; Seed = None; Jitter = None }

    /// DS-GA 1008 Final 1.1: n i.i.d. points from the K-component ring of radius R.
    let ring (k: int) (radius: float) (n: int) = sample (Ring(k, radius)) n

    let points (rows: float list list) = Points rows

    /// The same data with its own seed.
    let seeded (seed: uint64) (d: DataSpec) =
        match d with
        | MixtureSample s -> MixtureSample { s with Seed = Some seed }
        | Points _ | Mnist _ | WikiText2 _ | DataFile _ -> NoOp.fail "Data.seeded" d "mixture samples (Data.sample, Data.ring, Data.cse599iP7)"

    /// Training points with fresh Gaussian noise of standard deviation sigma added each time a gradient fit uses them
    /// (a smoothing regulariser, as a KDE's kernel: the model learns the data's density convolved with N(0, sigma^2 I));
    /// the validation and test points stay as they are. For mixture samples and data files; families that read their
    /// training points once (EM, KDE, EBM, GAN) refuse it.
    let jitter (sigma: float) (d: DataSpec) =
        match d with
        | MixtureSample s -> MixtureSample { s with Jitter = Some sigma }
        | DataFile f -> DataFile { f with Jitter = Some sigma }
        | Points _ | Mnist _ | WikiText2 _ ->
            NoOp.fail "Data.jitter" d "mixture samples and data files (MNIST's own noise is Data.dequantized)"

    /// A user's .npy file of N rows of D numbers (float32, float64, uint8 or int64), every row a training example.
    let npy (path: string) =
        DataFile { Path = path; Format = Npy; Header = false; Scale = 1.0; ValidFraction = 0.0; TestFraction = 0.0; Subset = None; Jitter = None }
    /// A user's CSV file of numbers, one example per row (`Data.header` when its first row names the columns).
    let csv (path: string) = match npy path with DataFile f -> DataFile { f with Format = Csv } | d -> d
    let private mapFile name f d = match d with DataFile x -> DataFile(f x) | MixtureSample _ | Points _ | Mnist _ | WikiText2 _ -> NoOp.fail name d "data files (Data.npy, Data.csv)"
    /// The CSV's first row holds column names.
    let header d = mapFile "Data.header" (fun f -> { f with Header = true }) d
    /// Divide every value by s (255: 8-bit grey levels to [0, 1]).
    let scale (s: float) d = mapFile "Data.scale" (fun f -> { f with Scale = s }) d
    /// Hold out random fractions of a file's rows (with the experiment's seed) as the Valid and Test splits.
    let holdout (valid: float) (test: float) d = mapFile "Data.holdout" (fun f -> { f with ValidFraction = valid; TestFraction = test }) d

    /// MNIST's training split (50,000 images; the last 10,000 of the 60,000 are the validation split), grey levels / 255, flat (784).
    let mnist = Mnist { Split = Train; Pixels = Continuous; Subset = None; Draw = None; EvalSubset = None; ValidSize = 10000; Pad = 0; AsImages = false }

    let private mapMnist name f d = match d with Mnist m -> Mnist(f m) | MixtureSample _ | Points _ | WikiText2 _ | DataFile _ -> NoOp.fail name d "MNIST (Data.mnist)"
    /// Pixels 1 where grey / 255 > 0.5 (static binarisation).
    let binarized d = mapMnist "Data.binarized" (fun m -> { m with Pixels = StaticBinary }) d
    /// A fresh Bernoulli(grey / 255) draw each time an image is used (dynamic binarisation).
    let dynamicBinarized d = mapMnist "Data.dynamicBinarized" (fun m -> { m with Pixels = DynamicBinary }) d
    /// (grey + u) / 256, u ~ U[0, 1): dequantised, for continuous densities (NICE).
    let dequantized d = mapMnist "Data.dequantized" (fun m -> { m with Pixels = Dequantized }) d
    /// MNIST: only the first n images of the split (quick runs; Data.randomSubset draws them at random); a file: n training
    /// rows drawn at random with the seed.
    let subset (n: int) d =
        match d with
        | DataFile f -> DataFile { f with Subset = Some n }
        | Mnist _ -> mapMnist "Data.subset" (fun m -> { m with Subset = Some n; Draw = Some FirstN }) d
        | MixtureSample _ | Points _ | WikiText2 _ ->
            NoOp.fail "Data.subset" d "MNIST and data files (a mixture sample's size is its n: --set data.n=...; WikiText: Data.tokens)"
    /// MNIST: n images of the training split drawn at random without replacement with the experiment's seed (ECE 8803
    /// P3: "N = 1000 images sampled at random"); a file: as Data.subset (its rows are always drawn at random).
    let randomSubset (n: int) d =
        match d with
        | DataFile f -> DataFile { f with Subset = Some n }
        | Mnist _ -> mapMnist "Data.randomSubset" (fun m -> { m with Subset = Some n; Draw = Some(AtRandom None) }) d
        | MixtureSample _ | Points _ | WikiText2 _ ->
            NoOp.fail "Data.randomSubset" d "MNIST and data files (a mixture sample's size is its n: --set data.n=...; WikiText: Data.tokens)"
    /// Evaluate on only the first n images of the validation and test splits (quick looks).
    let evalSubset (n: int) d = mapMnist "Data.evalSubset" (fun m -> { m with EvalSubset = Some n }) d
    /// Train on the whole 60,000 training images (no validation split).
    let noValidation d = mapMnist "Data.noValidation" (fun m -> { m with ValidSize = 0 }) d
    /// Images as (1, 28 + 2 pad, 28 + 2 pad) for convolutions (pad 2: 32x32).
    let images (pad: int) d = mapMnist "Data.images" (fun m -> { m with AsImages = true; Pad = pad }) d

    /// WikiText-2's training split in windows of `context` + 1 token ids (gm-hw1: 150).
    let wikiText2 (context: int) = WikiText2 { Split = Train; Context = context; Subset = None; EvalSubset = None; Files = None }
    /// A user's text corpus (train, valid and test files), tokenised as WikiText-2 is, in windows of `context` + 1 ids.
    let textCorpus (train: string) (valid: string) (test: string) (context: int) =
        WikiText2 { Split = Train; Context = context; Subset = None; EvalSubset = None; Files = Some { Train = train; Valid = valid; Test = test } }
    let private mapText name f d = match d with WikiText2 w -> WikiText2(f w) | MixtureSample _ | Points _ | Mnist _ | DataFile _ -> NoOp.fail name d "WikiText-2 (Data.wikiText2)"
    /// Only the first n tokens of the training split.
    let tokens (n: int) d = mapText "Data.tokens" (fun w -> { w with Subset = Some n }) d
    /// Only the first n tokens of the validation and test splits.
    let evalTokens (n: int) d = mapText "Data.evalTokens" (fun w -> { w with EvalSubset = Some n }) d

/// Networks as values: a list of layers, e.g. `Net.mlp [ 400 ] 40` = [ Linear 400; Relu; Linear 40 ].
[<RequireQualifiedAccess>]
module Net =
    /// Linear layers of the given hidden widths with ReLU between them, then a Linear to `outputs`.
    let mlp (hidden: int list) (outputs: int) : Layer list =
        [ for h in hidden do
            Linear h
            Relu
          Linear outputs ]

    /// pytorch-generative's residual block on c channels: x + conv1x1(relu(conv3x3(relu x))) with `residual` channels inside.
    let residualBlock (channels: int) (residual: int) : Layer =
        Residual [ Relu; Conv2d(residual, 3, 1, 1); Relu; Conv2d(channels, 1, 1, 0) ]

/// Models: `Model.gmm 3 |> Model.fixedWeights`, `Model.bmm 10`, `Model.vaeMlp 784 400 20`, `Model.nice`.
[<RequireQualifiedAccess>]
module Model =
    let gmm (k: int) =
        Gmm { K = k; Covariance = Identity; LearnWeights = true; Start = RandomPoints; NInit = 1; RegCovar = 1e-6 }

    let private mapGmm name f m = match m with Gmm g -> Gmm(f g) | _ -> NoOp.fail name m "Gaussian mixtures (Model.gmm)"
    /// Weights stay 1/K (CSE 599i P7).
    let fixedWeights m = mapGmm "Model.fixedWeights" (fun g -> { g with LearnWeights = false }) m
    let covariance c m = mapGmm "Model.covariance" (fun g -> { g with Covariance = c }) m
    let start s m = mapGmm "Model.start" (fun g -> { g with Start = s }) m
    let restarts n m = mapGmm "Model.restarts" (fun g -> { g with NInit = n }) m

    /// ECE 8803 P2-P3: K Bernoulli components, the seed's smoothing alpha1 = alpha2 = 1e-8 and its unit-length start.
    let bmm (k: int) = Bmm { K = k; Alpha1 = 1e-8; Alpha2 = 1e-8; Start = UnitLengthRows }
    let private mapBmm name f m = match m with Bmm b -> Bmm(f b) | _ -> NoOp.fail name m "Bernoulli mixtures (Model.bmm)"
    let bmmStart s m = mapBmm "Model.bmmStart" (fun b -> { b with Start = s }) m
    let smoothing (alpha1: float) (alpha2: float) m = mapBmm "Model.smoothing" (fun b -> { b with Alpha1 = alpha1; Alpha2 = alpha2 }) m

    /// A VAE from an encoder (data -> 2 x latent: means then log-variances), a decoder (latent -> data) and the latent shape.
    let vae (encoder: Layer list) (decoder: Layer list) (latent: int list) =
        Vae { Encoder = encoder; Decoder = decoder; Latent = latent; Likelihood = BernoulliPixels }

    /// The classic MLP VAE (Kingma & Welling): d - hidden - latent, ReLU, Bernoulli decoder (784-400-20 on MNIST).
    let vaeMlp (d: int) (hidden: int) (latent: int) =
        vae (Net.mlp [ hidden ] (2 * latent)) (Net.mlp [ hidden ] d) [ latent ]

    /// pytorch-generative's VAE at its defaults on 1x32x32 images (the seed's "other parameters at default"): strides
    /// 2,2,2,2, 64 hidden and 32 residual channels, two residual blocks per stage, 16 latent channels at 2x2.
    /// Encoder stage: Conv(4, stride 2, pad 1), ReLU, 2 residual blocks, ReLU, Conv 3x3; decoder stage: Conv 3x3,
    /// 2 residual blocks, ReLU, ConvTranspose(4, stride 2, pad 1).
    let vaeConv =
        let hidden, residual, latent = 64, 32, 16
        let stack = [ Net.residualBlock hidden residual; Net.residualBlock hidden residual; Relu ]
        let down out = [ Conv2d(hidden, 4, 2, 1); Relu ] @ stack @ [ Conv2d(out, 3, 1, 1) ]
        let up out = [ Conv2d(hidden, 3, 1, 1) ] @ stack @ [ ConvTranspose2d(out, 4, 2, 1, 0) ]
        let encoder = down hidden @ down hidden @ down hidden @ down (2 * latent)
        let decoder = up hidden @ up hidden @ up hidden @ up 1
        vae encoder decoder [ latent; 2; 2 ]

    let private mapVae name f m = match m with Vae v -> Vae(f v) | _ -> NoOp.fail name m "VAEs (Model.vae, Model.vaeMlp, Model.vaeConv)"
    let likelihood l m = mapVae "Model.likelihood" (fun v -> { v with Likelihood = l }) m

    /// NICE at pytorch-generative's defaults (the seed's setting): 4 additive couplings, each an MLP with 5 hidden
    /// layers of 1000 ReLU units, a diagonal scaling, a logistic prior.
    let nice = Nice { Couplings = 4; Hidden = 1000; HiddenLayers = 5; Prior = Logistic }
    /// NICE's prior p_Z: `Logistic` (the paper's for MNIST) or `Gaussian`.
    let prior (p: NicePrior) m = match m with Nice n -> Nice { n with Prior = p } | _ -> NoOp.fail "Model.prior" m "NICE (Model.nice)"
    let niceSize (couplings: int) (hidden: int) (layers: int) m =
        match m with Nice n -> Nice { n with Couplings = couplings; Hidden = hidden; HiddenLayers = layers } | _ -> NoOp.fail "Model.niceSize" m "NICE (Model.nice)"

    /// CSE 599i P8's Transformer LM as gm-hw1's notebook sets it: width 400, feed-forward 900, heads of size 40, tied
    /// embeddings, no dropout; (b) is `transformerLm 2 2`, (c) `transformerLm 16 10`.
    let transformerLm (layers: int) (heads: int) =
        TransformerLm { Layers = layers; Heads = heads; HeadDim = 40; Width = 400; FeedForward = 900; Dropout = 0.0; EmbeddingDropout = 0.0; Tied = true }
    /// Dropout p in attention and residual branches and pIo on the input/output embeddings (P8 d: 0.2 and 0.6).
    let dropout (p: float) (pIo: float) m =
        match m with TransformerLm l -> TransformerLm { l with Dropout = p; EmbeddingDropout = pIo } | _ -> NoOp.fail "Model.dropout" m "the Transformer LM (Model.transformerLm)"

    /// A model written in the script: `build hyperparameters shape generator` gives its module and its log-likelihood
    /// (UserModel.density) or loss (UserModel.loss), optionally a sampler (UserModel.withSampler). The hyperparameters
    /// are a record: `describe` prints its fields under the model and `--set` changes them (docs/dsl.md: RealNVP).
    let custom (name: string) (hyperparameters: 'H) (build: 'H -> int list -> GenDsl.Torch.Generator -> CustomParts) =
        UserModel
            { Name = name; Hyperparameters = box hyperparameters; HyperType = typeof<'H>
              Build = fun h shape g -> build (unbox<'H> h) shape g }

    // ---- the zoo (issue 22; Zoo.fs): library-defined custom models, hyperparameters in describe and --set ----

    /// A normalizing flow: a base density (`Logistic` or `Gaussian`) and a list of layers (Flow.*), exact log p(x).
    let flow (baseDensity: NicePrior) (layers: FlowLayer list) = Zoo.flow { Base = baseDensity; Layers = layers }
    /// NICE as a flow: Flow.nice 4 1000 5 on a logistic base (Model.nice's layers and, for one seed, its numbers).
    let niceFlow = flow Logistic (Flow.nice 4 1000 5)
    /// RealNVP on vectors: `couplings` x [ActNorm, affine coupling on alternating halves], MLPs of `layers` x `hidden`, Gaussian base.
    let realNvp (couplings: int) (hidden: int) (layers: int) = flow Gaussian (Flow.realNvp couplings hidden layers)
    /// Glow-style on images (Data.images 0): squeeze, `steps` x [ActNorm, 1x1 convolution, channel-mask affine coupling], Gaussian base.
    let glow (steps: int) (hidden: int) = flow Gaussian (Flow.glow steps hidden)
    /// MAF: `layers` masked autoregressive layers (MADEs of these hidden widths), the order reversed between them, Gaussian base.
    let maf (layers: int) (hidden: int list) = flow Gaussian (Flow.maf layers hidden)
    let private flowFor = "flows (Model.flow, Model.realNvp, Model.glow, Model.maf)"
    /// The flow's base density.
    let flowBase (b: NicePrior) m = Zoo.map<FlowSpec> "Model.flowBase" flowFor (fun f -> { f with Base = b }) m

    /// MADE on binary vectors with these hidden widths, the natural order (Germain et al.: one hidden layer of 500 on MNIST).
    let made (hidden: int list) = Zoo.made { Hidden = hidden; Order = NaturalOrder; Output = BernoulliLogits }
    /// The order MADE generates in (`NaturalOrder`, `RandomOrder`).
    let order (o: MadeOrder) m = Zoo.map<MadeSpec> "Model.order" "MADE (Model.made)" (fun s -> { s with Order = o }) m
    /// MADE's conditionals (`BernoulliLogits` for binary vectors, `GaussianMixture c` for real ones such as 2-D points).
    let madeOutput (o: MadeOutput) m = Zoo.map<MadeSpec> "Model.madeOutput" "MADE (Model.made)" (fun s -> { s with Output = o }) m

    /// PixelCNN on binary single-channel images (Data.images 0): 64 channels, a 7x7 type A layer, 7 plain blocks of 3x3
    /// type B masked convolutions, Bernoulli outputs.
    let pixelCnn = Zoo.pixelCnn { Channels = 64; Blocks = 7; FirstKernel = 7; Kernel = 3; Block = PlainBlocks; Output = BernoulliOutput }
    /// The gated PixelCNN: the same sizes with the vertical and horizontal gated stacks (no blind spot).
    let gatedPixelCnn = Zoo.pixelCnn { Channels = 64; Blocks = 7; FirstKernel = 7; Kernel = 3; Block = GatedStacks; Output = BernoulliOutput }
    let private pixelFor = "PixelCNNs (Model.pixelCnn, Model.gatedPixelCnn)"
    /// Hidden channels and blocks after the type A layer.
    let pixelCnnSize (channels: int) (blocks: int) m = Zoo.map<PixelCnnSpec> "Model.pixelCnnSize" pixelFor (fun p -> { p with Channels = channels; Blocks = blocks }) m
    /// The blocks (`PlainBlocks`, `ResidualBlocks`, `GatedBlocks`, `GatedStacks`).
    let pixelBlocks (b: PixelBlock) m = Zoo.map<PixelCnnSpec> "Model.pixelBlocks" pixelFor (fun p -> { p with Block = b }) m
    /// The outputs (`BernoulliOutput` for binary images, `Categorical256` for 8-bit grey levels).
    let pixelOutput (o: PixelOutput) m = Zoo.map<PixelCnnSpec> "Model.pixelOutput" pixelFor (fun p -> { p with Output = o }) m

    /// A DDPM with this denoiser: Ho et al.'s linear schedule 1e-4..0.02 over T = 1000 steps, the simple loss; an
    /// `MlpDenoiser` takes the data as they are (points), a `UNetDenoiser` images in [0, 1] mapped to [-1, 1].
    let ddpm (denoiser: Denoiser) =
        Zoo.ddpm
            { Noise = LinearNoise(1e-4, 0.02); Timesteps = 1000; Denoiser = denoiser
              DataRange = (match denoiser with MlpDenoiser _ -> AsIs | UNetDenoiser _ -> UnitInterval) }
    let private ddpmFor = "DDPMs (Model.ddpm)"
    /// The noise schedule (`LinearNoise (betaStart, betaEnd)`, `CosineNoise`).
    let noise (s: NoiseSchedule) m = Zoo.map<DdpmSpec> "Model.noise" ddpmFor (fun d -> { d with Noise = s }) m
    /// T, the diffusion's steps.
    let timesteps (t: int) m = Zoo.map<DdpmSpec> "Model.timesteps" ddpmFor (fun d -> { d with Timesteps = t }) m
    /// How the data map to the diffusion's scale (`AsIs`, `UnitInterval`).
    let dataRange (r: DataRange) m = Zoo.map<DdpmSpec> "Model.dataRange" ddpmFor (fun d -> { d with DataRange = r }) m

    /// DS-GA 1008 1.3: a Gaussian KDE whose bandwidth maximises the validation log-likelihood over 30 log-spaced values in [0.05, 5].
    let kde = Kde { Bandwidth = ValidationGrid(0.05, 5.0, 30) }
    let bandwidth (b: Bandwidth) m = match m with Kde _ -> Kde { Bandwidth = b } | _ -> NoOp.fail "Model.bandwidth" m "the KDE (Model.kde)"
    /// DS-GA 1008 1.4-1.7: E a shallow tanh MLP (one hidden layer of 32) minus |x|^2 / (2 * 15^2), M = 5000 importance
    /// samples from the true mixture, drawn afresh each step.
    let ebm = Ebm { Hidden = 32; HiddenLayers = 1; Proposal = TrueMixture; Samples = 5000; Resample = true; BaseScale = Some 15.0 }
    let proposal (q: Proposal) m = match m with Ebm e -> Ebm { e with Proposal = q } | _ -> NoOp.fail "Model.proposal" m "the energy-based model (Model.ebm)"
    let importanceSamples (n: int) m = match m with Ebm e -> Ebm { e with Samples = n } | _ -> NoOp.fail "Model.importanceSamples" m "the energy-based model (Model.ebm)"
    /// Add -|x|^2 / (2 s^2) to E so that exp(E) is integrable (a tanh network alone is bounded, so its Z is infinite).
    let baseScale (scale: float) m = match m with Ebm e -> Ebm { e with BaseScale = Some scale } | _ -> NoOp.fail "Model.baseScale" m "the energy-based model (Model.ebm)"
    /// A GAN with MLP generator and discriminator (2 hidden layers of 128), 2-D latent, alternating updates.
    let gan = Gan { Hidden = 128; HiddenLayers = 2; Latent = 2; Scheme = Alternating; DiscriminatorSteps = 1; SnapshotEvery = 0 }
    let scheme (sch: GdaScheme) m = match m with Gan g -> Gan { g with Scheme = sch } | _ -> NoOp.fail "Model.scheme" m "the GAN (Model.gan)"
    let snapshots (every: int) m = match m with Gan g -> Gan { g with SnapshotEvery = every } | _ -> NoOp.fail "Model.snapshots" m "the GAN (Model.gan)"

/// Optimizers with PyTorch's defaults: `Optim.adam 1e-3`, `Optim.sgd 0.1 |> Optim.momentum 0.9`.
/// What a model written in a script hands back from its build function (Model.custom).
[<RequireQualifiedAccess>]
module Parts =
    /// An exact density: log p(x) per example, (B, ...) -> (B); the trainer minimises -mean log p.
    let density (m: #GenDsl.Torch.NN.Module) (logProb: GenDsl.Torch.Tensor -> GenDsl.Torch.Tensor) : CustomParts =
        { Module = m; LogProb = Some logProb; Loss = None; Bound = None; Sample = None }
    /// A model trained on a loss (a scalar per batch, e.g. a negative bound); it reports that loss, not an NLL.
    let loss (m: #GenDsl.Torch.NN.Module) (loss: GenDsl.Torch.Tensor -> GenDsl.Torch.Generator -> GenDsl.Torch.Tensor) : CustomParts =
        { Module = m; LogProb = None; Loss = Some loss; Bound = None; Sample = None }
    /// A model trained on a loss that also gives an upper bound on -log p(x) per example, (B, ...) -> (B) in nats (a
    /// variational bound): the report gives it as NegElbo, and as Nll, BitsPerDim and TestNll (bounds, not exact values).
    let withBound (bound: GenDsl.Torch.Tensor -> GenDsl.Torch.Generator -> GenDsl.Torch.Tensor) (p: CustomParts) =
        match p.LogProb with
        | Some _ -> invalidArg "p" "Parts.withBound: this model has an exact log-likelihood (Parts.density), which is reported instead; give a bound only to a model built with Parts.loss"
        | None -> { p with Bound = Some bound }
    /// n samples (n, ...): the report's samples and `gendsl sample`.
    let withSampler (sample: int -> GenDsl.Torch.Generator -> GenDsl.Torch.Tensor) (p: CustomParts) = { p with Sample = Some sample }

[<RequireQualifiedAccess>]
module Optim =
    let sgd (lr: float) = Sgd { Lr = lr; Momentum = 0.0; Nesterov = false; WeightDecay = 0.0 }
    let adam (lr: float) = Adam { Lr = lr; Beta1 = 0.9; Beta2 = 0.999; Eps = 1e-8; WeightDecay = 0.0 }
    let adamw (lr: float) = AdamW { Lr = lr; Beta1 = 0.9; Beta2 = 0.999; Eps = 1e-8; WeightDecay = 0.01 }
    let momentum (m: float) o = match o with Sgd s -> Sgd { s with Momentum = m } | _ -> o
    let nesterov o = match o with Sgd s -> Sgd { s with Nesterov = true } | _ -> o
    let weightDecay (wd: float) o =
        match o with
        | Sgd s -> Sgd { s with WeightDecay = wd }
        | Adam a -> Adam { a with WeightDecay = wd }
        | AdamW a -> AdamW { a with WeightDecay = wd }

/// Fits: `Fit.gd 1.0 10`, `Fit.sgd 0.02 5000`, `Fit.em 10`, `Fit.adam 1e-3 (Epochs 50) |> Fit.objective Elbo`.
[<RequireQualifiedAccess>]
module Fit =
    let private training opt budget batch =
        { Optimizer = opt; Schedule = Constant; Objective = MaxLikelihood; Budget = budget; Batch = batch; Shuffle = true
          ClipNorm = None; EvalEvery = Steps 1; EvalOn = []; KeepBest = false; EarlyStop = None; CheckpointEvery = Steps 0; Tol = 0.0 }

    /// Full-batch gradient ascent on the mean log-likelihood (plain SGD steps on the whole data), named "gd".
    let gd (lr: float) (steps: int) = { Name = "gd"; Fitter = Gradient(training (Optim.sgd lr) (Steps steps) None) }
    /// SGD with one point per step (batch 1 as in the seed), named "sgd".
    let sgd (lr: float) (steps: int) = { Name = "sgd"; Fitter = Gradient(training (Optim.sgd lr) (Steps steps) (Some 1)) }
    /// EM for n iterations, named "em".
    let em (iterations: int) = { Name = "em"; Fitter = Em { Iterations = iterations; Tol = 0.0 } }
    /// A gradient fit with any optimizer and budget, batch 64, evaluated at the end only, a resumable checkpoint every
    /// 500 steps; named after the optimizer.
    let train (opt: Optimizer) (budget: Budget) =
        let name = match opt with Sgd _ -> "sgd" | Adam _ -> "adam" | AdamW _ -> "adamw"
        { Name = name; Fitter = Gradient { training opt budget (Some 64) with EvalEvery = Steps 0; CheckpointEvery = Steps 500 } }
    /// A closed-form fit (the KDE's: its bandwidth rule), named "kde".
    let closedForm = { Name = "kde"; Fitter = ClosedForm }
    /// Adam at lr for the budget, named "adam".
    let adam (lr: float) (budget: Budget) = train (Optim.adam lr) budget

    let named (name: string) (f: FitSpec) = { f with Name = name }
    let private mapTraining name g (f: FitSpec) =
        match f.Fitter with
        | Gradient t -> { f with Fitter = Gradient(g t) }
        | Em _ | ClosedForm -> NoOp.fail name f.Fitter (sprintf "gradient fits (Fit.gd, Fit.sgd, Fit.adam, Fit.train), and fit '%s' is not one" f.Name)
    /// Examples per step (gradient fits).
    let batch (size: int) f = mapTraining "Fit.batch" (fun t -> { t with Batch = Some size }) f
    /// Stop when the mean log-likelihood improves by less than t (EM; GMM gradient fits).
    let tol (t: float) (f: FitSpec) =
        match f.Fitter with
        | Gradient tr -> { f with Fitter = Gradient { tr with Tol = t } }
        | Em e -> { f with Fitter = Em { e with Tol = t } }
        | ClosedForm -> NoOp.fail "Fit.tol" f.Fitter "EM and gradient fits (a closed-form fit has nothing to stop)"
    /// Evaluate every `Steps n` or `Epochs n` (and at the end); `Steps 0`: at the end only.
    let evalEvery (every: Budget) f = mapTraining "Fit.evalEvery" (fun t -> { t with EvalEvery = every }) f
    let evalOn (splits: Split list) f = mapTraining "Fit.evalOn" (fun t -> { t with EvalOn = splits }) f
    /// Keep the parameters best on the first evaluated split (needs evalOn).
    let keepBest f = mapTraining "Fit.keepBest" (fun t -> { t with KeepBest = true }) f
    let earlyStop (patience: int) f = mapTraining "Fit.earlyStop" (fun t -> { t with EarlyStop = Some patience }) f
    let clip (maxNorm: float) f = mapTraining "Fit.clip" (fun t -> { t with ClipNorm = Some maxNorm }) f
    let schedule (s: Schedule) f = mapTraining "Fit.schedule" (fun t -> { t with Schedule = s }) f
    let objective (o: Objective) f = mapTraining "Fit.objective" (fun t -> { t with Objective = o }) f
    let optimizer (o: Optimizer) f = mapTraining "Fit.optimizer" (fun t -> { t with Optimizer = o }) f
    let budget (b: Budget) f = mapTraining "Fit.budget" (fun t -> { t with Budget = b }) f
    /// A resumable checkpoint every `Steps n` or `Epochs n` (and at the end); `Steps 0`: none.
    let checkpointEvery (every: Budget) f = mapTraining "Fit.checkpointEvery" (fun t -> { t with CheckpointEvery = every }) f

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Case =
    let create (label: string) (data: DataSpec) (model: ModelSpec) (fits: FitSpec list) =
        { Label = label; Data = data; Model = model; Fits = fits }

    /// A sweep: one case per value, `Case.sweep (fun r -> Case.create ...) [10.0; 1.0]`.
    let sweep (make: 'a -> Case) (values: 'a list) = List.map make values

/// Studies: `Study.klAsymmetry "p1b" |> Study.steps 500`, `Study.receptiveFields "q1"`, `Study.gda "q6" 0.1 100`,
/// `Study.variationalBounds "2.3-2.4" |> Study.radii [ 5.0 ]`, ...
/// Each builder gives the seed problem's own setting; variants are `{ spec with ... }` or the combinators below.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Study =
    /// ECE 8803 P1b: p = (N(-5, 1) + N(5, 1)) / 2, both fits from N(2, 1), grid [-15, 15] with 3001 points.
    let klAsymmetry (label: string) =
        { Label = label
          Kind =
            KlAsymmetry
                { Weights = [ 0.5; 0.5 ]; Means = [ -5.0; 5.0 ]; Scales = [ 1.0; 1.0 ]; StartMu = 2.0; StartSigma = 1.0
                  LearningRate = 0.2; Steps = 1500; GridLo = -15.0; GridHi = 15.0; GridPoints = 3001 } }

    /// A KL study with another 1-D mixture target: weights, means, standard deviations.
    let klTarget (weights: float list) (means: float list) (scales: float list) (s: Study) =
        match s.Kind with
        | KlAsymmetry k -> { s with Kind = KlAsymmetry { k with Weights = weights; Means = means; Scales = scales } }
        | _ -> s

    /// Mila Q1: the four stacks AA, AB, BA, BB on a 5x5 map, output pixel (3, 4), 3 hidden channels.
    let receptiveFields (label: string) =
        { Label = label
          Kind =
            ReceptiveFields
                { Stacks = [ [ MaskA; MaskA ]; [ MaskA; MaskB ]; [ MaskB; MaskA ]; [ MaskB; MaskB ] ]
                  Height = 5; Width = 5; Row = 3; Column = 4; Channels = 3 } }

    /// Mila Q6: GDA on V = d g with step alpha for n steps from (1, 0), simultaneous and alternating.
    let gda (label: string) (alpha: float) (steps: int) =
        { Label = label; Kind = GdaDynamics { Alpha = alpha; D0 = 1.0; G0 = 0.0; Steps = steps; Schemes = [ Simultaneous; Alternating ] } }

    /// ECE 8803 P5 a-c: 1/Cauchy (histogram on [-10, 10]), e^Y for Y ~ N(0, 0.5^2), the distance in the square.
    let changeOfVariables (label: string) (n: int) =
        { Label = label
          Kind = ChangeOfVariables { Transforms = [ ReciprocalCauchy 10.0; ExpNormal(0.0, 0.5); DistanceFromCentre ]; N = n; Bins = 60; Seed = None } }

    /// Seed 002 P1: a series of length T from the AR(p) with coefficients phi and noise variance sigma^2, fitted with order p.
    let arFit (label: string) (phi: float list) (sigma2: float) (length: int) =
        { Label = label; Kind = ArFit { Phi = phi; Sigma2 = sigma2; Length = length; Order = phi.Length; Seed = None } }

    /// Fit an AR of another order than the truth's.
    let order (p: int) (s: Study) =
        match s.Kind with
        | ArFit a -> { s with Kind = ArFit { a with Order = p } }
        | _ -> s

    /// DS-GA 1008 2.3-2.4: the ring GMM with R = 10 and R = 1, K = 10, n = 1000 points per ring; 2.4's sweep K = 10,
    /// 20, ..., 640 at each radius and with components kept apart (R = K).
    let variationalBounds (label: string) =
        { Label = label
          Kind = VariationalBounds { Radii = [ 10.0; 1.0 ]; Components = 10; Points = 1000; Sweep = [ 10; 20; 40; 80; 160; 320; 640 ]; Seed = None } }

    /// The rings' radii of a variational-bounds study (2.3's rings and 2.4's fixed-radius series).
    let radii (rs: float list) (s: Study) =
        match s.Kind with
        | VariationalBounds v -> { s with Kind = VariationalBounds { v with Radii = rs } }
        | _ -> s

    /// The numbers of components K a variational-bounds study sweeps (2.4).
    let sweep (ks: int list) (s: Study) =
        match s.Kind with
        | VariationalBounds v -> { s with Kind = VariationalBounds { v with Sweep = ks } }
        | _ -> s

    /// Points per ring of a variational-bounds study, samples of a change-of-variables study (others are returned unchanged).
    let points (n: int) (s: Study) =
        match s.Kind with
        | VariationalBounds v -> { s with Kind = VariationalBounds { v with Points = n } }
        | ChangeOfVariables c -> { s with Kind = ChangeOfVariables { c with N = n } }
        | KlAsymmetry _ | ReceptiveFields _ | GdaDynamics _ | ArFit _ -> s

    /// Iterations of a KL fit or of GDA (other studies have none and are returned unchanged).
    let steps (n: int) (s: Study) =
        match s.Kind with
        | KlAsymmetry k -> { s with Kind = KlAsymmetry { k with Steps = n } }
        | GdaDynamics g -> { s with Kind = GdaDynamics { g with Steps = n } }
        | ReceptiveFields _ | ChangeOfVariables _ | ArFit _ | VariationalBounds _ -> s

    /// The study's own seed (change of variables, AR fit, variational bounds; others are deterministic).
    let seeded (seed: uint64) (s: Study) =
        match s.Kind with
        | ChangeOfVariables c -> { s with Kind = ChangeOfVariables { c with Seed = Some seed } }
        | ArFit a -> { s with Kind = ArFit { a with Seed = Some seed } }
        | VariationalBounds v -> { s with Kind = VariationalBounds { v with Seed = Some seed } }
        | KlAsymmetry _ | ReceptiveFields _ | GdaDynamics _ -> s

/// Expectations: `Expect.nll Below 3.95` (every fit), `Expect.forFit "em" (Expect.nll Below 3.95)`.
[<RequireQualifiedAccess>]
module Expect =
    let metric (m: MetricSpec) (cmp: Comparison) (value: float) =
        { Metric = m; Case = None; Fit = None; Comparison = cmp; Value = value }

    let nll cmp value = metric Nll cmp value
    /// metric a <= metric b (+ slack) for every fit, e.g. `Expect.atMost (NegIwae (5000, 1000)) (NegIwae (50, 1000)) 0.0`.
    let atMost (a: MetricSpec) (b: MetricSpec) (slack: float) = { Metric = a; Case = None; Fit = None; Comparison = AtMostMetric b; Value = slack }
    let forFit (fit: string) (e: Expectation) = { e with Fit = Some fit }
    /// Only that case.
    let forCase (case: string) (e: Expectation) = { e with Case = Some case }

/// The experiment pipeline: `Experiment.create "name" |> Experiment.withCase ... |> Experiment.plots [...]`.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Experiment =
    let create (name: string) =
        { Name = name; Title = name; Seed = 0UL; Cases = []; Studies = []; Metrics = [ Nll ]; Plots = []
          Expectations = []; Notes = [] }

    let titled (title: string) (e: Experiment) = { e with Title = title }
    let seed (s: uint64) (e: Experiment) = { e with Seed = s }
    let withCase (c: Case) (e: Experiment) = { e with Cases = e.Cases @ [ c ] }
    let withCases (cs: Case list) (e: Experiment) = { e with Cases = e.Cases @ cs }
    let withStudy (s: Study) (e: Experiment) = { e with Studies = e.Studies @ [ s ] }
    let withStudies (ss: Study list) (e: Experiment) = { e with Studies = e.Studies @ ss }
    let metrics (ms: MetricSpec list) (e: Experiment) = { e with Metrics = ms }
    let plots (ps: PlotSpec list) (e: Experiment) = { e with Plots = ps }
    let expect (x: Expectation) (e: Experiment) = { e with Expectations = e.Expectations @ [ x ] }
    let note (text: string) (e: Experiment) = { e with Notes = e.Notes @ [ text ] }
