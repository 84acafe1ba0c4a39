/// Describe.fs: pure — the resolved experiment as JSON with every default explicit, and the parser back (both by
/// reflection over the language's types in Tree.fs, so a new case or field needs no code here).
module GenDsl.Dsl.Describe

/// The experiment as indented JSON: records as objects, union cases by "kind" (or by name when they carry one value).
let toJson (e: Experiment) = Tree.toJson e

/// A describe JSON (e.g. a run's config.json) back to the experiment, or where it does not fit the language.
let ofJson (json: string) : Result<Experiment, string> = Tree.ofJson<Experiment> json

/// The experiment of a config.json, its models written in a script taken from `like` (the script's experiment of the
/// same name): the config gives every value, the script the code.
let ofJsonLike (like: Experiment option) (json: string) : Result<Experiment, string> =
    match like with
    | Some e -> Tree.ofJsonLike<Experiment> (box e) json
    | None -> Tree.ofJson<Experiment> json

/// Whether an experiment holds a model written in a script (its runs are resumed and sampled with the script).
let hasUserModels (e: Experiment) = e.Cases |> List.exists (fun c -> c.Model.IsUserModel)

/// A metric's name in tables and summaries: "nll", "bits_per_dim", "neg_iwae_5000".
let metricName (m: MetricSpec) =
    match m with
    | NegIwae (k, _) -> sprintf "neg_iwae_%d" k
    | _ -> Tree.snake (sprintf "%A" m)
