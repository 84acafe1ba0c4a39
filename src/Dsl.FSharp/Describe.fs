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

let private expectationJson (x: Expectation) =
    obj [ "metric", str (metricName x.Metric); "fit", (match x.Fit with Some f -> str f | None -> null)
          "comparison", str (match x.Comparison with Below -> "below" | Above -> "above"); "value", num x.Value ]

/// The experiment as a JSON node: every field, defaults included.
let toJsonNode (e: Experiment) : JsonNode =
    obj [ "name", str e.Name; "title", str e.Title; "seed", u64 e.Seed
          "cases", arr [ for c in e.Cases -> obj [ "label", str c.Label; "data", dataJson c.Data; "model", modelJson c.Model; "fits", arr (c.Fits |> List.map fitJson) ] ]
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

/// Reads back what `toJson` wrote (the "parameters" section is derived and ignored).
let ofJson (json: string) : Result<Experiment, string> =
    try
        let o = JsonNode.Parse json
        Ok { Name = getStr o "name"; Title = getStr o "title"; Seed = getU64 o "seed"
             Cases = items o "cases" |> List.map (fun c -> { Label = getStr c "label"; Data = parseData (field c "data"); Model = parseModel (field c "model"); Fits = items c "fits" |> List.map parseFit })
             Metrics = items o "metrics" |> List.map (fun m -> parseMetric (m.GetValue<string>()))
             Plots = items o "plots" |> List.map parsePlot
             Expectations = items o "expectations" |> List.map parseExpectation
             Notes = items o "notes" |> List.map (fun n -> n.GetValue<string>()) }
    with
    | DescribeParseError msg -> Error msg
    | :? JsonException as ex -> Error ex.Message
    | :? InvalidOperationException as ex -> Error ex.Message
