/// Zoo.fs: the model zoo as library-defined custom models (issue 22) — flows as a base density plus a list of bijector
/// values (NICE, RealNVP, Glow-style, MAF), MADE, PixelCNN (plain, residual, gated) and DDPM. Each family is a CustomModel
/// whose hyperparameters are the records below, so `describe`, `--set`, checkpoints, resume, curves, samples and
/// `gendsl sample` come through Families/Custom.fs as for a model written in a script. The builders users write are Model.* and
/// Flow.* (Build.fs); the mathematics is the core's (src/Core.CSharp/Models: Bijector, Couplings, Bijectors, Made,
/// PixelCnn, Diffusion, Ddpm).
namespace GenDsl.Dsl

open GenDsl.Torch

/// Which elements a coupling layer keeps (the conditioning part); `Flip` in its spec swaps kept and updated elements.
type CouplingMask =
    /// Vectors: the first half kept, the second updated (NICE's and RealNVP's contiguous halves).
    | Halves
    /// Vectors: even positions kept, odd ones updated.
    | EvenOdd
    /// Images (C, H, W): pixels with (i + j) even kept (RealNVP's checkerboard).
    | Checkerboard
    /// Images (C, H, W): the first C/2 channels kept (RealNVP's and Glow's channel mask; needs C >= 2: squeeze first).
    | ChannelHalves

/// A coupling layer: its mask and its network, an MLP of HiddenLayers x Hidden ReLU units on vectors, or on images
/// conv3x3(C, Hidden), ReLU, (HiddenLayers - 1) x [conv1x1(Hidden, Hidden), ReLU], conv3x3(Hidden, C or 2C).
type CouplingSpec =
    { Mask: CouplingMask
      /// Swap the kept and the updated elements (alternate it between couplings so every element is updated).
      Flip: bool
      Hidden: int
      HiddenLayers: int }

/// One invertible layer of a flow, in the data-to-latent direction; log|det| of each is the core's (Bijector.cs).
type FlowLayer =
    /// NICE's additive coupling z = x + (1 - m) t(m x), log|det| = 0.
    | Additive of CouplingSpec
    /// RealNVP's affine coupling z = m x + (1 - m)(x exp(s) + t), s = tanh(raw), log|det| = sum of s over updated elements.
    | Affine of CouplingSpec
    /// NICE's diagonal scaling z = x exp(s), one learned s per feature (vectors).
    | Scaling
    /// Glow's ActNorm: per channel (features of vectors) z = (x + b) exp(s), initialised from the first training batch.
    | ActNorm
    /// Reverse the order of the features (channels of images).
    | Reverse
    /// A fixed random permutation of the features (channels), drawn with the model's seed.
    | Shuffle
    /// Glow's invertible 1x1 convolution (a learned C x C matrix on channels; on vectors a full D x D matrix).
    | Conv1x1
    /// Each 2x2 block of pixels becomes 4 channels: (C, H, W) -> (4C, H/2, W/2) (H, W even).
    | Squeeze
    /// MAF's masked autoregressive layer: a MADE with these hidden widths gives (mu, alpha), z_d = (x_d - mu_d) exp(-alpha_d).
    | Autoregressive of hidden: int list

/// A normalizing flow: z = f_K o ... o f_1 (x), z ~ Base (factorised standard logistic or Gaussian), exact log p(x).
type FlowSpec = { Base: NicePrior; Layers: FlowLayer list }

/// The order MADE generates features in.
type MadeOrder =
    /// 0, 1, ..., D-1 (raster order for flat images).
    | NaturalOrder
    /// A random permutation drawn with the model's seed.
    | RandomOrder

/// What MADE predicts per feature.
type MadeOutput =
    /// A Bernoulli logit: binary vectors (Data.dynamicBinarized, Data.binarized).
    | BernoulliLogits
    /// A mixture of this many Gaussians (MADE-MoG, Papamakarios et al. 2017): real vectors such as 2-D points.
    | GaussianMixture of components: int

/// MADE (Germain et al. 2015): a masked MLP of these hidden widths gives each feature's conditional given the features
/// before it in the order (Bernoulli logits, or a Gaussian mixture for real data); exact log p(x).
type MadeSpec = { Hidden: int list; Order: MadeOrder; Output: MadeOutput }

/// The blocks of a PixelCNN after its type A layer.
type PixelBlock =
    /// ReLU, a type B masked convolution (Mila Q1's masks).
    | PlainBlocks
    /// x + 1x1(ReLU(B(ReLU(1x1(ReLU x))))).
    | ResidualBlocks
    /// x + 1x1(tanh(a) sigma(b)), (a, b) = B(x).
    | GatedBlocks
    /// The gated PixelCNN's vertical and horizontal stacks (no blind spot).
    | GatedStacks

/// What a PixelCNN predicts per pixel.
type PixelOutput =
    /// A Bernoulli logit: binary images (Data.dynamicBinarized, Data.binarized).
    | BernoulliOutput
    /// 256-way logits over the grey level: 8-bit images as Data.mnist gives them (x / 255, read back as round(255 x)).
    | Categorical256

/// PixelCNN (van den Oord et al. 2016) on single-channel images: a type A k0 x k0 masked convolution, Blocks blocks around
/// type B k x k ones, then 1x1 layers to the outputs; exact log p(x) in Mila Q1's order; sampling pixel by pixel.
type PixelCnnSpec =
    { Channels: int
      Blocks: int
      FirstKernel: int
      Kernel: int
      Block: PixelBlock
      Output: PixelOutput }

/// A DDPM's noise schedule beta_1..beta_T.
type NoiseSchedule =
    /// beta_t evenly from betaStart to betaEnd for T = 1000 (Ho et al.: 1e-4 to 0.02); for other T both are scaled by
    /// 1000 / T (Nichol and Dhariwal) and capped at 0.999, so the forward process ends near N(0, I) whatever T.
    | LinearNoise of betaStart: float * betaEnd: float
    /// Nichol and Dhariwal's cosine schedule (s = 0.008, beta at most 0.999).
    | CosineNoise

/// A DDPM's epsilon-predictor.
type Denoiser =
    /// eps = MLP([x_t, emb(t)]) with SiLU, for points (vectors).
    | MlpDenoiser of hidden: int * layers: int
    /// A small U-Net with `channels` base channels (a multiple of 8) for (1, 28, 28) images (Data.images 0).
    | UNetDenoiser of channels: int

/// How the data map to the diffusion's scale.
type DataRange =
    /// As they are (points).
    | AsIs
    /// Data in [0, 1] (images) as y = 2x - 1 in [-1, 1]; the bound on -log p(x) is the bound on -log p(y) minus D ln 2.
    | UnitInterval

/// A DDPM (Ho et al. 2020) trained on the simple epsilon loss, with its variational bound on -log p(x) (continuous data:
/// a Gaussian L_0) as its likelihood figure, an upper bound; ancestral sampling.
type DdpmSpec =
    { Noise: NoiseSchedule
      Timesteps: int
      Denoiser: Denoiser
      DataRange: DataRange }

/// Building the zoo's families for the data's shape (CustomModel.Build), and the models as values.
module Zoo =
    let private fail (model: string) (why: string) : 'a = raise (System.ArgumentException(sprintf "%s: %s" model why))
    let private shapeText (s: int64[]) = System.String.Join(", ", s)
    let private caseName (v: obj) =
        let c, _ = Microsoft.FSharp.Reflection.FSharpValue.GetUnionFields(v, v.GetType())
        c.Name

    // ---- flows ----

    let private flowBase b = match b with Logistic -> GenDsl.Models.FlowBase.Logistic | Gaussian -> GenDsl.Models.FlowBase.Gaussian

    /// The coupling network on images: conv3x3(c, h), ReLU, (layers - 1) x [conv1x1(h, h), ReLU], conv3x3(h, out).
    let private convNet (c: int64) (h: int64) (layers: int) (out: int64) (g: Generator) : NN.Module =
        let s = new NN.Sequential(new NN.Conv2d(c, h, 3L, padding = 1L, generator = g), new NN.ReLU())
        for _ in 2 .. layers do s.Append(new NN.Conv2d(h, h, 1L, generator = g)).Append(new NN.ReLU()) |> ignore
        s.Append(new NN.Conv2d(h, out, 3L, padding = 1L, generator = g)) |> ignore
        s :> NN.Module

    /// The core's bijectors for the layers, in order, for examples of `shape`; each layer's shape is checked.
    let flowLayers (f: FlowSpec) (shape: int list) (g: Generator) : GenDsl.Models.Bijector list =
        if f.Layers.IsEmpty then fail "flow" "it has no layers: give a list such as Flow.nice 4 1000 5 or [ Flow.affine Halves 64 2; Flow.reverse ]"
        let mutable cur = shape |> List.map int64 |> Array.ofList
        [ for i, l in List.indexed f.Layers do
            let where = sprintf "flow layer %d (%s)" (i + 1) (Tree.snake (caseName l))
            let vector () =
                if cur.Length <> 1 then
                    fail where (sprintf "works on vectors, but the examples are (%s) here: flatten the data (leave out Data.images) or use an image layer (Checkerboard or ChannelHalves masks)" (shapeText cur))
                cur.[0]
            let image () =
                if cur.Length <> 3 then fail where (sprintf "works on images (C, H, W), but the examples are (%s) here: use Data.images 0, or a vector mask (Halves, EvenOdd)" (shapeText cur))
            let coupling (c: CouplingSpec) (affine: bool) : GenDsl.Models.Bijector =
                if c.Hidden < 1 || c.HiddenLayers < 1 then fail where (sprintf "hidden = %d and hidden_layers = %d: both must be >= 1" c.Hidden c.HiddenLayers)
                let h = int64 c.Hidden
                match c.Mask with
                | Halves ->
                    let d = vector ()
                    if d < 2L then fail where "needs at least 2 features"
                    let half = d / 2L
                    let cond, moved = if c.Flip then d - half, half else half, d - half
                    if affine then new GenDsl.Models.AffineCoupling(d, c.Flip, GenDsl.Models.Mlp.Create(cond, h, c.HiddenLayers, 2L * moved, generator = g))
                    else new GenDsl.Models.AdditiveCoupling(d, c.Flip, GenDsl.Models.Nice.MlpNet(c.HiddenLayers, h, g).Invoke(cond, moved))
                | EvenOdd ->
                    let d = vector ()
                    if d < 2L then fail where "needs at least 2 features"
                    let net = GenDsl.Models.Mlp.Create(d, h, c.HiddenLayers, (if affine then 2L * d else d), generator = g)
                    new GenDsl.Models.MaskedCoupling(GenDsl.Models.CouplingMask.Alternate(d, c.Flip), net, affine)
                | Checkerboard | ChannelHalves ->
                    image ()
                    let ch = cur.[0]
                    if c.Mask = ChannelHalves && ch < 2L then fail where (sprintf "a channel mask needs at least 2 channels, the examples have %d here: put Flow.squeeze before it (or use Checkerboard)" ch)
                    let mask = if c.Mask = Checkerboard then GenDsl.Models.CouplingMask.Checkerboard(cur, c.Flip) else GenDsl.Models.CouplingMask.Channel(cur, c.Flip)
                    new GenDsl.Models.MaskedCoupling(mask, convNet ch h c.HiddenLayers (if affine then 2L * ch else ch) g, affine)
            let b : GenDsl.Models.Bijector =
                match l with
                | Additive c -> coupling c false
                | Affine c -> coupling c true
                | Scaling -> new GenDsl.Models.DiagonalScaling(vector ())
                | ActNorm ->
                    if cur.Length <> 1 && cur.Length <> 3 then fail where (sprintf "works on vectors or images (C, H, W), got (%s)" (shapeText cur))
                    new GenDsl.Models.ActNorm(cur.[0], spatialDims = (if cur.Length = 3 then 2 else 0))
                | Reverse -> GenDsl.Models.Permutation.Reverse(cur.[0])
                | Shuffle -> GenDsl.Models.Permutation.Random(cur.[0], g)
                | Conv1x1 ->
                    if cur.Length <> 1 && cur.Length <> 3 then fail where (sprintf "works on vectors or images (C, H, W), got (%s)" (shapeText cur))
                    new GenDsl.Models.InvertibleConv1x1(cur.[0], g)
                | Squeeze ->
                    image ()
                    if cur.[1] % 2L <> 0L || cur.[2] % 2L <> 0L then
                        fail where (sprintf "needs an even height and width, the examples are (%s) here: pad the images (Data.images 2 gives 32 x 32) or squeeze fewer times" (shapeText cur))
                    new GenDsl.Models.Squeeze()
                | Autoregressive hidden ->
                    let d = vector ()
                    if hidden.IsEmpty || List.exists (fun w -> w < 1) hidden then fail where (sprintf "hidden widths [%s]: give at least one, each >= 1" (System.String.Join("; ", hidden)))
                    new GenDsl.Models.MaskedAutoregressive(d, (hidden |> List.map int64 |> Array.ofList), generator = g)
            cur <- b.OutputShape cur
            b ]

    let buildFlow (f: FlowSpec) (shape: int list) (g: Generator) : CustomParts =
        let layers = flowLayers f shape g
        let flow = new GenDsl.Models.NormalizingFlow(shape |> List.map int64 |> Array.ofList, layers, flowBase f.Base)
        { Module = flow; LogProb = Some(fun x -> flow.LogProb x); Loss = None; Bound = None
          Sample = Some(fun n g -> flow.Sample(int64 n, g)) }

    // ---- autoregressive models ----

    /// Fails unless every value of x is 0 or 1 (a Bernoulli likelihood of other values is no density).
    let private allBinary (x: Tensor) =
        use s = Scope.Begin()
        (x * (1.0 - x)).Abs().Max().ToDouble() = 0.0

    let private requireBinary (model: string) (x: Tensor) =
        if not (allBinary x) then
            fail model "its Bernoulli likelihood needs binary data (every value 0 or 1), and these data are not: use Data.dynamicBinarized or Data.binarized"

    /// Fails when every value of x is 0 or 1 and some are 1: a density on real values (a Gaussian mixture) of binary data
    /// rises without bound as its scales shrink onto 0 and 1, so its NLL would run to -infinity instead of measuring
    /// anything. A batch of zeros alone (the check's probe of the model) passes: the refusal comes at the first batch of
    /// the data.
    let private refuseBinary (model: string) (x: Tensor) =
        if allBinary x && (use m = x.Max() in m.ToDouble() = 1.0) then
            fail model "its Gaussian-mixture conditionals are a density on real values, and these data are binary (every value 0 or 1): their NLL falls without bound. Use the default Bernoulli output (drop Model.madeOutput (GaussianMixture _)) for binary data, or dequantise it (Data.dequantized)"

    let buildMade (m: MadeSpec) (shape: int list) (g: Generator) : CustomParts =
        let d = shape |> List.fold (*) 1
        if d < 2 then fail "made" (sprintf "needs at least 2 features per example, got %d" d)
        if m.Hidden.IsEmpty || List.exists (fun w -> w < 1) m.Hidden then fail "made" (sprintf "hidden widths [%s]: give at least one, each >= 1" (System.String.Join("; ", m.Hidden)))
        let order =
            match m.Order with
            | NaturalOrder -> null
            | RandomOrder -> (use p = GenDsl.Models.Permutation.Random(int64 d, g) in p.Perm)
        let hidden = m.Hidden |> List.map int64 |> Array.ofList
        let full = Array.ofList (List.map int64 shape)
        let unflat (x: Tensor) = use x = x in x.Reshape(Array.append [| x.Size 0 |] full)   // (n, D) -> (n, ...shape)
        match m.Output with
        | BernoulliLogits ->
            let made = new GenDsl.Models.Made(int64 d, hidden, 1, order, g)
            { Module = made
              LogProb = Some(fun x -> requireBinary "made" x; made.LogProb x)
              Loss = None; Bound = None
              Sample = Some(fun n g -> unflat (made.Sample(int64 n, g))) }
        | GaussianMixture c ->
            if c < 1 then fail "made" (sprintf "gaussian_mixture %d: needs at least one component" c)
            let made = new GenDsl.Models.MadeMixture(int64 d, hidden, c, order, g)
            { Module = made
              LogProb = Some(fun x -> refuseBinary "made" x; made.LogProb x)
              Loss = None; Bound = None
              Sample = Some(fun n g -> unflat (made.Sample(int64 n, g))) }

    let buildPixelCnn (p: PixelCnnSpec) (shape: int list) (g: Generator) : CustomParts =
        let h, w =
            match shape with
            | [ 1; h; w ] -> h, w
            | _ -> fail "pixelcnn" (sprintf "needs single-channel images (1, H, W), the examples are (%s): add Data.images 0 to the data" (System.String.Join(", ", shape)))
        let opts =
            GenDsl.Models.PixelCnnOptions(
                Channels = int64 p.Channels, Blocks = p.Blocks, FirstKernel = int64 p.FirstKernel, Kernel = int64 p.Kernel,
                Block =
                    (match p.Block with
                     | PlainBlocks -> GenDsl.Models.PixelCnnBlock.Plain
                     | ResidualBlocks -> GenDsl.Models.PixelCnnBlock.Residual
                     | GatedBlocks -> GenDsl.Models.PixelCnnBlock.Gated
                     | GatedStacks -> GenDsl.Models.PixelCnnBlock.GatedStack),
                Output = (match p.Output with BernoulliOutput -> GenDsl.Models.PixelCnnOutput.Bernoulli | Categorical256 -> GenDsl.Models.PixelCnnOutput.Categorical256))
        let net = new GenDsl.Models.PixelCnn(opts, g)
        let image (x: Tensor) = x.Reshape([| x.Size 0; 1L; int64 h; int64 w |])   // (B, ...) -> (B, 1, H, W)
        match p.Output with
        | BernoulliOutput ->
            { Module = net; LogProb = Some(fun x -> requireBinary "pixelcnn" x; use i = image x in net.LogProb i); Loss = None; Bound = None
              Sample = Some(fun n g -> net.Sample(int64 n, int64 h, int64 w, g)) }
        | Categorical256 ->
            // Grey levels x / 255 in [0, 1] back to the levels 0..255.
            let levels (x: Tensor) =
                use s = Scope.Begin()
                if x.Min().ToDouble() < 0.0 || x.Max().ToDouble() > 1.0 then
                    fail "pixelcnn" "its 256-way output reads grey levels x / 255 in [0, 1], and these data leave [0, 1]: use Data.mnist without dequantisation or binarisation"
                (image x * 255.0).Round().MoveToOuterScope()
            { Module = net; LogProb = Some(fun x -> use l = levels x in net.LogProb l); Loss = None; Bound = None
              Sample = Some(fun n g -> net.Sample(int64 n, int64 h, int64 w, g) / 255.0) }

    // ---- diffusion ----

    let buildDdpm (s: DdpmSpec) (shape: int list) (g: Generator) : CustomParts =
        if s.Timesteps < 1 then fail "ddpm" (sprintf "timesteps = %d: must be >= 1 (Ho et al.: 1000)" s.Timesteps)
        let schedule =
            match s.Noise with
            | LinearNoise (a, b) ->
                // Ho et al.'s betas are for T = 1000; other T scale them by 1000 / T (Nichol and Dhariwal), capped at 0.999,
                // so the forward process still ends near N(0, I): unscaled, T = 100 would leave alpha-bar_T at 0.37.
                if not (0.0 < a && a <= b && b < 1.0) then fail "ddpm" (sprintf "linear_noise (%g, %g): need 0 < beta_start <= beta_end < 1" a b)
                let scale = 1000.0 / float s.Timesteps
                GenDsl.Models.DiffusionSchedule.Linear(s.Timesteps, min 0.999 (a * scale), min 0.999 (b * scale))
            | CosineNoise -> GenDsl.Models.DiffusionSchedule.Cosine(s.Timesteps)
        let event = shape |> List.map int64 |> Array.ofList
        let d = shape |> List.fold (*) 1
        let net : NN.Module =
            match s.Denoiser, shape with
            | MlpDenoiser (h, l), [ f ] ->
                if h < 1 || l < 1 then fail "ddpm" (sprintf "mlp_denoiser (%d, %d): hidden and layers must be >= 1" h l)
                new GenDsl.Models.DdpmMlp(int64 f, int64 h, l, generator = g)
            | MlpDenoiser _, _ -> fail "ddpm" (sprintf "the MLP denoiser works on vectors, the examples are (%s): flatten the data or use UNetDenoiser" (System.String.Join(", ", shape)))
            | UNetDenoiser c, [ 1; 28; 28 ] ->
                if c < 8 || c % 8 <> 0 then fail "ddpm" (sprintf "u_net_denoiser %d: the channels must be a positive multiple of 8" c)
                new GenDsl.Models.DdpmUNet(int64 c, g)
            | UNetDenoiser _, _ -> fail "ddpm" (sprintf "the U-Net denoiser works on (1, 28, 28) images, the examples are (%s): use Data.mnist |> Data.images 0" (System.String.Join(", ", shape)))
        let ddpm = new GenDsl.Models.Ddpm(net, schedule, event)
        let toModel (x: Tensor) =
            use e = x.Reshape(Array.append [| x.Size 0 |] event)   // (B, ...) -> (B, *event)
            match s.DataRange with AsIs -> e.Alias() | UnitInterval -> e * 2.0 - 1.0
        // log p(x) = log p(y) + D ln 2 for y = 2x - 1: the bound on -log p(x) is the bound on -log p(y) minus D ln 2.
        let logJacobian = match s.DataRange with AsIs -> 0.0 | UnitInterval -> float d * log 2.0
        { Module = ddpm; LogProb = None
          Loss = Some(fun x g -> use y = toModel x in ddpm.Loss(y, g))
          Bound = Some(fun x g -> use y = toModel x in use b = ddpm.NegativeBound(y, g) in b - logJacobian)
          Sample = Some(fun n g -> let y = ddpm.Sample(int64 n, g) in match s.DataRange with AsIs -> y | UnitInterval -> (use _y = y in (y + 1.0) * 0.5)) }

    // ---- the models as values ----

    // One Build function per family (the same object in every value, so equal hyperparameters give equal models).
    let private flowBuild : obj -> int list -> Generator -> CustomParts = fun h s g -> buildFlow (unbox h) s g
    let private madeBuild : obj -> int list -> Generator -> CustomParts = fun h s g -> buildMade (unbox h) s g
    let private pixelCnnBuild : obj -> int list -> Generator -> CustomParts = fun h s g -> buildPixelCnn (unbox h) s g
    let private ddpmBuild : obj -> int list -> Generator -> CustomParts = fun h s g -> buildDdpm (unbox h) s g

    let flow (f: FlowSpec) = UserModel { Name = "flow"; Hyperparameters = box f; HyperType = typeof<FlowSpec>; Build = flowBuild }
    let made (m: MadeSpec) = UserModel { Name = "made"; Hyperparameters = box m; HyperType = typeof<MadeSpec>; Build = madeBuild }
    let pixelCnn (p: PixelCnnSpec) = UserModel { Name = "pixelcnn"; Hyperparameters = box p; HyperType = typeof<PixelCnnSpec>; Build = pixelCnnBuild }
    let ddpm (d: DdpmSpec) = UserModel { Name = "ddpm"; Hyperparameters = box d; HyperType = typeof<DdpmSpec>; Build = ddpmBuild }

    /// The zoo model's hyperparameters changed by f, or an error naming the builder and what it is for.
    let map<'H> (builder: string) (isFor: string) (f: 'H -> 'H) (m: ModelSpec) : ModelSpec =
        match m with
        | UserModel c when c.HyperType = typeof<'H> -> UserModel { c with Hyperparameters = box (f (unbox<'H> c.Hyperparameters)) }
        | _ ->
            let what = match m with UserModel c -> sprintf "model '%s'" c.Name | _ -> sprintf "a %s" (caseName m)
            raise (System.ArgumentException(sprintf "%s does nothing to %s: it is for %s" builder what isFor))

/// Flow layers as values: `Model.flow Gaussian [ Flow.actNorm; Flow.affine Halves 64 2; Flow.reverse ]`, or whole stacks:
/// `Flow.nice 4 1000 5` (today's NICE), `Flow.realNvp 4 64 2`, `Flow.glow 4 64`, `Flow.maf 4 [ 64; 64 ]`.
[<RequireQualifiedAccess>]
module Flow =
    /// An additive coupling (NICE) with an MLP or conv network of `layers` x `hidden`.
    let additive (mask: CouplingMask) (hidden: int) (layers: int) = Additive { Mask = mask; Flip = false; Hidden = hidden; HiddenLayers = layers }
    /// An affine coupling (RealNVP).
    let affine (mask: CouplingMask) (hidden: int) (layers: int) = Affine { Mask = mask; Flip = false; Hidden = hidden; HiddenLayers = layers }
    /// The same coupling with kept and updated elements swapped.
    let flipped (l: FlowLayer) =
        match l with
        | Additive c -> Additive { c with Flip = not c.Flip }
        | Affine c -> Affine { c with Flip = not c.Flip }
        | Scaling | ActNorm | Reverse | Shuffle | Conv1x1 | Squeeze | Autoregressive _ ->
            raise (System.ArgumentException(sprintf "Flow.flipped does nothing to %A: it is for couplings (Flow.additive, Flow.affine)" l))
    /// n copies of a coupling, every second one flipped, so that every element is updated.
    let alternate (n: int) (coupling: FlowLayer) = [ for i in 0 .. n - 1 -> if i % 2 = 1 then flipped coupling else coupling ]
    let scaling = Scaling
    let actNorm = ActNorm
    let reverse = Reverse
    let shuffle = Shuffle
    let conv1x1 = Conv1x1
    let squeeze = Squeeze
    /// A MAF layer on a MADE of these hidden widths.
    let autoregressive (hidden: int list) = Autoregressive hidden

    /// NICE (Dinh et al. 2014) as the core's NICE builds it: `couplings` additive couplings on alternating contiguous halves,
    /// each an MLP of `layers` x `hidden` ReLU units, then a diagonal scaling. With a Logistic base and the same seed it
    /// gives Model.nice's parameters and numbers.
    let nice (couplings: int) (hidden: int) (layers: int) = alternate couplings (additive Halves hidden layers) @ [ scaling ]
    /// RealNVP on vectors as the core's: `couplings` x [ActNorm, affine coupling on alternating halves].
    let realNvp (couplings: int) (hidden: int) (layers: int) =
        alternate couplings (affine Halves hidden layers) |> List.collect (fun c -> [ actNorm; c ])
    /// Glow-style on images as the core's: squeeze, then `steps` x [ActNorm, 1x1 convolution, affine coupling with a channel
    /// mask on alternating halves, its network conv3x3, ReLU, conv1x1, ReLU, conv3x3 of `hidden` channels].
    let glow (steps: int) (hidden: int) =
        squeeze :: (alternate steps (affine ChannelHalves hidden 2) |> List.collect (fun c -> [ actNorm; conv1x1; c ]))
    /// MAF as the core's: `layers` masked autoregressive layers, the order reversed between them.
    let maf (layers: int) (hidden: int list) =
        [ for i in 0 .. layers - 1 do
            autoregressive hidden
            if i < layers - 1 then reverse ]
