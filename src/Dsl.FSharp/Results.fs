/// Results.fs: pure — what a run produced (plain arrays) turned into metrics, expectations, figures, tables and the summary.
module GenDsl.Dsl.Results

open System
open System.Globalization
open System.Text.Json.Nodes

type FitOutcome =
    { Fit: FitSpec
      /// (iteration k, mean log-likelihood of the training data), k = 0 first (GMM, Bernoulli mixture); empty for neural fits.
      Curve: (int * float) list
      /// Learning curves: (name, [(step, value)]), e.g. "train loss", "valid nll".
      Series: (string * (float * float) list) list
      Iterations: int
      Converged: bool
      Seconds: float
      /// Mixture weights (GMM, Bernoulli mixture), empty for other families.
      Weights: float[]
      /// GMM means or Bernoulli-mixture component probabilities, one row per component; empty for other families.
      Means: float[][]
      /// Image sets to draw: (what, images flat in [0, 1]), e.g. ("samples", ...), ("reconstructions", ...).
      Images: (string * float[][]) list
      /// Texts drawn from a language model: (how, text).
      Texts: (string * string) list
      /// The fitted density on a grid (xs, ys, p.[iy].[ix]) over 2-D data.
      Density: (float[] * float[] * float[][]) option
      /// A KDE's bandwidth grid with the validation log-likelihood of each (mean, nats).
      Bandwidths: (float * float) list
      /// Samples of a GAN at snapshot steps: (step, points).
      Snapshots: (int * float[][]) list
      /// 2-D latent means of test images and their labels (VAE with a 2-D latent).
      Latent: (float[][] * int[]) option
      /// Number of trained parameters.
      Parameters: int64
      Metrics: (MetricSpec * float) list }

type CaseOutcome =
    { Planned: PlannedCase
      /// Data points, N rows of D numbers.
      X: float[][]
      /// Component that drew each point, when known.
      Z: int[] option
      TrueWeights: float[] option
      TrueMeans: float[][] option
      /// Mean log-likelihood of the data under the true mixture.
      TrueMeanLl: float option
      /// (xs, ys, density.[row y].[col x]) of the true mixture, when a heatmap was asked for.
      TrueDensity: (float[] * float[] * float[][]) option
      /// (height, width) of image data, for image grids.
      ImageSize: (int * int) option
      Fits: FitOutcome list }

let private f4 (x: float) = x.ToString("0.0000", CultureInfo.InvariantCulture)
let private dist (a: float[]) (b: float[]) = Array.map2 (fun x y -> (x - y) ** 2.0) a b |> Array.sum |> sqrt

/// Pairs each true component with a distinct fitted one, closest pairs first (greedy): (true k, fitted j).
let matchComponents (truth: float[][]) (fitted: float[][]) : (int * int) list =
    let pairs =
        [ for i in 0 .. truth.Length - 1 do
            for j in 0 .. fitted.Length - 1 -> i, j, dist truth.[i] fitted.[j] ]
        |> List.sortBy (fun (_, _, d) -> d)
    let rec go usedT usedF acc rest =
        match rest with
        | [] -> List.rev acc
        | (i, j, _) :: tl when Set.contains i usedT || Set.contains j usedF -> go usedT usedF acc tl
        | (i, j, _) :: tl -> go (Set.add i usedT) (Set.add j usedF) ((i, j) :: acc) tl
    go Set.empty Set.empty [] pairs |> List.sortBy fst

/// Mean distance between matched true and fitted means.
let meanError (truth: float[][]) (fitted: float[][]) =
    matchComponents truth fitted |> List.averageBy (fun (i, j) -> dist truth.[i] fitted.[j])

/// Largest |pi_k - true pi_k| over matched components.
let weightError (trueW: float[]) (truth: float[][]) (w: float[]) (fitted: float[][]) =
    matchComponents truth fitted |> List.map (fun (i, j) -> abs (trueW.[i] - w.[j])) |> List.max

/// "final nll 3.9412 < 3.95" for each fit an expectation covers: (claim, held).
let expectations (exps: Expectation list) (cases: CaseOutcome list) : (string * bool) list =
    [ for x in exps do
        for c in cases do
          if x.Case.IsNone || x.Case = Some c.Planned.Case.Label then
            for f in c.Fits do
                if x.Fit.IsNone || x.Fit = Some f.Fit.Name then
                    // Metrics are matched by name (neg_iwae_5000 is the same metric whatever number of images it is computed on).
                    let named (m: MetricSpec) = Describe.metricName m
                    match List.tryFind (fun (m, _) -> named m = named x.Metric) f.Metrics with
                    | Some (_, v) ->
                        match x.Comparison with
                        | Below | Above ->
                            let held, op = match x.Comparison with Below -> v < x.Value, "<" | _ -> v > x.Value, ">"
                            sprintf "case %s, fit %s: final %s = %s %s %g" c.Planned.Case.Label f.Fit.Name (Describe.metricName x.Metric) (f4 v) op x.Value, held
                        | AtMostMetric other ->
                            match List.tryFind (fun (m, _) -> named m = named other) f.Metrics with
                            | Some (_, w) ->
                                sprintf "case %s, fit %s: %s = %s <= %s = %s%s" c.Planned.Case.Label f.Fit.Name (Describe.metricName x.Metric) (f4 v)
                                    (Describe.metricName other) (f4 w) (if x.Value <> 0.0 then sprintf " + %g" x.Value else ""), v <= w + x.Value
                            | None -> sprintf "case %s, fit %s: metric %s was not computed" c.Planned.Case.Label f.Fit.Name (Describe.metricName other), false
                    | None -> sprintf "case %s, fit %s: metric %s was not computed (add it to the experiment's metrics)" c.Planned.Case.Label f.Fit.Name (Describe.metricName x.Metric), false ]

/// The final-metrics table: one row per (case, fit).
let metricsTable (metrics: MetricSpec list) (cases: CaseOutcome list) : Report.Table =
    { Caption = "final values (nll and bounds in nats per example, on the test split where the data has one)"
      Headers = [ "case"; "fit"; "iterations"; "converged"; "seconds"; "parameters" ] @ (metrics |> List.map Describe.metricName)
      Rows =
        [ for c in cases do
            for f in c.Fits ->
                [ c.Planned.Case.Label; f.Fit.Name; string f.Iterations; (if f.Converged then "yes" else "no"); f.Seconds.ToString("0.00"); string f.Parameters ]
                @ (metrics |> List.map (fun m -> f.Metrics |> List.tryFind (fun (k, _) -> k = m) |> Option.map (snd >> f4) |> Option.defaultValue "n/a")) ] }

let private col (k: int) (rows: float[][]) = rows |> Array.map (fun r -> r.[k])
let private safe (s: string) = String(s.ToCharArray() |> Array.map (fun ch -> if Char.IsLetterOrDigit ch || ch = '-' then ch else '_'))
let private symbols = [| "diamond"; "square"; "triangle-up"; "star"; "cross"; "pentagon" |]

let private dataTraces (c: CaseOutcome) (opacity: float) =
    match c.Z with
    | Some z when c.TrueMeans.IsSome ->
        [ for k in 0 .. c.TrueMeans.Value.Length - 1 do
            let pts = Array.zip c.X z |> Array.filter (fun (_, zi) -> zi = k) |> Array.map fst
            if pts.Length > 0 then Plots.scatter (sprintf "component %d" k) (col 0 pts) (col 1 pts) 4.0 opacity ]
    | _ -> [ Plots.scatter "data" (col 0 c.X) (col 1 c.X) 4.0 opacity ]

/// The figures a case's plots ask for (2-d point plots are skipped for other dimensions).
let figures (plots: PlotSpec list) (nllBound: float option) (c: CaseOutcome) : Plots.Figure list =
    let label = c.Planned.Case.Label
    let id s = safe (label + "-" + s)
    let twoD = c.Planned.Dim = 2
    [ for p in plots do
        match p with
        | DataScatter when twoD ->
            Plots.figure (id "data") (sprintf "%s: the data (n = %d)" label c.X.Length) "x1" "x2" true (dataTraces c 0.6)
        | LogLikelihoodCurves ->
            for f in c.Fits do
                let xs = f.Curve |> List.map (fst >> float)
                let ys = f.Curve |> List.map snd
                let fig = Plots.figure (id ("ll-" + f.Fit.Name)) (sprintf "%s: %s — mean log-likelihood vs iteration k" label f.Fit.Name) "iteration k" "mean log-likelihood (nats)" false [ Plots.line f.Fit.Name xs ys ]
                match c.TrueMeanLl with
                | Some ll -> Plots.withHLine ll (sprintf "true mixture %.4f" ll) fig
                | None -> fig
        | FinalMeansOverData when twoD ->
            let truth = match c.TrueMeans with Some m -> [ Plots.markers "true means" "x" (col 0 m) (col 1 m) ] | None -> []
            let fits = c.Fits |> List.mapi (fun i f -> Plots.markers (f.Fit.Name + " means") symbols.[i % symbols.Length] (col 0 f.Means) (col 1 f.Means))
            Plots.figure (id "means") (sprintf "%s: final means over the data" label) "x1" "x2" true
                ([ Plots.scatter "data" (col 0 c.X) (col 1 c.X) 4.0 0.25 ] @ truth @ fits)
        | DensityHeatmap _ when twoD ->
            match c.TrueDensity with
            | Some (xs, ys, z) ->
                Plots.figure (id "density") (sprintf "%s: density of the true mixture" label) "x1" "x2" true
                    [ Plots.heatmap "p(x)" xs ys z; Plots.contour "contours" xs ys z ]
            | None -> ()
        | FinalNllBars ->
            let nll f = f.Metrics |> List.tryFind (fun (m, _) -> m = Nll) |> Option.map snd |> Option.defaultValue nan
            let fig = Plots.figure (id "nll") (sprintf "%s: final NLL of each fit" label) "fit" "NLL (nats per point)" false
                          [ Plots.bars "final NLL" (c.Fits |> List.map (fun f -> f.Fit.Name)) (c.Fits |> List.map nll) ]
            match nllBound with
            | Some b -> Plots.withHLine b (sprintf "expected < %g" b) fig
            | None -> fig
        | ParameterComparison when twoD && c.TrueMeans.IsSome ->
            let m = c.TrueMeans.Value
            let fits = c.Fits |> List.mapi (fun i f -> Plots.markers (f.Fit.Name + " estimate") symbols.[i % symbols.Length] (col 0 f.Means) (col 1 f.Means))
            Plots.figure (id "params") (sprintf "%s: estimated vs true means" label) "x1" "x2" true
                (Plots.markers "true means" "x" (col 0 m) (col 1 m) :: fits)
        | DataScatter | FinalMeansOverData | DensityHeatmap _ | ParameterComparison -> ()
        | Samples _ | Reconstructions _ | ComponentMeans ->
            let what = match p with Samples _ -> "samples" | Reconstructions _ -> "reconstructions" | _ -> "component means"
            match c.ImageSize with
            | Some (h, w) ->
                for f in c.Fits do
                    match f.Images |> List.tryFind (fun (k, _) -> k = what) with
                    | Some (_, imgs) when imgs.Length > 0 ->
                        let cols = if what = "reconstructions" then imgs.Length / 2 else int (ceil (sqrt (float imgs.Length)))
                        let title = if what = "reconstructions" then sprintf "%s, %s: test images (top) and their reconstructions (bottom)" label f.Fit.Name else sprintf "%s, %s: %s" label f.Fit.Name what
                        Plots.imageGrid (id (what.Replace(' ', '-') + "-" + f.Fit.Name)) title h w cols imgs
                    | _ -> ()
            | None when twoD && what = "samples" ->
                // Samples of a model of 2-D points, over the data.
                for f in c.Fits do
                    match f.Images |> List.tryFind (fun (k, _) -> k = what) with
                    | Some (_, pts) when pts.Length > 0 ->
                        Plots.figure (id ("samples-" + f.Fit.Name)) (sprintf "%s, %s: %d samples over the data" label f.Fit.Name pts.Length) "x1" "x2" true
                            [ Plots.scatter "data" (col 0 c.X) (col 1 c.X) 3.0 0.15; Plots.scatter "samples" (col 0 pts) (col 1 pts) 4.0 0.6 ]
                    | _ -> ()
            | None -> ()
        | LearningCurves ->
            for f in c.Fits do
                if not f.Series.IsEmpty then
                    Plots.curves (id ("curves-" + f.Fit.Name)) (sprintf "%s, %s: learning curves" label f.Fit.Name) "step" "nats per example" f.Series
        | LatentScatter ->
            for f in c.Fits do
                match f.Latent with
                | Some (z, labels) ->
                    let traces =
                        [ for d in Array.distinct labels |> Array.sort do
                            let pts = Array.zip z labels |> Array.filter (fun (_, l) -> l = d) |> Array.map fst
                            Plots.scatter (string d) (col 0 pts) (col 1 pts) 4.0 0.6 ]
                    Plots.figure (id ("latent-" + f.Fit.Name)) (sprintf "%s, %s: latent means of test images by label" label f.Fit.Name) "z1" "z2" true traces
                | None -> ()
        | FitDensityHeatmap _ when twoD ->
            for f in c.Fits do
                match f.Density with
                | Some (xs, ys, z) ->
                    Plots.figure (id ("density-" + f.Fit.Name)) (sprintf "%s, %s: fitted density" label f.Fit.Name) "x1" "x2" true
                        [ Plots.heatmap "p(x)" xs ys z; Plots.contour "contours" xs ys z ]
                | None -> ()
        | BandwidthCurve ->
            for f in c.Fits do
                if not f.Bandwidths.IsEmpty then
                    let best = f.Bandwidths |> List.maxBy snd
                    Plots.figure (id ("bandwidth-" + f.Fit.Name)) (sprintf "%s, %s: validation log-likelihood vs bandwidth (best h = %.4g)" label f.Fit.Name (fst best))
                        "bandwidth h" "mean validation log-likelihood (nats)" false [ Plots.path "validation" (f.Bandwidths |> List.map fst) (f.Bandwidths |> List.map snd) ]
                    |> Plots.logScale Plots.XAxis
        | SamplesOverTraining when twoD ->
            for f in c.Fits do
                if not f.Snapshots.IsEmpty then
                    let traces =
                        Plots.scatter "data" (col 0 c.X) (col 1 c.X) 3.0 0.15
                        :: [ for step, pts in f.Snapshots -> Plots.scatter (sprintf "step %d" step) (col 0 pts) (col 1 pts) 4.0 0.6 ]
                    Plots.figure (id ("snapshots-" + f.Fit.Name)) (sprintf "%s, %s: generated samples over training" label f.Fit.Name) "x1" "x2" true traces
        | FitDensityHeatmap _ | SamplesOverTraining -> ()
        | TextSamples _ | CurvesAcrossCases _ -> () ]   // text (textTables) and figures over all cases (acrossCases)

/// The figures that span cases: one series of every fit of every case on one plot.
let acrossCases (plots: PlotSpec list) (cases: CaseOutcome list) : Plots.Figure list =
    [ for p in plots do
        match p with
        | CurvesAcrossCases series ->
            let curves =
                [ for c in cases do
                    for f in c.Fits do
                        match f.Series |> List.tryFind (fun (n, _) -> n = series) with
                        | Some (_, pts) -> sprintf "%s/%s" c.Planned.Case.Label f.Fit.Name, pts
                        | None -> () ]
            if not curves.IsEmpty then Plots.curves (safe ("all-" + series)) (sprintf "%s of every fit" series) "step" series curves
        | _ -> () ]

/// Samples of text from each language-model fit, as tables.
let textTables (c: CaseOutcome) : Report.Table list =
    [ for f in c.Fits do
        if not f.Texts.IsEmpty then
            { Report.Caption = sprintf "%s, %s: samples" c.Planned.Case.Label f.Fit.Name
              Headers = [ "prompt, length, temperature, top-k"; "text" ]
              Rows = [ for how, text in f.Texts -> [ how; text ] ] } ]

/// Estimated vs true weights and means side by side (components matched greedily).
let parameterTables (c: CaseOutcome) : Report.Table list =
    match c.TrueWeights, c.TrueMeans with
    | Some tw, Some tm ->
        let vec (v: float[]) = "(" + String.Join(", ", v |> Array.map (fun x -> x.ToString("0.000", CultureInfo.InvariantCulture))) + ")"
        [ for f in c.Fits ->
            let pairs = matchComponents tm f.Means
            { Caption = sprintf "%s, fit %s: estimated vs true parameters" c.Planned.Case.Label f.Fit.Name
              Headers = [ "k"; "true pi"; "estimated pi"; "true mu"; "estimated mu"; "|mu error|" ]
              Rows = [ for i, j in pairs -> [ string i; f4 tw.[i]; f4 f.Weights.[j]; vec tm.[i]; vec f.Means.[j]; f4 (dist tm.[i] f.Means.[j]) ] ] } ]
    | _ -> []

let private num (x: float) : JsonNode = if Double.IsFinite x then JsonValue.Create x else JsonValue.Create(string x)

/// summary.json: status, timing, seed, per-fit final metrics and parameters, each study's numbers, expectations, versions.
let summary (e: Experiment) (started: DateTimeOffset) (wall: float) (versions: (string * string) list) (cases: CaseOutcome list) (studies: JsonNode list) (exps: (string * bool) list) =
    let o = JsonObject()
    o.["status"] <- JsonValue.Create "completed"
    o.["experiment"] <- JsonValue.Create e.Name
    o.["seed"] <- JsonValue.Create e.Seed
    o.["started"] <- JsonValue.Create(started.ToString("o"))
    o.["wall_seconds"] <- num wall
    let cs = JsonArray()
    for c in cases do
        let co = JsonObject()
        co.["label"] <- JsonValue.Create c.Planned.Case.Label
        co.["n"] <- JsonValue.Create c.Planned.N
        co.["dim"] <- JsonValue.Create c.Planned.Dim
        let fs = JsonArray()
        for f in c.Fits do
            let fo = JsonObject()
            fo.["fit"] <- JsonValue.Create f.Fit.Name
            fo.["iterations"] <- JsonValue.Create f.Iterations
            fo.["converged"] <- JsonValue.Create f.Converged
            fo.["seconds"] <- num f.Seconds
            let ms = JsonObject()
            for m, v in f.Metrics do ms.[Describe.metricName m] <- num v
            fo.["metrics"] <- ms
            fo.["parameters"] <- JsonValue.Create f.Parameters
            fo.["weights"] <- JsonArray(f.Weights |> Array.map num)
            if c.ImageSize.IsNone then fo.["means"] <- JsonArray(f.Means |> Array.map (fun r -> JsonArray(r |> Array.map num) :> JsonNode))
            fs.Add(fo)
        co.["fits"] <- fs
        cs.Add(co)
    o.["cases"] <- cs
    o.["studies"] <- JsonArray(List.toArray studies)
    let xs = JsonArray()
    for claim, held in exps do
        let x = JsonObject()
        x.["claim"] <- JsonValue.Create claim
        x.["held"] <- JsonValue.Create held
        xs.Add(x)
    o.["expectations"] <- xs
    let v = JsonObject()
    for k, value in versions do v.[k] <- JsonValue.Create value
    o.["versions"] <- v
    o.ToJsonString(System.Text.Json.JsonSerializerOptions(WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping))
