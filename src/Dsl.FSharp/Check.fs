/// Check.fs: pure validation (Experiment -> Result<Plan, DslError list>): every message, fits, names, the plan; data facts are in
/// CheckData.fs, each family's checks in its file in Families/, network shapes in Shapes.fs, study checks in Studies/, `--set` in
/// Settings.fs.
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


// ---- data facts and family names, as the rest of the language calls them ----

let mnistCount = CheckData.mnistCount
let wikiTextCount = CheckData.wikiTextCount
let dataShape = CheckData.dataShape
let familyName (m: ModelSpec) = Families.name m

// ---- fits ----

/// The number of a length, in its own unit.
let private amount (d: Budget) = match d with Steps k | Epochs k -> k

/// The one rule for a gradient fit's numbers on n training examples: no batch is the whole data set, an epoch is
/// ceil(n / batch) steps, every length is resolved to steps, and a schedule's cosine anneals over what its phases leave
/// of the fit (at least 1 step).
let resolveFit (n: int) (t: Training) : ResolvedFit =
    let batch = match t.Batch with Some b -> b | None -> n
    let perEpoch = (int64 n + int64 batch - 1L) / int64 batch
    let steps (d: Budget) = match d with Steps k -> int64 k | Epochs k -> int64 k * perEpoch
    let total = steps t.Budget
    let rec schedule (s: Schedule) (left: int64) =
        match s with
        | Constant -> ConstantLr
        | StepDecay (every, gamma) -> StepLr(steps every, gamma)
        | Cosine floor -> CosineLr(max 1L left, floor)
        | Warmup (w, after) -> WarmupLr(steps w, schedule after (max 1L (left - steps w)))
        | Hold (w, factor, after) -> HoldLr(steps w, factor, schedule after (max 1L (left - steps w)))
    { Batch = batch; StepsPerEpoch = perEpoch; Steps = total; EvalEvery = steps t.EvalEvery
      CheckpointEvery = steps t.CheckpointEvery; Schedule = schedule t.Schedule total; Optimizer = t.Optimizer }

/// A count as check prints it: 11,750.
let private count (k: int64) = k.ToString("N0", CultureInfo.InvariantCulture)

/// "1 step", "11,750 steps".
let private steps (k: int64) = if k = 1L then "1 step" else count k + " steps"

/// A gradient fit's budget with what it resolved to: "50 epochs = 11,750 steps of 256", "500 steps of 1".
let budgetText (t: Training) (r: ResolvedFit) =
    match t.Budget with
    | Steps _ -> sprintf "%s of %s" (steps r.Steps) (count (int64 r.Batch))
    | Epochs k -> sprintf "%s epoch%s = %s of %s" (count (int64 k)) (if k = 1 then "" else "s") (steps r.Steps) (count (int64 r.Batch))

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
          if amount t.EvalEvery < 0 then NonPositiveEvalEvery(label, f.Name, amount t.EvalEvery)
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
          if amount t.CheckpointEvery < 0 then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "CheckpointEvery must be >= 0, got %d" (amount t.CheckpointEvery))
          let rec sched s =
              [ match s with
                | Constant -> ()
                | StepDecay (every, gamma) -> if amount every < 1 || not (gamma > 0.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "a step schedule needs every >= 1 and gamma > 0, got %d and %g" (amount every) gamma)
                | Cosine floor -> if not (floor >= 0.0 && floor <= 1.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "the cosine floor is a fraction of lr in [0, 1], got %g" floor)
                | Warmup (length, after) ->
                    if amount length < 1 then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "warm-up needs >= 1 step, got %d" (amount length))
                    yield! sched after
                | Hold (length, factor, after) ->
                    if amount length < 1 || not (factor > 0.0) then BadSetting(sprintf "case '%s', fit '%s'" label f.Name, sprintf "a hold needs >= 1 step and a factor > 0, got %d and %g" (amount length) factor)
                    yield! sched after ]
          let schedErrors = sched t.Schedule
          yield! schedErrors
          // A phase that outlasts the fit leaves what follows it unreached: a setting that does nothing. Judged on the
          // resolved steps, so a hold of one epoch is measured at the batch and data the run will have.
          let resolvable = amount t.Budget >= 1 && (match t.Batch with Some b -> b >= 1 | None -> true) && n > 0 && schedErrors.IsEmpty
          if resolvable then
              let r = resolveFit n t
              let rec phases (s: StepSchedule) (start: int64) =
                  [ match s with
                    | WarmupLr (w, after) | HoldLr (w, _, after) ->
                        let what = match s with WarmupLr _ -> "warm-up" | _ -> "hold"
                        if start + w > r.Steps then
                            BadSetting(sprintf "case '%s', fit '%s'" label f.Name,
                                       sprintf "the %s lasts %s (to step %s), longer than the fit's %s: shorten it or lengthen the fit"
                                           what (steps w) (count (start + w)) (budgetText t r))
                        else yield! phases after (start + w)
                    | ConstantLr | StepLr _ | CosineLr _ -> () ]
              yield! phases r.Schedule 0L
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
    [ yield! CheckData.checkData c
      yield! (Families.ops c.Model).Check c
      if c.Fits.IsEmpty then NoFits c.Label
      for f in c.Fits do
          yield! checkFit c.Label n f
          yield! (Families.ops c.Model).CheckFit c f
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
              match m with
              | TrueNll | MeanError | WeightError when not known -> NeedsTrueMixture(c.Label, sprintf "%A" m)
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
        // Data.randomSubset's "the experiment's seed" made explicit, so config.json names the seed that drew the images.
        let resolve (d: DataSpec) =
            match d with
            | Mnist m when m.Draw = Some(AtRandom None) -> Mnist { m with Draw = Some(AtRandom(Some e.Seed)) }
            | _ -> d
        let e = { e with Cases = e.Cases |> List.map (fun c -> { c with Data = resolve c.Data }) }
        let cases =
            e.Cases |> List.map (fun c ->
                let n, shape = dataShape c.Data
                let s = defaultArg shape []
                let resolved = Map [ for f in c.Fits do match f.Fitter with Gradient t -> f.Name, resolveFit n t | Em _ | ClosedForm -> () ]
                { Case = c; N = n; Dim = (if s.IsEmpty then 0 else List.fold (*) 1 s); Shape = s; Resolved = resolved })
        Ok { Experiment = e; Cases = cases }
    | errs -> Error errs

