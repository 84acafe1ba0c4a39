/// Check.fs: pure validation (Experiment -> Result<Plan, DslError list>) and `--set key=value` overrides.
module GenDsl.Dsl.Check

open System
open System.Globalization

/// A sentence saying what is wrong and how to fix it.
let message (e: DslError) =
    match e with
    | NoCases x -> sprintf "experiment '%s' has no cases and no studies: add one with Experiment.withCase or Experiment.withStudy" x
    | NoFits c -> sprintf "case '%s' has no fits: give at least one of Fit.gd, Fit.sgd, Fit.em" c
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

// ---- validation ----

let private dataShape (d: DataSpec) : int * int option =
    match d with
    | MixtureSample s ->
        let dim =
            match s.Source with
            | Cse599iP7 | Ring _ -> Some 2
            | Custom (_, means) -> means |> List.tryHead |> Option.map List.length
        s.N, dim
    | Points rows -> rows.Length, rows |> List.tryHead |> Option.map List.length

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
              if not (Double.IsFinite r) then BadSetting(sprintf "case '%s'" label, sprintf "ring radius must be finite, got %g" r)
          | Custom (w, means) ->
              if means.IsEmpty then ZeroComponents(label, 0)
              if w.Length <> means.Length then ComponentCountMismatch(label, "the weights", means.Length, w.Length)
              if w |> List.exists (fun x -> x < 0.0) then BadWeights(label, "must be >= 0")
              elif not w.IsEmpty && abs (List.sum w - 1.0) > 1e-6 then BadWeights(label, sprintf "must sum to 1, they sum to %g" (List.sum w))
              match means with
              | first :: _ ->
                  for r in means do
                      if r.Length <> first.Length then DimensionMismatch(label, "a true mean", first.Length, r.Length)
              | [] -> () ]

let private checkModel (c: Case) =
    let label = c.Label
    let n, dim = dataShape c.Data
    match c.Model with
    | Gmm g ->
        [ if g.K < 1 then ZeroComponents(label, g.K)
          elif n > 0 && n < g.K then FewerPointsThanComponents(label, n, g.K)
          if g.NInit < 1 then BadSetting(sprintf "case '%s'" label, sprintf "NInit must be >= 1, got %d" g.NInit)
          if g.RegCovar < 0.0 then BadSetting(sprintf "case '%s'" label, sprintf "RegCovar must be >= 0, got %g" g.RegCovar)
          match g.Start with
          | StartMeans means ->
              if g.K >= 1 && means.Length <> g.K then ComponentCountMismatch(label, "the starting means", g.K, means.Length)
              match dim with
              | Some d ->
                  for r in means do
                      if r.Length <> d then DimensionMismatch(label, "a starting mean", d, r.Length)
              | None -> ()
          | RandomPoints | KMeansPlusPlus -> () ]

let private checkFit (label: string) (f: FitSpec) =
    [ match f.Method with
      | GradientAscent | Sgd -> if not (f.LearningRate > 0.0) then NonPositiveLearningRate(label, f.Name, f.LearningRate)
      | Em -> ()
      if f.Steps < 1 then NonPositiveSteps(label, f.Name, f.Steps)
      if f.BatchSize < 1 then NonPositiveBatch(label, f.Name, f.BatchSize)
      if f.EvalEvery < 1 then NonPositiveEvalEvery(label, f.Name, f.EvalEvery)
      if f.Tol < 0.0 then NegativeTolerance(label, f.Name, f.Tol) ]

let private duplicates what (names: string list) =
    names |> List.countBy id |> List.filter (fun (_, n) -> n > 1) |> List.map (fun (x, _) -> DuplicateName(what, x))

let private checkCase (c: Case) =
    [ yield! checkData c
      yield! checkModel c
      if c.Fits.IsEmpty then NoFits c.Label
      for f in c.Fits do yield! checkFit c.Label f
      yield! duplicates "fit" (c.Fits |> List.map (fun f -> f.Name)) ]

// ---- studies ----

/// Whether x_t = sum_i phi_i x_{t-i} + e_t is stationary: the step-down (Levinson) recursion gives the partial
/// autocorrelations k_j = phi^(j)_j, phi^(j-1)_i = (phi^(j)_i + k_j phi^(j)_{j-i}) / (1 - k_j^2); stationary iff every |k_j| < 1.
let stationary (phi: float list) =
    let rec go (a: float[]) =
        let j = a.Length
        if j = 0 then true
        else
            let k = a.[j - 1]
            if not (abs k < 1.0) then false
            else go (Array.init (j - 1) (fun i -> (a.[i] + k * a.[j - 2 - i]) / (1.0 - k * k)))
    go (List.toArray phi)

let private positive (label: string) (what: string) (v: float) =
    [ if not (v > 0.0) then NonPositiveStudySetting(label, what, v) ]

let private checkStudy (s: Study) =
    let l = s.Label
    match s.Kind with
    | KlAsymmetry k ->
        [ if k.Means.IsEmpty then EmptyStudy(l, "target components")
          if k.Weights.Length <> k.Means.Length then ComponentCountMismatch(l, "the target weights", k.Means.Length, k.Weights.Length)
          if k.Scales.Length <> k.Means.Length then ComponentCountMismatch(l, "the target scales", k.Means.Length, k.Scales.Length)
          if k.Weights |> List.exists (fun w -> w < 0.0) then BadWeights(l, "must be >= 0")
          elif not k.Weights.IsEmpty && abs (List.sum k.Weights - 1.0) > 1e-6 then BadWeights(l, sprintf "must sum to 1, they sum to %g" (List.sum k.Weights))
          for sc in k.Scales do yield! positive l "a target scale" sc
          yield! positive l "the starting sigma" k.StartSigma
          if not (k.LearningRate > 0.0) then NonPositiveLearningRate(l, "kl", k.LearningRate)
          if k.Steps < 1 then NonPositiveSteps(l, "kl", k.Steps)
          if k.GridPoints < 3 || k.GridPoints % 2 = 0 then EvenQuadraturePoints(l, k.GridPoints)
          if not (k.GridLo < k.GridHi) then EmptyInterval(l, k.GridLo, k.GridHi) ]
    | ReceptiveFields r ->
        [ if r.Stacks.IsEmpty then EmptyStudy(l, "mask stacks")
          if r.Stacks |> List.exists List.isEmpty then EmptyStudy(l, "layers in one of its stacks")
          if r.Channels < 1 then NonPositiveStudySetting(l, "the hidden channels", float r.Channels)
          if r.Height < 1 || r.Width < 1 then NonPositiveStudySetting(l, "the map size", float (min r.Height r.Width))
          elif r.Row < 1 || r.Row > r.Height || r.Column < 1 || r.Column > r.Width then PixelOutsideMap(l, r.Row, r.Column, r.Height, r.Width) ]
    | GdaDynamics g ->
        [ if not (g.Alpha > 0.0) then NonPositiveLearningRate(l, "gda", g.Alpha)
          if g.Steps < 1 then NonPositiveSteps(l, "gda", g.Steps)
          if g.Schemes.IsEmpty then EmptyStudy(l, "GDA schemes")
          yield! duplicates "GDA scheme" (g.Schemes |> List.map (sprintf "%A")) ]
    | ChangeOfVariables c ->
        [ if c.Transforms.IsEmpty then EmptyStudy(l, "transforms")
          if c.N < 1 then NonPositiveStudySetting(l, "the number of samples", float c.N)
          if c.Bins < 1 then NonPositiveStudySetting(l, "the number of bins", float c.Bins)
          for t in c.Transforms do
              match t with
              | ReciprocalCauchy range -> yield! positive l "the Cauchy histogram range" range
              | ExpNormal (_, sigma) -> yield! positive l "the sigma of Y" sigma
              | DistanceFromCentre -> ()
          yield! duplicates "transform" (c.Transforms |> List.map (fun t -> match t with ReciprocalCauchy _ -> "1/Cauchy" | ExpNormal _ -> "e^Y" | DistanceFromCentre -> "distance")) ]
    | ArFit a ->
        [ if a.Phi.IsEmpty then EmptyStudy(l, "true coefficients")
          elif not (stationary a.Phi) then NonStationaryAr(l, a.Phi)
          yield! positive l "sigma^2" a.Sigma2
          if a.Order < 1 then NonPositiveStudySetting(l, "the fitted order", float a.Order)
          elif a.Length <= 2 * max a.Order a.Phi.Length then OrderTooLong(l, max a.Order a.Phi.Length, a.Length) ]

/// Every error in the experiment (empty: it can run).
let errors (e: Experiment) : DslError list =
    [ if e.Cases.IsEmpty && e.Studies.IsEmpty then NoCases e.Name
      yield! duplicates "case" (e.Cases |> List.map (fun c -> c.Label))
      yield! duplicates "study" (e.Studies |> List.map (fun s -> s.Label))
      for s in e.Studies do yield! checkStudy s
      for c in e.Cases do
          yield! checkCase c
          match c.Data with
          | Points _ ->
              for m in e.Metrics do
                  match m with
                  | TrueNll | MeanError | WeightError -> NeedsTrueMixture(c.Label, sprintf "%A" m)
                  | Nll | Aic | Bic -> ()
          | MixtureSample _ -> ()
      let fitNames = e.Cases |> List.collect (fun c -> c.Fits |> List.map (fun f -> f.Name)) |> List.distinct
      for x in e.Expectations do
          match x.Fit with
          | Some f when not (List.contains f fitNames) -> UnknownFitInExpectation(f, fitNames)
          | _ -> () ]

/// Experiment -> Plan, or every error found (nothing is trained or read).
let plan (e: Experiment) : Result<Plan, DslError list> =
    match errors e with
    | [] ->
        let cases =
            e.Cases |> List.map (fun c ->
                let n, dim = dataShape c.Data
                { Case = c; N = n; Dim = defaultArg dim 0 })
        Ok { Experiment = e; Cases = cases }
    | errs -> Error errs

// ---- named parameters and overrides ----

/// Edit distance for did-you-mean: insertions, deletions, substitutions and swaps of neighbours
/// (optimal string alignment), so "sdg" is one edit from "sgd".
let levenshtein (a: string) (b: string) =
    let d = Array2D.init (a.Length + 1) (b.Length + 1) (fun i j -> if i = 0 then j elif j = 0 then i else 0)
    for i in 1 .. a.Length do
        for j in 1 .. b.Length do
            let cost = if a.[i - 1] = b.[j - 1] then 0 else 1
            d.[i, j] <- min (min (d.[i - 1, j] + 1) (d.[i, j - 1] + 1)) (d.[i - 1, j - 1] + cost)
            if i > 1 && j > 1 && a.[i - 1] = b.[j - 2] && a.[i - 2] = b.[j - 1] then
                d.[i, j] <- min d.[i, j] (d.[i - 2, j - 2] + 1)
    d.[a.Length, b.Length]

/// The closest known key, if it is close enough to be a plausible typo.
let suggest (key: string) (known: string list) =
    known
    |> List.map (fun k -> k, levenshtein (key.ToLowerInvariant()) (k.ToLowerInvariant()))
    |> List.sortBy snd
    |> List.tryHead
    |> Option.filter (fun (k, d) -> d <= max 2 (k.Length / 3))
    |> Option.map fst

let private inv (x: float) = x.ToString("R", CultureInfo.InvariantCulture)

/// Every parameter `--set` can change, with its current value (the first case's / fit's where several share a key).
let parameters (e: Experiment) : (string * string) list =
    let first f = e.Cases |> List.tryPick f
    [ "seed", string e.Seed
      match first (fun c -> match c.Data with MixtureSample s -> Some s | Points _ -> None) with
      | Some s ->
          "data.n", string s.N
          "data.stratified", (if s.Stratified then "true" else "false")
          "data.seed", (match s.Seed with Some x -> string x | None -> "none")
      | None -> ()
      match first (fun c -> match c.Data with MixtureSample { Source = Ring (_, r) } -> Some r | _ -> None) with
      | Some r -> "data.radius", inv r
      | None -> ()
      match first (fun c -> match c.Model with Gmm g -> Some g) with
      | Some g ->
          "model.k", string g.K
          "model.covariance", (sprintf "%A" g.Covariance).ToLowerInvariant()
          "model.learn_weights", (if g.LearnWeights then "true" else "false")
          "model.n_init", string g.NInit
          "model.reg_covar", inv g.RegCovar
      | None -> ()
      for st in e.Studies do
          match st.Kind with
          | KlAsymmetry k -> sprintf "study.%s.steps" st.Label, string k.Steps
          | GdaDynamics g -> sprintf "study.%s.steps" st.Label, string g.Steps
          | ChangeOfVariables c -> sprintf "study.%s.n" st.Label, string c.N
          | ArFit a -> sprintf "study.%s.length" st.Label, string a.Length
          | ReceptiveFields _ -> ()
      let fits = e.Cases |> List.collect (fun c -> c.Fits) |> List.distinctBy (fun f -> f.Name)
      for f in fits do
          sprintf "fit.%s.lr" f.Name, inv f.LearningRate
          sprintf "fit.%s.steps" f.Name, string f.Steps
          sprintf "fit.%s.batch" f.Name, string f.BatchSize
          sprintf "fit.%s.tol" f.Name, inv f.Tol
          sprintf "fit.%s.eval_every" f.Name, string f.EvalEvery ]

let private parseInt key (v: string) =
    match Int32.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) with
    | true, x -> Ok x
    | _ -> Error(BadOverrideValue(key, v, "an integer"))

let private parseFloat key (v: string) =
    match Double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, x -> Ok x
    | _ -> Error(BadOverrideValue(key, v, "a number"))

let private parseBool key (v: string) =
    match v.ToLowerInvariant() with
    | "true" | "yes" | "1" -> Ok true
    | "false" | "no" | "0" -> Ok false
    | _ -> Error(BadOverrideValue(key, v, "true or false"))

let private parseSeed key (v: string) =
    match UInt64.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) with
    | true, x -> Ok x
    | _ -> Error(BadOverrideValue(key, v, "a non-negative integer"))

let private mapSamples f (e: Experiment) =
    { e with Cases = e.Cases |> List.map (fun c -> match c.Data with MixtureSample s -> { c with Data = MixtureSample(f s) } | Points _ -> c) }

let private mapGmm f (e: Experiment) =
    { e with Cases = e.Cases |> List.map (fun c -> match c.Model with Gmm g -> { c with Model = Gmm(f g) }) }

let private mapFit name f (e: Experiment) =
    { e with Cases = e.Cases |> List.map (fun c -> { c with Fits = c.Fits |> List.map (fun x -> if x.Name = name then f x else x) }) }

let private applyOne (e: Experiment) (key: string, value: string) : Result<Experiment, DslError> =
    let known = parameters e |> List.map fst
    if not (List.contains key known) then Error(UnknownOverride(key, suggest key known)) else
    let map parse f = parse key value |> Result.map f
    match key.Split('.') |> List.ofArray with
    | [ "seed" ] -> map parseSeed (fun s -> { e with Seed = s })
    | [ "data"; "n" ] -> map parseInt (fun n -> mapSamples (fun s -> { s with N = n }) e)
    | [ "data"; "stratified" ] -> map parseBool (fun b -> mapSamples (fun s -> { s with Stratified = b }) e)
    | [ "data"; "seed" ] ->
        if value = "none" then Ok(mapSamples (fun s -> { s with Seed = None }) e)
        else map parseSeed (fun x -> mapSamples (fun s -> { s with Seed = Some x }) e)
    | [ "data"; "radius" ] ->
        map parseFloat (fun r -> mapSamples (fun s -> match s.Source with Ring (k, _) -> { s with Source = Ring(k, r) } | _ -> s) e)
    | [ "model"; "k" ] -> map parseInt (fun k -> mapGmm (fun g -> { g with K = k }) e)
    | [ "model"; "learn_weights" ] -> map parseBool (fun b -> mapGmm (fun g -> { g with LearnWeights = b }) e)
    | [ "model"; "n_init" ] -> map parseInt (fun n -> mapGmm (fun g -> { g with NInit = n }) e)
    | [ "model"; "reg_covar" ] -> map parseFloat (fun r -> mapGmm (fun g -> { g with RegCovar = r }) e)
    | [ "model"; "covariance" ] ->
        match value.ToLowerInvariant() with
        | "identity" -> Ok Identity | "spherical" -> Ok Spherical | "diagonal" -> Ok Diagonal | "full" -> Ok Full
        | _ -> Error(BadOverrideValue(key, value, "identity, spherical, diagonal or full"))
        |> Result.map (fun c -> mapGmm (fun g -> { g with Covariance = c }) e)
    | [ "fit"; name; "lr" ] -> map parseFloat (fun lr -> mapFit name (fun f -> { f with LearningRate = lr }) e)
    | [ "fit"; name; "steps" ] -> map parseInt (fun s -> mapFit name (fun f -> { f with Steps = s }) e)
    | [ "fit"; name; "batch" ] -> map parseInt (fun b -> mapFit name (fun f -> { f with BatchSize = b }) e)
    | [ "fit"; name; "tol" ] -> map parseFloat (fun t -> mapFit name (fun f -> { f with Tol = t }) e)
    | [ "fit"; name; "eval_every" ] -> map parseInt (fun n -> mapFit name (fun f -> { f with EvalEvery = n }) e)
    | [ "study"; label; ("steps" | "n" | "length" as what) ] ->
        let set (n: int) (st: Study) =
            match st.Kind, what with
            | KlAsymmetry k, "steps" -> { st with Kind = KlAsymmetry { k with Steps = n } }
            | GdaDynamics g, "steps" -> { st with Kind = GdaDynamics { g with Steps = n } }
            | ChangeOfVariables c, "n" -> { st with Kind = ChangeOfVariables { c with N = n } }
            | ArFit a, "length" -> { st with Kind = ArFit { a with Length = n } }
            | _ -> st
        map parseInt (fun n -> { e with Studies = e.Studies |> List.map (fun st -> if st.Label = label then set n st else st) })
    | _ -> Error(UnknownOverride(key, suggest key known))

/// Splits "key=value".
let parseAssignment (s: string) : Result<string * string, DslError> =
    match s.IndexOf '=' with
    | i when i > 0 -> Ok(s.Substring(0, i).Trim(), s.Substring(i + 1).Trim())
    | _ -> Error(BadSetting("--set " + s, "expected key=value, e.g. fit.sgd.steps=500"))

/// Applies `key=value` overrides in order; every bad one is reported.
let applyOverrides (assignments: string list) (e: Experiment) : Result<Experiment, DslError list> =
    let folder (exp, errs) a =
        match parseAssignment a |> Result.bind (applyOne exp) with
        | Ok e2 -> e2, errs
        | Error err -> exp, errs @ [ err ]
    match List.fold folder (e, []) assignments with
    | e2, [] -> Ok e2
    | _, errs -> Error errs

/// Overrides, then the plan.
let planWith (assignments: string list) (e: Experiment) =
    applyOverrides assignments e |> Result.bind plan
