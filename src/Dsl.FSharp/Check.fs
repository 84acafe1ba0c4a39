/// Check.fs: pure validation (Experiment -> Result<Plan, DslError list>): messages, data, models, fits, names; network shapes are in Shapes.fs, study checks in Studies/, `--set` in Settings.fs.
module GenDsl.Dsl.Check

open System
open System.Globalization
open GenDsl.Dsl.Shapes

/// A sentence saying what is wrong and how to fix it.
let message (e: DslError) =
    match e with
    | NoCases x -> sprintf "experiment '%s' has no cases and no studies: add one with Experiment.withCase or Experiment.withStudy" x
    | NoFits c -> sprintf "case '%s' has no fits: give at least one (Fit.gd, Fit.sgd, Fit.em, Fit.adam ...)" c
    | EmptyData c -> sprintf "case '%s': the data is empty (N = 0): give at least one point" c
    | RaggedData (c, row, d, got) -> sprintf "case '%s': data row %d has %d numbers, row 0 has %d: every point needs the same dimension" c row got d
    | ZeroComponents (c, k) -> sprintf "case '%s': the mixture needs K >= 1 components, got K = %d" c k
    | FewerPointsThanComponents (c, n, k) -> sprintf "case '%s': %d data points cannot fit K = %d components: use N >= K" c n k
    | NonPositiveLearningRate (c, f, lr) -> sprintf "case '%s', fit '%s': the learning rate must be > 0, got %g" c f lr
    | NonPositiveSteps (c, f, s) -> sprintf "case '%s', fit '%s': steps must be >= 1, got %d" c f s
    | NonPositiveBatch (c, f, b) -> sprintf "case '%s', fit '%s': the batch size must be >= 1, got %d" c f b
    | NonPositiveEvalEvery (c, f, n) -> sprintf "case '%s', fit '%s': EvalEvery must be >= 1, got %d" c f n
    | NegativeTolerance (c, f, t) -> sprintf "case '%s', fit '%s': the tolerance must be >= 0, got %g" c f t
    | DimensionMismatch (c, what, d, got) -> sprintf "case '%s': %s has dimension %d but the data has dimension %d" c what got d
    | ComponentCountMismatch (c, what, k, got) -> sprintf "case '%s': %s has %d components but the model has K = %d" c what got k
    | BadWeights (c, why) -> sprintf "case '%s': mixture weights %s" c why
    | DuplicateName (what, n) -> sprintf "two %ss are named '%s': names must be unique" what n
    | UnknownFitInExpectation (f, known) -> sprintf "an expectation names fit '%s', which no case has (fits: %s)" f (String.Join(", ", known))
    | UnknownCaseInExpectation (c, known) -> sprintf "an expectation names case '%s', which the experiment does not have (cases: %s)" c (String.Join(", ", known))
    | NeedsTrueMixture (c, m) -> sprintf "case '%s': metric %s needs data drawn from a known mixture, not given points" c m
    | UnknownOverride (k, Some s) -> sprintf "unknown parameter '%s': did you mean '%s'?" k s
    | UnknownOverride (k, None) -> sprintf "unknown parameter '%s' (see `describe` for the parameters)" k
    | BadOverrideValue (k, v, exp) -> sprintf "parameter '%s': cannot use '%s', expected %s" k v exp
    | BadSetting (what, why) -> sprintf "%s: %s" what why
    | EmptyStudy (s, what) -> sprintf "study '%s' has no %s: give at least one" s what
    | NonPositiveStudySetting (s, what, v) -> sprintf "study '%s': %s must be > 0, got %g" s what v
    | EvenQuadraturePoints (s, n) -> sprintf "study '%s': Simpson's rule needs an odd number of grid points (>= 3), got %d: use %d" s n (max 3 (n + 1))
    | EmptyInterval (s, lo, hi) -> sprintf "study '%s': the grid [%g, %g] is empty: give lo < hi" s lo hi
    | PixelOutsideMap (s, r, c, h, w) -> sprintf "study '%s': output pixel (%d, %d) is outside the %dx%d map: rows are 1..%d and columns 1..%d (1-based, as in the seed)" s r c h w h w
    | NonStationaryAr (s, phi) -> sprintf "study '%s': the AR coefficients [%s] are not stationary (a root of 1 - sum phi_i z^i lies on or inside the unit circle): the series would explode" s (String.Join("; ", phi |> List.map (sprintf "%g")))
    | OrderTooLong (s, p, t) -> sprintf "study '%s': a series of length %d is too short for order p = %d: need T > 2p" s t p
    | ShapeMismatch (c, net, i, layer, why) -> sprintf "case '%s': %s layer %d (%s): %s" c net i layer why
    | NotAccepted (c, f, family, what, ok) -> sprintf "case '%s', fit '%s': a %s model has no %s; it accepts: %s" c f family what (String.Join(", ", ok))
    | NonFinite (what, v) -> sprintf "%s must be a finite number, got %g" what v

// ---- validation ----

/// MNIST split sizes (the IDX files hold 60,000 training and 10,000 test images).
let mnistCount (m: MnistSpec) =
    let whole =
        match m.Split with
        | Train -> 60000 - m.ValidSize
        | Valid -> m.ValidSize
        | Test -> 10000
    match m.Subset with
    | Some n -> min n whole
    | None -> whole

/// WikiText-2's token counts per split (the PyTorch word-language-model tokenisation, checked by the loader's tests).
let wikiTextTokens (split: Split) =
    match split with
    | Train -> 2088628
    | Valid -> 217646
    | Test -> 245569

/// Tokens of a WikiText-2 split after the subsets.
let wikiTextCount (w: WikiTextSpec) (split: Split) =
    let whole = wikiTextTokens split
    let sub = if split = w.Split then w.Subset else w.EvalSubset
    match sub with
    | Some n -> min n whole
    | None -> whole

/// (N, shape of one example) of a data source, when it can be known without reading anything.
let dataShape (d: DataSpec) : int * int list option =
    match d with
    | MixtureSample s ->
        let dim =
            match s.Source with
            | Cse599iP7 | Ring _ -> Some 2
            | Custom (_, means) -> means |> List.tryHead |> Option.map List.length
        s.N, dim |> Option.map (fun d -> [ d ])
    | Points rows -> rows.Length, rows |> List.tryHead |> Option.map (fun r -> [ r.Length ])
    | Mnist m ->
        let side = 28 + 2 * m.Pad
        mnistCount m, Some(if m.AsImages then [ 1; side; side ] else [ side * side ])
    | WikiText2 w -> max 0 ((wikiTextCount w w.Split - 1) / max 1 w.Context), Some [ w.Context + 1 ]
    | DataFile f ->
        // The file is read (once, cached) so that its shape and its faults are known before a run starts.
        match DataFiles.load f with
        | Ok l -> (let n, _, _ = DataFiles.splitSizes f l.Rows in n), Some [ l.Dim ]
        | Error _ -> 0, None

let private checkData (c: Case) =
    let label = c.Label
    [ match c.Data with
      | Points rows ->
          if rows.IsEmpty then EmptyData label
          match rows with
          | first :: _ ->
              for i, r in List.indexed rows do
                  if r.Length <> first.Length then RaggedData(label, i, first.Length, r.Length)
          | [] -> ()
      | MixtureSample s ->
          if s.N <= 0 then EmptyData label
          match s.Source with
          | Cse599iP7 -> ()
          | Ring (k, r) ->
              if k < 1 then ZeroComponents(label, k)
          | Custom (w, means) ->
              if means.IsEmpty then ZeroComponents(label, 0)
              if w.Length <> means.Length then ComponentCountMismatch(label, "the weights", means.Length, w.Length)
              if w |> List.exists (fun x -> x < 0.0) then BadWeights(label, "must be >= 0")
              elif not w.IsEmpty && abs (List.sum w - 1.0) > 1e-6 then BadWeights(label, sprintf "must sum to 1, they sum to %g" (List.sum w))
              match means with
              | first :: _ ->
                  for r in means do
                      if r.Length <> first.Length then DimensionMismatch(label, "a true mean", first.Length, r.Length)
              | [] -> ()
      | Mnist m ->
          let where = sprintf "case '%s'" label
          if m.ValidSize < 0 || m.ValidSize >= 60000 then BadSetting(where, sprintf "MNIST's validation size must be in 0..59999, got %d" m.ValidSize)
          if m.Split = Valid && m.ValidSize = 0 then BadSetting(where, "the validation split is empty (ValidSize = 0): train on Train or Test, or keep a validation split")
          for sub in [ m.Subset; m.EvalSubset ] do
              match sub with
              | Some n when n < 1 -> BadSetting(where, sprintf "an MNIST subset needs n >= 1, got %d" n)
              | _ -> ()
          if m.Pad < 0 then BadSetting(where, sprintf "the padding must be >= 0, got %d" m.Pad)
      | WikiText2 w ->
          let where = sprintf "case '%s'" label
          if w.Context < 1 then BadSetting(where, sprintf "the context must be >= 1 token, got %d" w.Context)
          for sub in [ w.Subset; w.EvalSubset ] do
              match sub with
              | Some n when n < 2 -> BadSetting(where, sprintf "a token subset needs n >= 2, got %d" n)
              | _ -> ()
          if w.Context >= 1 && wikiTextCount w w.Split <= w.Context then
              BadSetting(where, sprintf "the training split has %d tokens, fewer than one window of %d + 1" (wikiTextCount w w.Split) w.Context)
      | DataFile f ->
          let where = sprintf "case '%s'" label
          match DataFiles.load f with
          | Error m -> BadSetting(where, m)
          | Ok l ->
              if not (f.ValidFraction >= 0.0 && f.TestFraction >= 0.0 && f.ValidFraction + f.TestFraction < 1.0) then
                  BadSetting(where, sprintf "the held-out fractions must be >= 0 and leave rows to train on, got valid %g and test %g" f.ValidFraction f.TestFraction)
              else
                  let n, _, _ = DataFiles.splitSizes f l.Rows
                  if n < 1 then BadSetting(where, sprintf "data file '%s' leaves no training rows (%d rows in all)" f.Path l.Rows)
          if not (f.Scale > 0.0) then BadSetting(where, sprintf "the scale must be > 0, got %g" f.Scale)
          match f.Subset with
          | Some n when n < 1 -> BadSetting(where, sprintf "a subset needs n >= 1, got %d" n)
          | _ -> () ]

let private checkNet (label: string) (name: string) (layers: Layer list) (input: int list) (want: int list) =
    match netOutput layers input with
    | Error (i, why) -> [ ShapeMismatch(label, name, i, layerText layers.[i], why) ]
    | Ok o when o <> want ->
        let i = layers.Length - 1
        [ ShapeMismatch(label, name, i, (if i >= 0 then layerText layers.[i] else "none"),
                        sprintf "the %s turns %s into %s, but %s is needed" name (shapeText input) (shapeText o) (shapeText want)) ]
    | Ok _ -> []

/// A family's name and the fitters/objectives it accepts, in the words of the error messages.
let familyName (m: ModelSpec) =
    match m with
    | Gmm _ -> "Gaussian mixture"
    | Bmm _ -> "Bernoulli mixture"
    | Vae _ -> "VAE"
    | Nice _ -> "NICE"
    | TransformerLm _ -> "Transformer LM"
    | Kde _ -> "kernel density"
    | Ebm _ -> "energy-based"
    | Gan _ -> "GAN"
    | UserModel m -> sprintf "'%s' (a model written in the script)" m.Name

/// A model written in the script, built for the data's shape and run on a batch of two zero examples (nothing is
/// trained): its errors and its output's shape are check errors.
let private checkUserModel (where: string) (m: CustomModel) (shape: int list option) =
    [ let fields = Microsoft.FSharp.Reflection.FSharpType.IsRecord(m.HyperType)
      if not fields then BadSetting(where, sprintf "model '%s': its hyperparameters must be an F# record (describe prints them, --set changes them), got %s" m.Name m.HyperType.Name)
      elif Microsoft.FSharp.Reflection.FSharpType.GetRecordFields(m.HyperType) |> Array.exists (fun p -> p.Name = "Name" || p.Name = "Kind") then
          BadSetting(where, sprintf "model '%s': a hyperparameter may not be called Name or Kind (they name the model in describe)" m.Name)
      match shape with
      | None -> ()
      | Some s when fields ->
          let outcome =
              try
                  use g = new GenDsl.Torch.Generator(0UL)
                  use _s = GenDsl.Torch.Scope.Begin()
                  let parts = m.Build m.Hyperparameters s g
                  use _m = parts.Module
                  match parts.LogProb, parts.Loss with
                  | None, None -> Some "its build gives neither a log-likelihood nor a loss: use Parts.density or Parts.loss"
                  | Some lp, _ ->
                      let x = GenDsl.Torch.Torch.Zeros(Array.ofList (2L :: List.map int64 s))
                      let y = lp x
                      if y.Shape <> [| 2L |] then Some(sprintf "its log-likelihood of a batch (2, %s) has shape (%s); it must give one number per example, (2)" (String.Join(", ", s)) (String.Join(", ", y.Shape)))
                      else None
                  | None, Some _ -> None
              with ex -> Some(sprintf "building it for examples of shape %s failed: %s" (shapeText s) ex.Message)
          match outcome with
          | Some why -> BadSetting(where, sprintf "model '%s': %s" m.Name why)
          | None -> ()
      | Some _ -> () ]

/// What a data source holds, in the words of the pairing errors: real vectors, binary images, tokens.
let private holds (d: DataSpec) =
    match d with
    | MixtureSample _ | Points _ | DataFile _ -> "real vectors"
    | Mnist { Pixels = StaticBinary | DynamicBinary } -> "binary images"
    | Mnist _ -> "8-bit images"
    | WikiText2 _ -> "token sequences"

let private checkModel (c: Case) =
    let label = c.Label
    let where = sprintf "case '%s'" label
    let n, shape = dataShape c.Data
    let binary = match c.Data with Mnist { Pixels = StaticBinary } -> true | _ -> false
    // Pairing by shape: a family says what it models, the data what it holds.
    let refuse (takes: string) = [ BadSetting(where, sprintf "a %s model takes %s; this data holds %s" (familyName c.Model) takes (holds c.Data)) ]
    let vectorsOnly = "real vectors (Data.ring, Data.sample, Data.points, Data.npy, Data.csv, Data.mnist)"
    let hasValid =
        match c.Data with
        | MixtureSample _ -> true
        | Mnist m -> m.ValidSize > 0
        | DataFile f -> f.ValidFraction > 0.0
        | Points _ | WikiText2 _ -> false
    let pairing =
        match c.Model, c.Data with
        | (Gmm _ | Kde _ | Vae _ | Nice _ | UserModel _ | Ebm { Proposal = KdeProposal }), (MixtureSample _ | Points _ | DataFile _ | Mnist _) -> []
        | Ebm { Proposal = TrueMixture }, MixtureSample _ -> []
        | Ebm { Proposal = TrueMixture }, (Points _ | DataFile _ | Mnist _) -> [ BadSetting(where, "the proposal TrueMixture needs data drawn from a known mixture: use Model.proposal KdeProposal") ]
        | Gan _, MixtureSample _ -> []
        | Gan _, (Points _ | DataFile _ | Mnist _) -> [ BadSetting(where, "a GAN's mode coverage and sample NLL need data drawn from a known mixture (Data.ring, Data.sample)") ]
        | Bmm _, Mnist _ -> []
        | Bmm _, (MixtureSample _ | Points _ | DataFile _) -> refuse "binary images (Data.mnist |> Data.binarized)"
        | TransformerLm _, WikiText2 _ -> []
        | TransformerLm _, (MixtureSample _ | Points _ | DataFile _ | Mnist _) -> refuse "token sequences (Data.wikiText2 150)"
        | (Gmm _ | Kde _ | Vae _ | Nice _ | UserModel _ | Ebm _ | Gan _ | Bmm _), WikiText2 _ -> refuse vectorsOnly
    let pairing =
        pairing @
        match c.Model, c.Data with
        | Kde { Bandwidth = ValidationGrid _ }, _ when not hasValid ->
            [ BadSetting(where, "a validation grid needs a validation split (a mixture sample, MNIST, or Data.holdout on a file): use Scott, Silverman or FixedBandwidth") ]
        | Vae { Likelihood = BernoulliPixels }, (MixtureSample _ | Points _) ->
            [ BadSetting(where, "a Bernoulli decoder models pixels in [0, 1], not points: use Model.likelihood (GaussianPixels 0.1)") ]
        | Vae { Likelihood = BernoulliPixels }, DataFile f ->
            match DataFiles.load f with
            | Ok l when l.Values |> Array.exists (fun x -> x < 0.0 || x > 1.0) ->
                [ BadSetting(where, sprintf "a Bernoulli decoder models values in [0, 1], and data file '%s' has others: use Data.scale, or Model.likelihood (GaussianPixels 0.1)" f.Path) ]
            | _ -> []
        | _ -> []
    pairing @
    match c.Model with
    | Gmm g ->
        [ if g.K < 1 then ZeroComponents(label, g.K)
          elif n > 0 && n < g.K then FewerPointsThanComponents(label, n, g.K)
          if g.NInit < 1 then BadSetting(where, sprintf "NInit must be >= 1, got %d" g.NInit)
          if g.RegCovar < 0.0 then BadSetting(where, sprintf "RegCovar must be >= 0, got %g" g.RegCovar)
          match shape with
          | Some s when s.Length <> 1 -> BadSetting(where, sprintf "a Gaussian mixture needs flat data, got examples of shape %s" (shapeText s))
          | _ -> ()
          match g.Start with
          | StartMeans means ->
              if g.K >= 1 && means.Length <> g.K then ComponentCountMismatch(label, "the starting means", g.K, means.Length)
              match shape with
              | Some [ d ] ->
                  for r in means do
                      if r.Length <> d then DimensionMismatch(label, "a starting mean", d, r.Length)
              | _ -> ()
          | RandomPoints | KMeansPlusPlus -> () ]
    | Bmm b ->
        [ if b.K < 1 then ZeroComponents(label, b.K)
          elif n > 0 && n < b.K then FewerPointsThanComponents(label, n, b.K)
          if not (b.Alpha1 >= 0.0) || not (b.Alpha2 >= 0.0) then BadSetting(where, sprintf "the smoothing alphas must be >= 0, got %g and %g" b.Alpha1 b.Alpha2)
          if not binary then BadSetting(where, "a Bernoulli mixture needs binary data: use Data.mnist |> Data.binarized")
          match shape with
          | Some s when s.Length <> 1 -> BadSetting(where, sprintf "a Bernoulli mixture needs flat images, got %s (drop Data.images)" (shapeText s))
          | _ -> () ]
    | Vae v ->
        [ if v.Latent.IsEmpty || v.Latent |> List.exists (fun x -> x < 1) then BadSetting(where, sprintf "the latent shape needs positive sizes, got %s" (shapeText v.Latent))
          else
              match shape with
              | Some s ->
                  let doubled = (2 * v.Latent.Head) :: v.Latent.Tail
                  yield! checkNet label "encoder" v.Encoder s doubled
                  yield! checkNet label "decoder" v.Decoder v.Latent s
              | None -> ()
          match v.Likelihood with
          | GaussianPixels sigma when not (sigma > 0.0) -> BadSetting(where, sprintf "the decoder's sigma must be > 0, got %g" sigma)
          | _ -> () ]
    | Kde k ->
        [ match k.Bandwidth with
          | FixedBandwidth h -> if not (h > 0.0) then BadSetting(where, sprintf "the bandwidth must be > 0, got %g" h)
          | ValidationGrid (lo, hi, n) -> if not (lo > 0.0 && hi > lo && n >= 2) then BadSetting(where, sprintf "a bandwidth grid needs 0 < lo < hi and >= 2 points, got [%g, %g] with %d" lo hi n)
          | Scott | Silverman -> ()
          match shape with
          | Some s when s.Length <> 1 -> BadSetting(where, "a KDE needs flat points")
          | _ -> () ]
    | Ebm m ->
        [ if m.Hidden < 1 || m.HiddenLayers < 1 then BadSetting(where, sprintf "the energy network needs >= 1 hidden layer of >= 1 unit, got %d x %d" m.HiddenLayers m.Hidden)
          if m.Samples < 2 then BadSetting(where, sprintf "importance sampling needs M >= 2 samples, got %d" m.Samples)
          match m.BaseScale with
          | Some b when not (b > 0.0) -> BadSetting(where, sprintf "the base scale must be > 0, got %g" b)
          | _ -> () ]
    | Gan g ->
        [ if g.Hidden < 1 || g.HiddenLayers < 1 || g.Latent < 1 then BadSetting(where, sprintf "the GAN's networks need >= 1 hidden layer of >= 1 unit and a latent size >= 1, got %d x %d and %d" g.HiddenLayers g.Hidden g.Latent)
          if g.DiscriminatorSteps < 1 then BadSetting(where, sprintf "the discriminator needs >= 1 step per generator step, got %d" g.DiscriminatorSteps)
          if g.SnapshotEvery < 0 then BadSetting(where, sprintf "SnapshotEvery must be >= 0, got %d" g.SnapshotEvery) ]
    | TransformerLm l ->
        [ if l.Layers < 1 || l.Heads < 1 || l.HeadDim < 1 || l.Width < 1 || l.FeedForward < 1 then
              BadSetting(where, sprintf "layers, heads, head size, width and feed-forward must be >= 1, got %d, %d, %d, %d, %d" l.Layers l.Heads l.HeadDim l.Width l.FeedForward)
          for what, p in [ "dropout", l.Dropout; "embedding dropout", l.EmbeddingDropout ] do
              if not (p >= 0.0 && p < 1.0) then BadSetting(where, sprintf "the %s must be in [0, 1), got %g" what p) ]
    | Nice m ->
        [ if m.Couplings < 1 then BadSetting(where, sprintf "NICE needs >= 1 coupling layer, got %d" m.Couplings)
          if m.Hidden < 1 || m.HiddenLayers < 1 then BadSetting(where, sprintf "each coupling MLP needs >= 1 hidden layer of >= 1 unit, got %d x %d" m.HiddenLayers m.Hidden)
          match shape with
          | Some [ d ] when d < 2 -> BadSetting(where, "NICE needs at least 2 dimensions to split into halves")
          | Some s when s.Length <> 1 -> BadSetting(where, sprintf "NICE needs flat data, got examples of shape %s (drop Data.images)" (shapeText s))
          | _ -> () ]
    | UserModel m -> checkUserModel where m shape

/// What each family accepts: EM or gradient fits, and which objectives.
let private checkFitForFamily (c: Case) (f: FitSpec) =
    let fam = familyName c.Model
    let no what ok = NotAccepted(c.Label, f.Name, fam, what, ok)
    let objName o = match o with MaxLikelihood -> "maximum likelihood" | Elbo -> "ELBO" | Iwae k -> sprintf "IWAE-%d" k
    [ match c.Model, f.Fitter with
      | Gmm _, Em _ -> ()
      | Gmm _, Gradient t ->
          match t.Optimizer with
          | Sgd s when s.Momentum = 0.0 && not s.Nesterov && s.WeightDecay = 0.0 -> ()
          | _ -> no "optimizer other than plain gradient steps" [ "Fit.gd"; "Fit.sgd"; "Fit.em" ]
          if t.Schedule <> Constant then no "learning-rate schedule" [ "Constant" ]
          if t.Objective <> MaxLikelihood then no (objName t.Objective) [ "maximum likelihood" ]
          // EvalEvery 0 (Fit.train's default) evaluates at the end only, as for every gradient fit.
          // Settings the mixture's own gradient fitter does not read (its SGD draws batches with replacement); Fit.train's
          // default checkpoint interval (500) is not blamed: the user did not write it.
          let unused =
              [ if t.ClipNorm.IsSome then "clip_norm"
                if not t.EvalOn.IsEmpty then "eval_on"
                if t.KeepBest then "keep_best"
                if t.EarlyStop.IsSome then "early_stop"
                if t.CheckpointEvery <> 0 && t.CheckpointEvery <> 500 then "checkpoint_every"
                if not t.Shuffle then "shuffle" ]
          for u in unused do
              BadSetting(sprintf "case '%s', fit '%s'" c.Label f.Name, sprintf "%s does nothing in a Gaussian mixture's gradient fit: remove it" u)
      | Bmm _, Em _ -> ()
      | Bmm _, Gradient _ -> no "gradient fit" [ "Fit.em" ]
      | Vae _, Em _ -> no "EM fit (its posterior has no closed form)" [ "gradient fits with Elbo or Iwae k" ]
      | Vae _, Gradient t -> if t.Objective = MaxLikelihood then no "exact likelihood to maximise" [ "Fit.objective Elbo"; "Fit.objective (Iwae k)" ]
      | Nice _, Em _ -> no "EM fit" [ "gradient fits with MaxLikelihood" ]
      | Nice _, Gradient t -> if t.Objective <> MaxLikelihood then no (objName t.Objective) [ "maximum likelihood (its likelihood is exact)" ]
      | Kde _, ClosedForm -> ()
      | Kde _, _ -> no "fit other than its closed form" [ "Fit.closedForm" ]
      | (Ebm _ | Gan _), Gradient t -> if t.Objective <> MaxLikelihood then no (objName t.Objective) [ "maximum likelihood (the default objective)" ]
      | (Ebm _ | Gan _), _ -> no "EM or closed-form fit" [ "gradient fits (Fit.adam, Fit.train)" ]
      | (Gmm _ | Bmm _ | Vae _ | Nice _ | TransformerLm _), ClosedForm -> no "closed-form fit" [ "its EM or gradient fits" ]
      | TransformerLm _, Em _ -> no "EM fit" [ "gradient fits with MaxLikelihood" ]
      | TransformerLm _, Gradient t -> if t.Objective <> MaxLikelihood then no (objName t.Objective) [ "maximum likelihood (cross-entropy)" ]
      | UserModel _, (Em _ | ClosedForm) -> no "EM or closed-form fit" [ "gradient fits (Fit.adam, Fit.train)" ]
      | UserModel _, Gradient t -> if t.Objective <> MaxLikelihood then no (objName t.Objective) [ "maximum likelihood (the model's own log-likelihood or loss)" ]
      match c.Model, f.Fitter with
      | (Vae _ | Nice _ | UserModel _), Gradient t when t.Tol <> 0.0 ->
          BadSetting(sprintf "case '%s', fit '%s'" c.Label f.Name, sprintf "tol does nothing in a %s's training (it stops Gaussian-mixture gradient fits): remove it, or stop early with early_stop" fam)
      | _ -> () ]

let private checkFit (label: string) (n: int) (f: FitSpec) =
    [ match f.Fitter with
      | ClosedForm -> ()
      | Em e ->
          if e.Iterations < 1 then NonPositiveSteps(label, f.Name, e.Iterations)
          if e.Tol < 0.0 then NegativeTolerance(label, f.Name, e.Tol)
      | Gradient t ->
          let lr = match t.Optimizer with Sgd s -> s.Lr | Adam a | AdamW a -> a.Lr
          if not (lr > 0.0) then NonPositiveLearningRate(label, f.Name, lr)
          match t.Optimizer with
          | Sgd s -> if s.Momentum < 0.0 || s.WeightDecay < 0.0 then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, "momentum and weight decay must be >= 0")
          | Adam a | AdamW a ->
              if not (a.Beta1 >= 0.0 && a.Beta1 < 1.0 && a.Beta2 >= 0.0 && a.Beta2 < 1.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "Adam's betas must be in [0, 1), got %g and %g" a.Beta1 a.Beta2)
              if not (a.Eps > 0.0) || a.WeightDecay < 0.0 then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, "eps must be > 0 and weight decay >= 0")
          match t.Budget with
          | Steps s | Epochs s -> if s < 1 then NonPositiveSteps(label, f.Name, s)
          match t.Batch with
          | Some b when b < 1 -> NonPositiveBatch(label, f.Name, b)
          | Some b when n > 0 && b > n -> BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "the batch (%d) is larger than the data (%d examples): use Fit.batch %d or fewer" b n n)
          | _ -> ()
          if t.EvalEvery < 0 then NonPositiveEvalEvery(label, f.Name, t.EvalEvery)
          if t.Tol < 0.0 then NegativeTolerance(label, f.Name, t.Tol)
          match t.ClipNorm with
          | Some c when not (c > 0.0) -> BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "the clipping norm must be > 0, got %g" c)
          | _ -> ()
          match t.Objective with
          | Iwae k when k < 1 -> BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "IWAE needs K >= 1 samples, got %d" k)
          | _ -> ()
          if t.KeepBest && t.EvalOn.IsEmpty then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, "keep-best needs a split to evaluate on: add Fit.evalOn [ Valid ]")
          match t.EarlyStop with
          | Some p when p < 1 -> BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "early-stop patience must be >= 1, got %d" p)
          | Some _ when t.EvalOn.IsEmpty -> BadSetting(sprintf "case '%s', fit '%s'" label f.Name, "early stopping needs a split to evaluate on: add Fit.evalOn [ Valid ]")
          | _ -> ()
          if t.CheckpointEvery < 0 then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "CheckpointEvery must be >= 0, got %d" t.CheckpointEvery)
          let rec sched s =
              [ match s with
                | Constant -> ()
                | StepDecay (every, gamma) -> if every < 1 || not (gamma > 0.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "a step schedule needs every >= 1 and gamma > 0, got %d and %g" every gamma)
                | Cosine floor -> if not (floor >= 0.0 && floor <= 1.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "the cosine floor is a fraction of lr in [0, 1], got %g" floor)
                | Warmup (steps, after) ->
                    if steps < 1 then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "warm-up needs >= 1 step, got %d" steps)
                    yield! sched after
                | Hold (steps, factor, after) ->
                    if steps < 1 || not (factor > 0.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "a hold needs >= 1 step and a factor > 0, got %d and %g" steps factor)
                    yield! sched after ]
          yield! sched t.Schedule
          for s in t.EvalOn do
              match s with
              | Train -> ()
              | Valid | Test -> () ]

// ---- names: they name the run's folders and files ----

/// The longest name: a checkpoint is named <case>_<fit>.pt, and a file name has at most 255 bytes.
let maxNameLength = 64

/// Why a name cannot name a folder or file of a run, if it cannot: letters, digits, '-', '_', '.' and '=' only, not
/// empty, not "." or ".." alone, at most maxNameLength characters.
let nameProblem (name: string) : string option =
    let ok (ch: char) = Char.IsLetterOrDigit ch || ch = '-' || ch = '_' || ch = '.' || ch = '='
    if isNull name || name = "" then Some "it is empty"
    elif name = "." || name = ".." then Some(sprintf "'%s' alone names a folder above or at the run's" name)
    elif name.Length > maxNameLength then Some(sprintf "it has %d characters, more than %d" name.Length maxNameLength)
    else
        match name |> Seq.tryFindIndex (ok >> not) with
        | Some i ->
            let ch = name.[i]
            let shown = if Char.IsControl ch || Char.IsWhiteSpace ch then sprintf "U+%04X" (int ch) else sprintf "'%c'" ch
            Some(sprintf "%s at position %d is not allowed" shown (i + 1))
        | None -> None

let private checkName (what: string) (name: string) =
    [ match nameProblem name with
      | Some why ->
          BadSetting(sprintf "%s '%s'" what name,
                     sprintf "%s: a name may hold only letters, digits, '-', '_', '.' and '=' (no '/', '\\' or spaces), must not be empty or '.' or '..' alone, and names the run's folders and files" why)
      | None -> () ]

/// Every name that becomes part of a path: the experiment's, each case's, fit's and study's.
let private checkNames (e: Experiment) =
    [ yield! checkName "experiment name" e.Name
      for c in e.Cases do
          yield! checkName "case label" c.Label
          for f in c.Fits do yield! checkName (sprintf "case '%s': fit name" c.Label) f.Name
      for s in e.Studies do yield! checkName "study label" s.Label ]

let private checkCase (c: Case) =
    let n, _ = dataShape c.Data
    [ yield! checkData c
      yield! checkModel c
      if c.Fits.IsEmpty then NoFits c.Label
      for f in c.Fits do
          yield! checkFit c.Label n f
          yield! checkFitForFamily c f
      yield! StudyCommon.duplicates "fit" (c.Fits |> List.map (fun f -> f.Name)) ]

/// Every number of the experiment that is NaN or infinite, by its describe path.
let private nonFinite (e: Experiment) =
    Tree.leaves (Tree.toNode e)
    |> List.choose (fun l ->
        match l.Node with
        | :? System.Text.Json.Nodes.JsonValue as v when v.GetValueKind() = System.Text.Json.JsonValueKind.String ->
            match v.GetValue<string>() with
            | "nan" -> Some(NonFinite(Tree.pathText l.Path, nan))
            | "inf" -> Some(NonFinite(Tree.pathText l.Path, infinity))
            | "-inf" -> Some(NonFinite(Tree.pathText l.Path, -infinity))
            | _ -> None
        | _ -> None)

let private pointsNonFinite (c: Case) =
    [ match c.Data with
      | Points rows ->
          match rows |> List.indexed |> List.tryPick (fun (i, r) -> r |> List.tryFind (Double.IsFinite >> not) |> Option.map (fun x -> i, x)) with
          | Some (i, x) -> NonFinite(sprintf "case '%s': data row %d" c.Label i, x)
          | None -> ()
      | _ -> () ]

/// Every error in the experiment (empty: it can run).
let errors (e: Experiment) : DslError list =
    [ if e.Cases.IsEmpty && e.Studies.IsEmpty then NoCases e.Name
      yield! checkNames e
      yield! nonFinite e
      yield! StudyCommon.duplicates "case" (e.Cases |> List.map (fun c -> c.Label))
      yield! StudyCommon.duplicates "study" (e.Studies |> List.map (fun s -> s.Label))
      for s in e.Studies do yield! Studies.check s
      for c in e.Cases do
          yield! checkCase c
          yield! pointsNonFinite c
          let known = match c.Data with MixtureSample _ -> true | Points _ | Mnist _ | WikiText2 _ | DataFile _ -> false
          for m in e.Metrics do
              match m, c.Model with
              | (TrueNll | MeanError | WeightError), _ when not known -> NeedsTrueMixture(c.Label, sprintf "%A" m)
              | (NegElbo | NegIwae _), (Gmm _ | Bmm _ | Nice _ | TransformerLm _ | UserModel _) -> ()   // reported as n/a for exact-likelihood models
              | _ -> ()
      let fitNames = e.Cases |> List.collect (fun c -> c.Fits |> List.map (fun f -> f.Name)) |> List.distinct
      let caseNames = e.Cases |> List.map (fun c -> c.Label)
      for x in e.Expectations do
          match x.Fit with
          | Some f when not (List.contains f fitNames) -> UnknownFitInExpectation(f, fitNames)
          | _ -> ()
          match x.Case with
          | Some c when not (List.contains c caseNames) -> UnknownCaseInExpectation(c, caseNames)
          | _ -> () ]

/// Experiment -> Plan, or every error found (nothing is trained or read).
let plan (e: Experiment) : Result<Plan, DslError list> =
    match errors e with
    | [] ->
        let cases =
            e.Cases |> List.map (fun c ->
                let n, shape = dataShape c.Data
                let s = defaultArg shape []
                { Case = c; N = n; Dim = (if s.IsEmpty then 0 else List.fold (*) 1 s); Shape = s })
        Ok { Experiment = e; Cases = cases }
    | errs -> Error errs

