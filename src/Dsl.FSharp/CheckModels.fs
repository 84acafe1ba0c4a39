/// CheckModels.fs: pure checks per model family — names in messages, pairing by shape (what data a family takes),
/// each family's settings and networks, a script model built on one batch, and the fitters/objectives each accepts.
module GenDsl.Dsl.CheckModels

open System
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.CheckData

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

let checkModel (c: Case) =
    let label = c.Label
    let where = sprintf "case '%s'" label
    let n, shape = dataShape c.Data
    let binary = match c.Data with Mnist { Pixels = StaticBinary | DynamicBinary } -> true | _ -> false
    // Pairing by shape: a family says what it models, the data what it holds.
    let refuse (takes: string) = [ BadSetting(where, sprintf "a %s model takes %s; this data holds %s" (familyName c.Model) takes (CheckData.holds c.Data)) ]
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
        | TransformerLm _, (MixtureSample _ | Points _ | DataFile _ | Mnist _) -> refuse "token sequences (Data.wikiText2 150, Data.textCorpus train valid test 150)"
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
let checkFitForFamily (c: Case) (f: FitSpec) =
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
