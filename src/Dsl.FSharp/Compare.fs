/// Compare.fs: `gendsl compare` — several run folders on one offline page: every run's curves overlaid per metric,
/// the final metrics as one table, only the configuration settings that differ, the sample grids side by side.
/// Runs of different experiments are compared only on the metrics they share (none shared: refused).
module GenDsl.Dsl.Compare

open System
open System.IO
open System.Net
open System.Text
open System.Text.Json.Nodes

/// One run as the comparison reads it.
type Run =
    { Folder: string
      /// "<experiment>/<stamp>" (the stamp alone when every run is of one experiment).
      Label: string
      Experiment: string
      State: string
      /// (case/fit, metric) -> (step, value) points from metrics.jsonl, in step order.
      Curves: Map<string * string, (float * float) list>
      /// (case, fit, metric, value) from summary.json (empty while unfinished).
      Finals: (string * string * string * float) list
      /// Configuration leaves: (path as `describe` prints it, value as JSON text).
      Config: Map<string, string>
      /// Sample figures from plots/: (figure id, plotly JSON).
      Samples: (string * string) list }

let private num (n: JsonNode) = try Some(n.GetValue<float>()) with _ -> None

let private read (folder: string) : Result<Run, string> =
    let file n = Path.Combine(folder, n)
    if not (Directory.Exists folder) then Error(sprintf "'%s' is not a folder: give run folders (runs/<experiment>/<timestamp>/)" folder)
    elif not (File.Exists(file "config.json")) then Error(sprintf "'%s' is not a run folder (it has no config.json): give runs/<experiment>/<timestamp>/" folder)
    else
        try
            let config = JsonNode.Parse(File.ReadAllText(file "config.json"))
            let experiment = match config.["name"] with null -> Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath folder)) | n -> n.GetValue<string>()
            let curves =
                if not (File.Exists(file "metrics.jsonl")) then Map.empty
                else
                    [ for line in File.ReadLines(file "metrics.jsonl") do
                        if line.Trim() <> "" then
                            let o = JsonNode.Parse(line).AsObject()
                            let key = o.["case"].GetValue<string>() + "/" + o.["fit"].GetValue<string>()
                            let step = o.["step"].GetValue<float>()
                            for kv in o do
                                if not (List.contains kv.Key [ "case"; "fit"; "step"; "seconds" ]) then
                                    match kv.Value |> Option.ofObj |> Option.bind num with
                                    | Some v -> (key, kv.Key), (step, v)
                                    | None -> () ]
                    |> List.groupBy fst
                    |> List.map (fun (k, pts) -> k, pts |> List.map snd |> List.sortBy fst)
                    |> Map.ofList
            let finals =
                if not (File.Exists(file "summary.json")) then []
                else
                    let s = JsonNode.Parse(File.ReadAllText(file "summary.json"))
                    [ for c in s.["cases"].AsArray() do
                        for f in c.["fits"].AsArray() do
                            for kv in f.["metrics"].AsObject() do
                                match kv.Value |> Option.ofObj |> Option.bind num with
                                | Some v -> c.["label"].GetValue<string>(), f.["fit"].GetValue<string>(), kv.Key, v
                                | None -> () ]
            let leaves =
                Tree.leaves config
                |> List.map (fun l -> Tree.pathText l.Path, (match l.Node with null -> "none" | n -> n.ToJsonString()))
                |> Map.ofList
            let plots = file "plots"
            let samples =
                if not (Directory.Exists plots) then []
                else
                    [ for p in Directory.GetFiles(plots, "*.json") |> Array.sort do
                        let id = Path.GetFileNameWithoutExtension p
                        if id.Contains("sample", StringComparison.OrdinalIgnoreCase) then id, File.ReadAllText p ]
            Ok { Folder = Path.GetFullPath folder; Label = experiment + "/" + Path.GetFileName(Path.GetFullPath folder); Experiment = experiment
                 State = RunFolder.stateText (RunFolder.state folder); Curves = curves; Finals = finals; Config = leaves; Samples = samples }
        with ex -> Error(sprintf "'%s': cannot read its config.json, metrics.jsonl or summary.json (%s)" folder ex.Message)

/// The metrics a run logs (curves and final values).
let private metricsOf (r: Run) =
    Set.union (r.Curves |> Map.toList |> List.map (fst >> snd) |> Set.ofList) (r.Finals |> List.map (fun (_, _, m, _) -> m) |> Set.ofList)

/// The runs, or why they cannot be compared: fewer than two, a folder that is not a run, or runs of different
/// experiments that share no metric.
let load (folders: string list) : Result<Run list * Set<string>, string> =
    if folders.Length < 2 then Error "compare needs at least two run folders: gendsl compare runs/<experiment>/<stamp1> runs/<experiment>/<stamp2>"
    else
        let rs = folders |> List.map read
        match rs |> List.tryPick (function Error m -> Some m | Ok _ -> None) with
        | Some m -> Error m
        | None ->
            let runs = rs |> List.choose (function Ok r -> Some r | Error _ -> None)
            let oneExperiment = runs |> List.map (fun r -> r.Experiment) |> List.distinct |> List.length = 1
            let runs = if oneExperiment then runs |> List.map (fun r -> { r with Label = Path.GetFileName r.Folder }) else runs
            let runs =
                // Two folders with one name (runs of one stamp under different roots): number them.
                if (runs |> List.map (fun r -> r.Label) |> List.distinct).Length < runs.Length then runs |> List.mapi (fun i r -> { r with Label = sprintf "%d: %s" (i + 1) r.Label })
                else runs
            let shared = runs |> List.map metricsOf |> Set.intersectMany
            if not oneExperiment && shared.IsEmpty then
                let each = String.Join("; ", runs |> List.map (fun r -> sprintf "%s logs %s" r.Label (String.Join(", ", metricsOf r))))
                Error(sprintf "these runs are of different experiments (%s) and share no metric, so nothing can be overlaid: compare runs of one experiment, or runs that log a common metric (%s)"
                          (String.Join(", ", runs |> List.map (fun r -> r.Experiment) |> List.distinct)) each)
            else Ok(runs, (if oneExperiment then runs |> List.map metricsOf |> Set.unionMany else shared))

/// The configuration settings whose values differ between the runs (missing in a run: "—").
let differences (runs: Run list) : (string * string list) list =
    let keys = runs |> List.collect (fun r -> r.Config |> Map.toList |> List.map fst) |> List.distinct |> List.sort
    [ for k in keys do
        let vs = runs |> List.map (fun r -> r.Config |> Map.tryFind k |> Option.defaultValue "—")
        if (List.distinct vs).Length > 1 then k, vs ]

let private enc (s: string) = WebUtility.HtmlEncode s
let private inv (x: float) = x.ToString("0.######", Globalization.CultureInfo.InvariantCulture)

/// The page; `plotlySrc`: plotly.min.js relative to it.
let render (runs: Run list) (metrics: Set<string>) (plotlySrc: string) : string =
    let sb = StringBuilder()
    let ap (s: string) = sb.Append(s).Append('\n') |> ignore
    let plot (id: string) (json: string) =
        ap (sprintf "<div class=\"plot\" id=\"%s\"></div><script>(function(){var f=%s;Plotly.newPlot('%s',f.data,f.layout,{responsive:true,displaylogo:false});})();</script>" id (json.Replace("</", "<\\/")) id)
    ap "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    ap ("<title>compare: " + enc (String.Join(" vs ", runs |> List.map (fun r -> r.Label))) + "</title>")
    ap "<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
    ap "table{border-collapse:collapse;margin:.8em 0} th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right} td:first-child,th:first-child{text-align:left}"
    ap ".plot{width:100%;min-height:420px} .row{display:flex;gap:1em} .row>div{flex:1;min-width:0} .row .plot{min-height:300px} code{font-size:.9em}</style>"
    ap ("<script src=\"" + enc plotlySrc + "\"></script></head><body>")
    ap "<h1>Runs compared</h1>\n<table id=\"runs\"><thead><tr><th>run</th><th>experiment</th><th>state</th></tr></thead><tbody>"
    for r in runs do ap (sprintf "<tr><td>%s</td><td>%s</td><td>%s</td></tr>" (enc r.Label) (enc r.Experiment) (enc r.State))
    ap "</tbody></table>"
    // Final metrics: one row per run, case and fit; one column per metric compared.
    let finals = runs |> List.collect (fun r -> r.Finals |> List.filter (fun (_, _, m, _) -> metrics.Contains m) |> List.map (fun (c, f, m, v) -> r, c, f, m, v))
    ap "<h2>Final metrics</h2>"
    if finals.IsEmpty then ap "<p>No run has final metrics yet (summary.json is written at the end of a run).</p>"
    else
        let names = finals |> List.map (fun (_, _, _, m, _) -> m) |> List.distinct
        ap ("<table id=\"finals\"><thead><tr><th>run</th><th>case</th><th>fit</th>" + String.Join("", names |> List.map (fun n -> "<th>" + enc n + "</th>")) + "</tr></thead><tbody>")
        for (r, c, f), rows in finals |> List.groupBy (fun (r, c, f, _, _) -> r, c, f) do
            let v n = rows |> List.tryPick (fun (_, _, _, m, x) -> if m = n then Some(inv x) else None) |> Option.defaultValue ""
            ap (sprintf "<tr><td>%s</td><td>%s</td><td>%s</td>%s</tr>" (enc r.Label) (enc c) (enc f) (String.Join("", names |> List.map (fun n -> "<td>" + v n + "</td>"))))
        ap "</tbody></table>"
    // Only what was set differently.
    ap "<h2>Configuration differences</h2>"
    match differences runs with
    | [] -> ap "<p id=\"no-differences\">The runs' configurations are identical.</p>"
    | diffs ->
        ap ("<table id=\"config-differences\"><thead><tr><th>setting</th>" + String.Join("", runs |> List.map (fun r -> "<th>" + enc r.Label + "</th>")) + "</tr></thead><tbody>")
        for k, vs in diffs do ap (sprintf "<tr><td><code>%s</code></td>%s</tr>" (enc k) (String.Join("", vs |> List.map (fun v -> "<td><code>" + enc v + "</code></td>"))))
        ap "</tbody></table>"
    // Curves: one figure per metric, a line per run and case/fit.
    ap "<h2>Curves</h2>"
    let mutable i = 0
    for m in metrics do
        let curves =
            [ for r in runs do
                for KeyValue((cf, metric), pts) in r.Curves do
                    if metric = m && not pts.IsEmpty then r.Label + " · " + cf, pts ]
        if not curves.IsEmpty then
            i <- i + 1
            plot (sprintf "curve-%d" i) (Plots.toJson (Plots.curves (sprintf "curve-%d" i) (m + ": every run") "step" m curves))
    if i = 0 then ap "<p>No curves: the runs logged no per-step metrics they share.</p>"
    // Sample grids: each figure id of any run, one column per run.
    let ids = runs |> List.collect (fun r -> r.Samples |> List.map fst) |> List.distinct
    if not ids.IsEmpty then
        ap "<h2>Samples side by side</h2>"
        ids |> List.iteri (fun k id ->
            ap (sprintf "<h3>%s</h3><div class=\"row\">" (enc id))
            runs |> List.iteri (fun j r ->
                ap (sprintf "<div><p>%s</p>" (enc r.Label))
                match r.Samples |> List.tryFind (fun (x, _) -> x = id) with
                | Some (_, json) -> plot (sprintf "samples-%d-%d" k j) json
                | None -> ap "<p>(this run has no such figure)</p>"
                ap "</div>")
            ap "</div>")
    ap "</body></html>"
    sb.ToString()

/// Writes the comparison page to `page` (atomically) with plotly.min.js beside it; returns the page's path.
let write (runs: Run list) (metrics: Set<string>) (page: string) (plotly: string) : string =
    let page = Path.GetFullPath page
    let dir = Path.GetDirectoryName page
    Directory.CreateDirectory dir |> ignore
    RunFolder.copyOnce plotly (Path.Combine(dir, "plotly.min.js"))
    RunFolder.writeText page (render runs metrics "plotly.min.js")
    page
