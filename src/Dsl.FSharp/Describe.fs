/// Describe.fs: pure — the resolved experiment as JSON with every default explicit, and the parser back.
module GenDsl.Dsl.Describe

open System
open System.Text.Json
open System.Text.Json.Nodes

// ---- writing ----

let private num (x: float) : JsonNode = JsonValue.Create x
let private int' (x: int) : JsonNode = JsonValue.Create x
let private str (s: string) : JsonNode = JsonValue.Create s
let private bool' (b: bool) : JsonNode = JsonValue.Create b
let private u64 (x: uint64) : JsonNode = JsonValue.Create x
let private obj (fields: (string * JsonNode) list) : JsonNode =
    let o = JsonObject()
    for k, v in fields do o.[k] <- v
    o
let private arr (xs: JsonNode seq) : JsonNode = JsonArray(Seq.toArray xs)
let private rows (m: float list list) = arr [ for r in m -> arr (r |> List.map num) ]

let private mixtureJson m =
    match m with
    | Cse599iP7 -> obj [ "kind", str "cse599i_p7" ]
    | Ring (k, r) -> obj [ "kind", str "ring"; "components", int' k; "radius", num r ]
    | Custom (w, means) -> obj [ "kind", str "custom"; "weights", arr (w |> List.map num); "means", rows means ]

let private dataJson d =
    match d with
    | MixtureSample s ->
        obj [ "kind", str "mixture_sample"; "source", mixtureJson s.Source; "n", int' s.N
              "stratified", bool' s.Stratified; "seed", (match s.Seed with Some x -> u64 x | None -> null) ]
    | Points p -> obj [ "kind", str "points"; "points", rows p ]

let private lower (x: 'a) = (sprintf "%A" x).ToLowerInvariant()

let private modelJson m =
    match m with
    | Gmm g ->
        let start =
            match g.Start with
            | RandomPoints -> obj [ "kind", str "random_points" ]
            | KMeansPlusPlus -> obj [ "kind", str "kmeans++" ]
            | StartMeans means -> obj [ "kind", str "means"; "means", rows means ]
        obj [ "kind", str "gmm"; "k", int' g.K; "covariance", str (lower g.Covariance)
              "learn_weights", bool' g.LearnWeights; "start", start; "n_init", int' g.NInit; "reg_covar", num g.RegCovar ]

let private methodName m = match m with GradientAscent -> "gd" | Sgd -> "sgd" | Em -> "em"

let private fitJson (f: FitSpec) =
    obj [ "name", str f.Name; "method", str (methodName f.Method)
          "optimizer", str (match f.Optimizer with PlainGradient -> "plain_gradient")
          "learning_rate", num f.LearningRate; "steps", int' f.Steps; "batch_size", int' f.BatchSize
          "schedule", str (match f.Schedule with Constant -> "constant"); "tol", num f.Tol; "eval_every", int' f.EvalEvery ]

let metricName m =
    match m with
    | Nll -> "nll" | Aic -> "aic" | Bic -> "bic" | TrueNll -> "true_nll" | MeanError -> "mean_error" | WeightError -> "weight_error"

let private plotJson p =
    match p with
    | DataScatter -> obj [ "kind", str "data_scatter" ]
    | LogLikelihoodCurves -> obj [ "kind", str "log_likelihood_curves" ]
    | FinalMeansOverData -> obj [ "kind", str "final_means_over_data" ]
    | DensityHeatmap g -> obj [ "kind", str "density_heatmap"; "grid", int' g ]
    | FinalNllBars -> obj [ "kind", str "final_nll_bars" ]
    | ParameterComparison -> obj [ "kind", str "parameter_comparison" ]

let private nums (xs: float list) = arr (xs |> List.map num)
let private seedJson (s: uint64 option) = match s with Some x -> u64 x | None -> null
let private maskName m = match m with MaskA -> "A" | MaskB -> "B"
let private schemeName g = match g with Simultaneous -> "simultaneous" | Alternating -> "alternating"

let private transformJson t =
    match t with
    | ReciprocalCauchy r -> obj [ "kind", str "reciprocal_cauchy"; "range", num r ]
    | ExpNormal (mu, sigma) -> obj [ "kind", str "exp_normal"; "mu", num mu; "sigma", num sigma ]
    | DistanceFromCentre -> obj [ "kind", str "distance_from_centre" ]

let private studyJson (st: Study) =
    let fields =
        match st.Kind with
        | KlAsymmetry k ->
            [ "kind", str "kl_asymmetry"; "weights", nums k.Weights; "means", nums k.Means; "scales", nums k.Scales
              "start_mu", num k.StartMu; "start_sigma", num k.StartSigma; "learning_rate", num k.LearningRate; "steps", int' k.Steps
              "grid_lo", num k.GridLo; "grid_hi", num k.GridHi; "grid_points", int' k.GridPoints ]
        | ReceptiveFields r ->
            [ "kind", str "receptive_fields"
              "stacks", arr [ for stack in r.Stacks -> str (String.Join("", stack |> List.map maskName)) ]
              "height", int' r.Height; "width", int' r.Width; "row", int' r.Row; "column", int' r.Column; "channels", int' r.Channels ]
        | GdaDynamics g ->
            [ "kind", str "gda_dynamics"; "alpha", num g.Alpha; "d0", num g.D0; "g0", num g.G0; "steps", int' g.Steps
              "schemes", arr (g.Schemes |> List.map (schemeName >> str)) ]
        | ChangeOfVariables c ->
            [ "kind", str "change_of_variables"; "transforms", arr (c.Transforms |> List.map transformJson)
              "n", int' c.N; "bins", int' c.Bins; "seed", seedJson c.Seed ]
        | ArFit a ->
            [ "kind", str "ar_fit"; "phi", nums a.Phi; "sigma2", num a.Sigma2; "length", int' a.Length; "order", int' a.Order; "seed", seedJson a.Seed ]
    obj (("label", str st.Label) :: fields)

let private expectationJson (x: Expectation) =
    obj [ "metric", str (metricName x.Metric); "fit", (match x.Fit with Some f -> str f | None -> null)
          "comparison", str (match x.Comparison with Below -> "below" | Above -> "above"); "value", num x.Value ]

/// The experiment as a JSON node: every field, defaults included.
let toJsonNode (e: Experiment) : JsonNode =
    obj [ "name", str e.Name; "title", str e.Title; "seed", u64 e.Seed
          "cases", arr [ for c in e.Cases -> obj [ "label", str c.Label; "data", dataJson c.Data; "model", modelJson c.Model; "fits", arr (c.Fits |> List.map fitJson) ] ]
          "studies", arr (e.Studies |> List.map studyJson)
          "metrics", arr (e.Metrics |> List.map (metricName >> str))
          "plots", arr (e.Plots |> List.map plotJson)
          "expectations", arr (e.Expectations |> List.map expectationJson)
          "notes", arr (e.Notes |> List.map str)
          "parameters", obj [ for k, v in Check.parameters e -> k, str v ] ]

/// Indented, with non-ASCII and quotes written as they are (the report HTML-encodes the text it shows).
let private options = JsonSerializerOptions(WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)

/// The resolved config as indented JSON (what `describe` prints and `run` writes as config.json).
let toJson (e: Experiment) = (toJsonNode e).ToJsonString(options)

// ---- parsing back ----

exception DescribeParseError of string

let private fail fmt = Printf.kprintf (fun s -> raise (DescribeParseError s)) fmt
let private field (o: JsonNode) (name: string) =
    match o.[name] with
    | null -> fail "missing field '%s' in %s" name (o.ToJsonString())
    | v -> v
let private getStr o n = (field o n).GetValue<string>()
let private getInt o n = (field o n).GetValue<int>()
let private getNum o n = (field o n).GetValue<float>()
let private getBool o n = (field o n).GetValue<bool>()
let private getU64 o n = (field o n).GetValue<uint64>()
let private items o n = (field o n).AsArray() |> Seq.toList
let private getRows o n = items o n |> List.map (fun r -> r.AsArray() |> Seq.map (fun x -> x.GetValue<float>()) |> Seq.toList)

let private parseMixture (o: JsonNode) =
    match getStr o "kind" with
    | "cse599i_p7" -> Cse599iP7
    | "ring" -> Ring(getInt o "components", getNum o "radius")
    | "custom" -> Custom(items o "weights" |> List.map (fun x -> x.GetValue<float>()), getRows o "means")
    | k -> fail "unknown mixture kind '%s'" k

let private parseData (o: JsonNode) =
    match getStr o "kind" with
    | "mixture_sample" ->
        MixtureSample { Source = parseMixture (field o "source"); N = getInt o "n"; Stratified = getBool o "stratified"
                        Seed = (match o.["seed"] with null -> None | v -> Some(v.GetValue<uint64>())) }
    | "points" -> Points(getRows o "points")
    | k -> fail "unknown data kind '%s'" k

let private parseCovariance s =
    match s with
    | "identity" -> Identity | "spherical" -> Spherical | "diagonal" -> Diagonal | "full" -> Full
    | s -> fail "unknown covariance '%s'" s

let private parseModel (o: JsonNode) =
    match getStr o "kind" with
    | "gmm" ->
        let st = field o "start"
        let start =
            match getStr st "kind" with
            | "random_points" -> RandomPoints
            | "kmeans++" -> KMeansPlusPlus
            | "means" -> StartMeans(getRows st "means")
            | k -> fail "unknown start '%s'" k
        Gmm { K = getInt o "k"; Covariance = parseCovariance (getStr o "covariance"); LearnWeights = getBool o "learn_weights"
              Start = start; NInit = getInt o "n_init"; RegCovar = getNum o "reg_covar" }
    | k -> fail "unknown model kind '%s'" k

let private parseFit (o: JsonNode) =
    { Name = getStr o "name"
      Method = (match getStr o "method" with "gd" -> GradientAscent | "sgd" -> Sgd | "em" -> Em | m -> fail "unknown method '%s'" m)
      Optimizer = (match getStr o "optimizer" with "plain_gradient" -> PlainGradient | x -> fail "unknown optimizer '%s'" x)
      LearningRate = getNum o "learning_rate"; Steps = getInt o "steps"; BatchSize = getInt o "batch_size"
      Schedule = (match getStr o "schedule" with "constant" -> Constant | x -> fail "unknown schedule '%s'" x)
      Tol = getNum o "tol"; EvalEvery = getInt o "eval_every" }

let parseMetric s =
    match s with
    | "nll" -> Nll | "aic" -> Aic | "bic" -> Bic | "true_nll" -> TrueNll | "mean_error" -> MeanError | "weight_error" -> WeightError
    | s -> fail "unknown metric '%s'" s

let private parsePlot (o: JsonNode) =
    match getStr o "kind" with
    | "data_scatter" -> DataScatter
    | "log_likelihood_curves" -> LogLikelihoodCurves
    | "final_means_over_data" -> FinalMeansOverData
    | "density_heatmap" -> DensityHeatmap(getInt o "grid")
    | "final_nll_bars" -> FinalNllBars
    | "parameter_comparison" -> ParameterComparison
    | k -> fail "unknown plot kind '%s'" k

let private parseExpectation (o: JsonNode) =
    { Metric = parseMetric (getStr o "metric")
      Fit = (match o.["fit"] with null -> None | v -> Some(v.GetValue<string>()))
      Comparison = (match getStr o "comparison" with "below" -> Below | "above" -> Above | c -> fail "unknown comparison '%s'" c)
      Value = getNum o "value" }

let private floats o n = items o n |> List.map (fun x -> x.GetValue<float>())
let private optSeed (o: JsonNode) = match o.["seed"] with null -> None | v -> Some(v.GetValue<uint64>())

let private parseTransform (o: JsonNode) =
    match getStr o "kind" with
    | "reciprocal_cauchy" -> ReciprocalCauchy(getNum o "range")
    | "exp_normal" -> ExpNormal(getNum o "mu", getNum o "sigma")
    | "distance_from_centre" -> DistanceFromCentre
    | k -> fail "unknown transform kind '%s'" k

let private parseStudy (o: JsonNode) =
    let kind =
        match getStr o "kind" with
        | "kl_asymmetry" ->
            KlAsymmetry { Weights = floats o "weights"; Means = floats o "means"; Scales = floats o "scales"
                          StartMu = getNum o "start_mu"; StartSigma = getNum o "start_sigma"; LearningRate = getNum o "learning_rate"
                          Steps = getInt o "steps"; GridLo = getNum o "grid_lo"; GridHi = getNum o "grid_hi"; GridPoints = getInt o "grid_points" }
        | "receptive_fields" ->
            let mask c = match c with 'A' -> MaskA | 'B' -> MaskB | c -> fail "unknown mask type '%c' (A or B)" c
            ReceptiveFields { Stacks = items o "stacks" |> List.map (fun x -> x.GetValue<string>() |> Seq.map mask |> List.ofSeq)
                              Height = getInt o "height"; Width = getInt o "width"; Row = getInt o "row"; Column = getInt o "column"; Channels = getInt o "channels" }
        | "gda_dynamics" ->
            let scheme (x: JsonNode) = match x.GetValue<string>() with "simultaneous" -> Simultaneous | "alternating" -> Alternating | s -> fail "unknown GDA scheme '%s'" s
            GdaDynamics { Alpha = getNum o "alpha"; D0 = getNum o "d0"; G0 = getNum o "g0"; Steps = getInt o "steps"; Schemes = items o "schemes" |> List.map scheme }
        | "change_of_variables" ->
            ChangeOfVariables { Transforms = items o "transforms" |> List.map parseTransform; N = getInt o "n"; Bins = getInt o "bins"; Seed = optSeed o }
        | "ar_fit" -> ArFit { Phi = floats o "phi"; Sigma2 = getNum o "sigma2"; Length = getInt o "length"; Order = getInt o "order"; Seed = optSeed o }
        | k -> fail "unknown study kind '%s'" k
    { Label = getStr o "label"; Kind = kind }

/// Reads back what `toJson` wrote (the "parameters" section is derived and ignored).
let ofJson (json: string) : Result<Experiment, string> =
    try
        let o = JsonNode.Parse json
        Ok { Name = getStr o "name"; Title = getStr o "title"; Seed = getU64 o "seed"
             Cases = items o "cases" |> List.map (fun c -> { Label = getStr c "label"; Data = parseData (field c "data"); Model = parseModel (field c "model"); Fits = items c "fits" |> List.map parseFit })
             Studies = (match o.["studies"] with null -> [] | _ -> items o "studies" |> List.map parseStudy)
             Metrics = items o "metrics" |> List.map (fun m -> parseMetric (m.GetValue<string>()))
             Plots = items o "plots" |> List.map parsePlot
             Expectations = items o "expectations" |> List.map parseExpectation
             Notes = items o "notes" |> List.map (fun n -> n.GetValue<string>()) }
    with
    | DescribeParseError msg -> Error msg
    | :? JsonException as ex -> Error ex.Message
    | :? InvalidOperationException as ex -> Error ex.Message
