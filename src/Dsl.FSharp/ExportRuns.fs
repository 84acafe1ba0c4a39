/// ExportRuns.fs: the runs `gendsl export` reads — a finished run folder (runs/<experiment>/<stamp>/: summary, config,
/// provenance, plots, metrics.csv's step times) or a folder an earlier export wrote (docs/results/<experiment>/<stamp>/
/// with export.json, a legacy one included) — and which of them an export takes (per experiment and set of cases, the
/// newest). Export.fs makes the page from them.
module GenDsl.Dsl.ExportRuns

open System
open System.Globalization
open System.IO
open System.Text.Json.Nodes

/// A finished run to export.
type Run =
    { Folder: string
      Experiment: string
      Stamp: string
      Summary: JsonNode
      /// config.json: the experiment as run (fits' batch sizes, the experiment's notes); an empty object if absent.
      Config: JsonNode
      Provenance: Provenance.Entry list
      /// A resumed run's per (case, fit) sum of its steps' and evaluations' times in metrics.csv, over every segment; empty
      /// for a run never resumed (its summary's seconds are whole).
      StepSeconds: Map<string * string, float>
      /// (figure id, title, plotly JSON) from plots/*.json, in file-name order; an exported run's JSON is "" (its
      /// figures are drawn already).
      Figures: (string * string * string) list
      /// An exported run (a folder of docs/results with export.json): its figure files are copied, not drawn again.
      Exported: string option
      /// A run exported before export kept its numbers (before 2026-12-07): its section and table rows as the page
      /// showed them, kept as they are.
      Legacy: Legacy option }

/// What the page showed of a run exported before export.json kept its numbers: its section verbatim, the script of
/// the README problem it stood under, its cases, and its rows (the table across runs' where it had one, else its own
/// table's) by column name.
and Legacy =
    { Section: string
      Script: string option
      Cases: string list
      Columns: string list
      Rows: Map<string, string> list
      Notes: string list }

/// An exported run's own file: its figures (id, title) and step times, or, for a legacy run, what the page showed.
let exportFile = "export.json"

let private isExported (d: string) = File.Exists(Path.Combine(d, exportFile))
let private isRun (d: string) = File.Exists(Path.Combine(d, "config.json")) || isExported d

let private subdirs (d: string) =
    Directory.GetDirectories d |> Array.filter (fun x -> not ((Path.GetFileName x).StartsWith ".")) |> Array.sort |> List.ofArray

/// metrics.csv's rows are case,fit,step,metric,value,seconds: a step's training rows carry its time, an evaluation's
/// rows (validation) the evaluation's time; their distinct values per step, summed, are the fit's time.
let stepSeconds (csv: string) : Map<string * string, float> =
    if not (File.Exists csv) then Map.empty
    else
        File.ReadLines csv
        |> Seq.skip 1
        |> Seq.choose (fun line ->
            match line.Split(',') with
            | [| case; fit; step; _; _; secs |] ->
                match Double.TryParse(secs, NumberStyles.Float, CultureInfo.InvariantCulture) with
                | true, x -> Some(case, fit, step, x)
                | _ -> None
            | _ -> None)
        |> Seq.distinct
        |> Seq.groupBy (fun (c, f, _, _) -> c, f)
        |> Seq.map (fun (k, xs) -> k, xs |> Seq.sumBy (fun (_, _, _, x) -> x))
        |> Map.ofSeq

let private load (folder: string) : Run =
    let summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))
    let plots = Path.Combine(folder, "plots")
    let figures =
        if not (Directory.Exists plots) then []
        else
            [ for f in Directory.GetFiles(plots, "*.json") |> Array.sort do
                let json = File.ReadAllText f
                let title =
                    try
                        match JsonNode.Parse(json).["layout"].["title"] with
                        | null -> Path.GetFileNameWithoutExtension f
                        | t when (t :? JsonValue) -> t.GetValue<string>()
                        | t -> match t.["text"] with null -> Path.GetFileNameWithoutExtension f | x -> x.GetValue<string>()
                    with _ -> Path.GetFileNameWithoutExtension f
                Path.GetFileNameWithoutExtension f, title, json ]
    let full = Path.GetFullPath folder
    let provenance = Provenance.read full
    { Folder = full
      Experiment = (match summary.["experiment"] with null -> Path.GetFileName(Path.GetDirectoryName full) | n -> n.GetValue<string>())
      Stamp = Path.GetFileName full
      Summary = summary
      Config = (let c = Path.Combine(folder, "config.json") in if File.Exists c then JsonNode.Parse(File.ReadAllText c) else JsonObject())
      Provenance = provenance
      StepSeconds = if provenance |> List.exists (fun e -> e.Resumed) then stepSeconds (Path.Combine(folder, "metrics.csv")) else Map.empty
      Figures = figures
      Exported = None
      Legacy = None }

/// A JSON array of strings as a list (empty for a missing one).
let strings (n: JsonNode) = match n with null -> [] | a -> [ for x in a.AsArray() -> x.GetValue<string>() ]

/// A run as an earlier export left it in the figures folder (docs/results/<experiment>/<stamp>/).
let private loadExported (folder: string) : Run =
    let full = Path.GetFullPath folder
    let meta = JsonNode.Parse(File.ReadAllText(Path.Combine(full, exportFile)))
    let json (name: string) = let p = Path.Combine(full, name) in if File.Exists p then JsonNode.Parse(File.ReadAllText p) else JsonObject() :> JsonNode
    let summary = json "summary.json"
    let legacy =
        match meta.["legacy"] with
        | null -> None
        | l ->
            Some { Section = l.["section"].GetValue<string>()
                   Script = (match l.["script"] with null -> None | x -> Some(x.GetValue<string>()))
                   Cases = strings l.["cases"]
                   Columns = strings l.["columns"]
                   Rows = [ for row in l.["rows"].AsArray() -> Map.ofList [ for kv in row.AsObject() -> kv.Key, kv.Value.GetValue<string>() ] ]
                   Notes = strings l.["notes"] }
    let command = match meta.["legacy"] with null -> None | l -> (match l.["command"] with null -> None | c -> Some(c.GetValue<string>()))
    { Folder = full
      Experiment = (match summary.["experiment"] with null -> Path.GetFileName(Path.GetDirectoryName full) | n -> n.GetValue<string>())
      Stamp = Path.GetFileName full
      Summary = summary
      Config = json "config.json"
      Provenance =
        (match command with
         | Some c -> [ { Command = c; Commit = ""; Dirty = false; At = ""; Resumed = false } ]
         | None -> Provenance.read full)
      StepSeconds =
        (match meta.["step_seconds"] with
         | null -> Map.empty
         | xs -> Map.ofList [ for x in xs.AsArray() -> (x.["case"].GetValue<string>(), x.["fit"].GetValue<string>()), x.["seconds"].GetValue<float>() ])
      Figures = (match meta.["figures"] with null -> [] | fs -> [ for f in fs.AsArray() -> f.["id"].GetValue<string>(), f.["title"].GetValue<string>(), "" ])
      Exported = Some full
      Legacy = legacy }

let private caseKey (r: Run) =
    match r.Legacy, r.Summary.["cases"] with
    | Some l, _ -> String.Join(",", List.sort l.Cases)
    | None, null -> ""
    | None, cs -> String.Join(",", [ for c in cs.AsArray() -> c.["label"].GetValue<string>() ] |> List.sort)

/// The runs the arguments name: a run folder (it must be finished: DONE), an experiment's folder or a root of run
/// folders (their finished runs; per experiment and set of cases the newest). Returns the runs and a line per folder
/// skipped, or why an argument cannot be used.
let collect (paths: string list) : Result<Run list * string list, string> =
    let skipped = Collections.Generic.List<string>()
    let finished (d: string) =
        isExported d ||
        match RunFolder.state d with
        | RunFolder.Done when File.Exists(Path.Combine(d, "summary.json")) -> true
        | s -> skipped.Add(sprintf "%s/%s: %s, not exported" (Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath d))) (Path.GetFileName d) (RunFolder.stateText s)); false
    let rec expand (p: string) : Result<string list, string> =
        if not (Directory.Exists p) then
            Error(sprintf "'%s' is not a folder: give run folders (runs/<experiment>/<timestamp>/), an experiment's runs (runs/<experiment>/) or a root of runs (runs/)" p)
        elif isExported p then Ok [ p ]
        elif isRun p then
            match RunFolder.state p with
            | RunFolder.Done when File.Exists(Path.Combine(p, "summary.json")) -> Ok [ p ]
            | s -> Error(sprintf "'%s' is %s, not finished: export takes finished runs (DONE); let it end, or `gendsl resume` it" p (RunFolder.stateText s))
        else
            let kids = subdirs p
            if kids |> List.exists isRun then Ok(kids |> List.filter isRun |> List.filter finished)
            elif kids |> List.exists (fun k -> subdirs k |> List.exists isRun) then
                Ok(kids |> List.collect (fun k -> subdirs k |> List.filter isRun |> List.filter finished))
            else Error(sprintf "'%s' holds no run folders (a run folder has config.json, an exported one export.json): give runs/<experiment>/<timestamp>/, runs/<experiment>/, runs/ or docs/results/" p)
    let results = paths |> List.map (fun p -> p, expand p)
    match results |> List.tryPick (fun (_, r) -> match r with Error m -> Some m | Ok _ -> None) with
    | Some m -> Error m
    | None ->
        let folders = results |> List.collect (fun (_, r) -> match r with Ok xs -> xs | Error _ -> []) |> List.map Path.GetFullPath |> List.distinct
        let runs =
            folders
            |> List.map (fun f ->
                try Ok(if isExported f then loadExported f else load f)
                with ex -> Error(sprintf "'%s': cannot read its summary.json, plots or %s (%s)" f exportFile ex.Message))
        match runs |> List.tryPick (function Error m -> Some m | Ok _ -> None) with
        | Some m -> Error m
        | None ->
            let runs = runs |> List.choose (function Ok r -> Some r | Error _ -> None)
            // One run per experiment and set of cases: the newest (a later run of the same cases replaces an earlier one).
            let kept =
                runs
                |> List.groupBy (fun r -> r.Experiment, caseKey r)
                |> List.map (fun (_, rs) -> rs |> List.maxBy (fun r -> r.Stamp))
            for r in runs do
                if not (List.contains r kept) then skipped.Add(sprintf "%s/%s: a newer run of the same cases is exported" r.Experiment r.Stamp)
            Ok(kept |> List.sortBy (fun r -> r.Experiment, r.Stamp), List.ofSeq skipped)
