/// Export.fs: `gendsl export` — finished run folders to one Markdown page (docs/results.md) with a section per seed
/// problem of the README's experiment table (numbers, answers from the numbers, checks, figures as PNG and SVG, the
/// command and commit that made the run) and the figure files beside it. Regenerated whole each time, from whatever
/// folders are given; nothing is half-written (figures go to a new folder swapped in, the page is renamed into place).
module GenDsl.Dsl.Export

open System
open System.Globalization
open System.IO
open System.Text
open System.Text.Json.Nodes
open System.Text.RegularExpressions

/// A seed problem as the README's experiment table lists it.
type Problem = { Name: string; Script: string; Problem: string; Produces: string }

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
      /// (figure id, title, plotly JSON) from plots/*.json, in file-name order.
      Figures: (string * string * string) list }

/// The rows of the README's experiment table: "| `experiments/<name>.fsx` | <problem> | <what it produces> |".
let problems (readme: string) : Problem list =
    [ for line in readme.Split('\n') do
        let m = Regex.Match(line, @"^\|\s*`(experiments/([A-Za-z0-9_]+)\.fsx)`\s*\|([^|]*)\|(.*)\|\s*$")
        if m.Success then
            { Name = m.Groups.[2].Value; Script = m.Groups.[1].Value; Problem = m.Groups.[3].Value.Trim(); Produces = m.Groups.[4].Value.Trim() } ]
    |> List.distinctBy (fun p -> p.Name)

let private isRun (d: string) = File.Exists(Path.Combine(d, "config.json"))

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
      Figures = figures }

let private caseKey (r: Run) =
    match r.Summary.["cases"] with
    | null -> ""
    | cs -> String.Join(",", [ for c in cs.AsArray() -> c.["label"].GetValue<string>() ] |> List.sort)

/// The runs the arguments name: a run folder (it must be finished: DONE), an experiment's folder or a root of run
/// folders (their finished runs; per experiment and set of cases the newest). Returns the runs and a line per folder
/// skipped, or why an argument cannot be used.
let collect (paths: string list) : Result<Run list * string list, string> =
    let skipped = Collections.Generic.List<string>()
    let finished (d: string) =
        match RunFolder.state d with
        | RunFolder.Done when File.Exists(Path.Combine(d, "summary.json")) -> true
        | s -> skipped.Add(sprintf "%s/%s: %s, not exported" (Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath d))) (Path.GetFileName d) (RunFolder.stateText s)); false
    let rec expand (p: string) : Result<string list, string> =
        if not (Directory.Exists p) then
            Error(sprintf "'%s' is not a folder: give run folders (runs/<experiment>/<timestamp>/), an experiment's runs (runs/<experiment>/) or a root of runs (runs/)" p)
        elif isRun p then
            match RunFolder.state p with
            | RunFolder.Done when File.Exists(Path.Combine(p, "summary.json")) -> Ok [ p ]
            | s -> Error(sprintf "'%s' is %s, not finished: export takes finished runs (DONE); let it end, or `gendsl resume` it" p (RunFolder.stateText s))
        else
            let kids = subdirs p
            if kids |> List.exists isRun then Ok(kids |> List.filter isRun |> List.filter finished)
            elif kids |> List.exists (fun k -> subdirs k |> List.exists isRun) then
                Ok(kids |> List.collect (fun k -> subdirs k |> List.filter isRun |> List.filter finished))
            else Error(sprintf "'%s' holds no run folders (a run folder has config.json): give runs/<experiment>/<timestamp>/, runs/<experiment>/ or runs/" p)
    let results = paths |> List.map (fun p -> p, expand p)
    match results |> List.tryPick (fun (_, r) -> match r with Error m -> Some m | Ok _ -> None) with
    | Some m -> Error m
    | None ->
        let folders = results |> List.collect (fun (_, r) -> match r with Ok xs -> xs | Error _ -> []) |> List.map Path.GetFullPath |> List.distinct
        let runs =
            folders
            |> List.map (fun f -> try Ok(load f) with ex -> Error(sprintf "'%s': cannot read its summary.json or plots (%s)" f ex.Message))
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

// ---- the page ----

let private inv (x: float) =
    if Double.IsNaN x then "NaN"
    elif abs x >= 1e5 || (x <> 0.0 && abs x < 1e-3) then x.ToString("0.####e+0", CultureInfo.InvariantCulture)
    else x.ToString("0.####", CultureInfo.InvariantCulture)

/// A JSON value as table text: numbers rounded, arrays joined, objects as key=value.
let rec private cell (n: JsonNode) : string =
    match n with
    | null -> ""
    | :? JsonArray as a -> String.Join(" ", a |> Seq.map cell)
    | :? JsonObject as o -> String.Join("; ", o |> Seq.map (fun kv -> kv.Key + " = " + cell kv.Value))
    | v ->
        match v.GetValueKind() with
        | Text.Json.JsonValueKind.Number -> inv (v.GetValue<float>())
        | _ -> v.ToString()

let private md (s: string) = s.Replace("|", "\\|").Replace("\n", " ")

/// A fit's seconds as the page shows them: the summary's, or, for a resumed run whose summary counts its last segment
/// only (checkpoints written before 2026-12-07 did not keep the time before them), the sum of its steps' times over
/// every segment, marked with a dagger (the tables' footnote `resumedNote` says so).
let private fitSeconds (r: Run) (case: string) (fit: string) (reported: float option) : float option * bool =
    match reported, r.StepSeconds.TryFind((case, fit)) with
    | Some x, Some steps when steps > 1.05 * x -> Some steps, true
    | x, _ -> x, false

let private resumedNote =
    "† a resumed run whose summary counts only its last segment's seconds (its checkpoints predate the time they now keep): the figure is the sum of its steps' and evaluations' times in metrics.csv over every segment."

let private numberOf (n: JsonNode) = match n with null -> None | x when x.GetValueKind() = Text.Json.JsonValueKind.Number -> Some(x.GetValue<float>()) | _ -> None
let private secondsText (x: float option, marked: bool) = match x with Some x -> x.ToString("0", CultureInfo.InvariantCulture) + (if marked then " †" else "") | None -> ""

/// A command as shown on the page: absolute paths cut to the part from experiments/ (or to their last name), so the
/// page names no folder of the machine it ran on.
let shownCommand (command: string) =
    command.Split(' ')
    |> Array.map (fun a ->
        let q = a.Trim('\'')
        if q.StartsWith "/" then
            let i = q.IndexOf "/experiments/"
            if i >= 0 then q.Substring(i + 1) else "…/" + Path.GetFileName(q.TrimEnd('/'))
        else a)
    |> fun xs -> String.Join(" ", xs)

let private metricsTable (sb: StringBuilder) (r: Run) =
    match r.Summary.["cases"] with
    | null -> ()
    | cs ->
        let rows = [ for c in cs.AsArray() do for f in c.["fits"].AsArray() -> c, f ]
        if not rows.IsEmpty then
            let names = rows |> List.collect (fun (_, f) -> [ for kv in f.["metrics"].AsObject() -> kv.Key ]) |> List.distinct
            sb.AppendLine("| case | fit | " + String.Join(" | ", names) + " | seconds |").AppendLine("|---|---|" + String.replicate (names.Length + 1) "---|") |> ignore
            let mutable marked = false
            for c, f in rows do
                let v (k: string) = match f.["metrics"].[k] with null -> "" | x -> cell x
                let secs = fitSeconds r (c.["label"].ToString()) (f.["fit"].ToString()) (numberOf f.["seconds"])
                marked <- marked || snd secs
                sb.AppendLine(sprintf "| %s | %s | %s | %s |" (md (c.["label"].ToString())) (md (f.["fit"].ToString())) (String.Join(" | ", names |> List.map v)) (secondsText secs)) |> ignore
            sb.AppendLine() |> ignore
            if marked then sb.AppendLine(resumedNote).AppendLine() |> ignore

let private studiesTable (sb: StringBuilder) (summary: JsonNode) =
    match summary.["studies"] with
    | null -> ()
    | ss ->
        for s in ss.AsArray() do
            sb.AppendLine(sprintf "Study `%s`:" (s.["label"].ToString())).AppendLine().AppendLine("| quantity | value |").AppendLine("|---|---|") |> ignore
            for kv in s.AsObject() do
                if kv.Key <> "label" then sb.AppendLine(sprintf "| %s | %s |" (md kv.Key) (md (cell kv.Value))) |> ignore
            sb.AppendLine() |> ignore

/// Where a run's figure files go under the figures folder: <experiment>/<stamp>/<id>.
let private figureRel (r: Run) (id: string) = Path.Combine(r.Experiment, r.Stamp, id)

let private runSection (sb: StringBuilder) (linkBase: string) (p: Problem option) (r: Run) =
    let ap (s: string) = sb.AppendLine s |> ignore
    let num (k: string) = match r.Summary.[k] with null -> "?" | v -> cell v
    ap (sprintf "### Run `%s/%s`" r.Experiment r.Stamp)
    ap ""
    match r.Provenance with
    | [] ->
        ap (sprintf "- command: not recorded (the run predates provenance.json); the script's command is `gendsl run %s`" (match p with Some p -> p.Script | None -> "experiments/" + r.Experiment + ".fsx"))
        ap "- commit: not recorded"
    | entries ->
        for e in entries do
            ap (sprintf "- %s: `%s`" (if e.Resumed then "resumed with" else "command") (shownCommand e.Command))
            ap (sprintf "  at commit `%s`%s" e.Commit (if e.Dirty then " with uncommitted changes" else ""))
    ap (sprintf "- seed %s, started %s, %s s" (num "seed") (num "started") (num "wall_seconds"))
    match r.Summary.["versions"] with
    | null -> ()
    | v -> ap (sprintf "- libtorch %s, %s threads, %s" (cell v.["libtorch"]) (cell v.["libtorch threads"]) (cell v.[".NET"]))
    ap ""
    let rn = Answers.RunNumbers r.Summary
    let answers = Answers.answers r.Experiment rn
    if not answers.IsEmpty then
        ap "**Answers, from this run's numbers:**"
        ap ""
        for q, a in answers do ap (sprintf "- *%s* %s" q a)
        ap ""
    metricsTable sb r
    studiesTable sb r.Summary
    match r.Summary.["expectations"] with
    | null -> ()
    | xs when xs.AsArray().Count > 0 ->
        ap (if answers.IsEmpty then "**Answers — the run's checks, each computed from its numbers:**" else "**The run's checks:**")
        ap ""
        for x in xs.AsArray() do
            ap (sprintf "- %s %s" (if x.["held"].GetValue<bool>() then "holds:" else "**FAILS:**") (x.["claim"].GetValue<string>()))
        ap ""
    | _ -> ()
    if not r.Figures.IsEmpty then
        ap (sprintf "Figures (%d × %d px; PNG at %d×: %d × %d pixels):" FigureFiles.width FigureFiles.height FigureFiles.pngScale (FigureFiles.width * FigureFiles.pngScale) (FigureFiles.height * FigureFiles.pngScale))
        ap ""
        for id, title, _ in r.Figures do
            let rel = (linkBase + "/" + (figureRel r id).Replace('\\', '/'))
            ap (sprintf "![%s](%s.png) [SVG](%s.svg)" (md title) rel rel)
            ap ""

/// The epochs a gradient fit ran: steps / ceil(training examples / batch), the last batch of an epoch being short (None for EM and the other full-batch fitters).
let private epochsOf (config: JsonNode) (case: string) (fit: string) (n: float) (steps: float) : float option =
    match config.["cases"] with
    | null -> None
    | cs ->
        cs.AsArray()
        |> Seq.tryFind (fun c -> c.["label"].GetValue<string>() = case)
        |> Option.bind (fun c -> c.["fits"].AsArray() |> Seq.tryFind (fun f -> f.["name"].GetValue<string>() = fit))
        |> Option.bind (fun f ->
            match f.["fitter"] with
            | null -> None
            | ft ->
                match ft.["batch"] with
                | null -> None
                | b when b.GetValueKind() = Text.Json.JsonValueKind.Number && n > 0.0 -> Some(steps / ceil (n / b.GetValue<float>()))
                | _ -> None)

/// One experiment's cases run one per run (the homework budgets of a table: hours each) as one table: a row per case
/// and fit from the newest run that has it, its metrics, parameters, epochs, seconds and seconds per epoch, and the
/// experiment's notes (which figures are exact and which bounds).
let private acrossRuns (sb: StringBuilder) (experiment: string) (runs: Run list) =
    let ap (s: string) = sb.AppendLine s |> ignore
    let newestFirst = runs |> List.sortByDescending (fun r -> r.Stamp)
    let labels (r: Run) = match r.Summary.["cases"] with null -> [] | cs -> [ for c in cs.AsArray() -> c ]
    let cases =
        runs |> List.sortBy (fun r -> r.Stamp) |> List.collect (labels >> List.map (fun c -> c.["label"].GetValue<string>())) |> List.distinct
        |> List.choose (fun l -> newestFirst |> List.tryPick (fun r -> labels r |> List.tryFind (fun c -> c.["label"].GetValue<string>() = l) |> Option.map (fun c -> r, c)))
    let rows = [ for r, c in cases do for f in c.["fits"].AsArray() -> r, c, f ]
    if not rows.IsEmpty then
        let names = rows |> List.collect (fun (_, _, f) -> [ for kv in f.["metrics"].AsObject() -> kv.Key ]) |> List.distinct
        ap (sprintf "### `%s`: one table across its %d runs" experiment runs.Length)
        ap ""
        ap "A row per case, from the newest run that has it (the runs' sections below give each one's command and commit)."
        ap ""
        ap ("| case | fit | " + String.Join(" | ", names) + " | parameters | epochs | seconds | seconds per epoch | run |")
        ap ("|---|---|" + String.replicate (names.Length + 5) "---|")
        let mutable marked = false
        for r, c, f in rows do
            let v (k: string) = match f.["metrics"].[k] with null -> "" | x -> cell x
            let label, fit = c.["label"].GetValue<string>(), f.["fit"].GetValue<string>()
            let epochs =
                match numberOf c.["n"], numberOf f.["iterations"] with
                | Some n, Some it -> epochsOf r.Config label fit n it
                | _ -> None
            let secs = fitSeconds r label fit (numberOf f.["seconds"])
            marked <- marked || snd secs
            ap (sprintf "| %s | %s | %s | %s | %s | %s | %s | `%s` |" (md label) (md fit) (String.Join(" | ", names |> List.map v))
                    (match numberOf f.["parameters"] with Some p -> p.ToString("#,0", CultureInfo.InvariantCulture) | None -> "")
                    (match epochs with Some e -> e.ToString("0.##", CultureInfo.InvariantCulture) | None -> (match numberOf f.["iterations"] with Some i -> sprintf "— (%s iterations)" (inv i) | None -> ""))
                    (secondsText secs)
                    (match epochs, fst secs with Some e, Some x when e > 0.0 -> (x / e).ToString("0", CultureInfo.InvariantCulture) | _ -> "")
                    r.Stamp)
        ap ""
        if marked then
            ap resumedNote
            ap ""
        match (newestFirst |> List.head).Config.["notes"] with
        | null -> ()
        | ns -> for n in ns.AsArray() do ap (sprintf "> %s" (md (n.GetValue<string>()))); ap ""

/// Whether a run is one of a README problem's: its experiment has the script's name, or its first command ran that
/// script (a script may declare several experiments: likelihood_table_mnist.fsx's binary and dequantised tables).
let ofProblem (p: Problem) (r: Run) =
    r.Experiment = p.Name
    || r.Provenance |> List.tryHead |> Option.exists (fun e -> (shownCommand e.Command).Split(' ') |> Array.contains p.Script)

/// The whole page: a section per README problem (in the table's order, saying so plainly when no run was given),
/// then any other experiment's runs. `linkBase`: the figures folder relative to the page.
let page (problems: Problem list) (runs: Run list) (linkBase: string) (skipped: string list) : string =
    let sb = StringBuilder()
    let ap (s: string) = sb.AppendLine s |> ignore
    ap "# Results"
    ap ""
    ap "Every seed problem's numbers, answers and figures, from finished run folders. This page is generated by"
    ap "`gendsl export <run folders> --to docs/results` (README \"Results\"): do not edit it by hand; re-run the export after new runs."
    ap (sprintf "Figures are drawn from each run's plotly figures by plotly.js in headless Chromium, %d × %d px (SVG), PNG at %d× (%d × %d pixels)."
            FigureFiles.width FigureFiles.height FigureFiles.pngScale (FigureFiles.width * FigureFiles.pngScale) (FigureFiles.height * FigureFiles.pngScale))
    ap ""
    ap "| seed problem | script | runs exported |"
    ap "|---|---|---|"
    for p in problems do
        let n = runs |> List.filter (ofProblem p) |> List.length
        ap (sprintf "| %s | `%s` | %s |" (md p.Problem) p.Script (if n = 0 then "none yet" else string n))
    ap ""
    for p in problems do
        ap (sprintf "## %s — `%s`" p.Problem p.Script)
        ap ""
        ap (sprintf "What the script produces: %s" p.Produces)
        ap ""
        match runs |> List.filter (ofProblem p) with
        | [] ->
            ap (sprintf "**No run of this problem was exported.** Run `gendsl run %s`, then export again with its folder." p.Script)
            ap ""
        | rs ->
            for experiment, ers in rs |> List.groupBy (fun r -> r.Experiment) do
                if ers.Length > 1 then acrossRuns sb experiment ers
            for r in rs do runSection sb linkBase (Some p) r
    let others = runs |> List.filter (fun r -> not (problems |> List.exists (fun p -> ofProblem p r)))
    if not others.IsEmpty then
        ap "## Other experiments"
        ap ""
        for r in others do runSection sb linkBase None r
    if not skipped.IsEmpty then
        ap "## Folders not exported"
        ap ""
        for s in skipped do ap ("- " + s)
        ap ""
    sb.ToString()

// ---- writing ----

/// What an export wrote.
type Written = { Page: string; Figures: int; Runs: int; Skipped: string list }

/// Exports `runs` to `figures` (the folder of figure files, replaced whole) and `pagePath` (written atomically).
/// Every figure is drawn before anything is replaced: a figure that cannot be drawn leaves the old page and figures.
let write (readme: string) (runs: Run list) (skipped: string list) (figures: string) (pagePath: string) (chromium: string) (plotly: string) : Result<Written, string> =
    let figures = Path.GetFullPath figures
    let pagePath = Path.GetFullPath pagePath
    let fresh = figures.TrimEnd(Path.DirectorySeparatorChar) + sprintf ".new-%d" Environment.ProcessId
    if Directory.Exists fresh then Directory.Delete(fresh, true)
    Directory.CreateDirectory fresh |> ignore
    let jobs = [ for r in runs do for id, _, json in r.Figures -> { FigureFiles.Json = json; FigureFiles.Target = Path.Combine(fresh, figureRel r id) } ]
    match FigureFiles.render chromium plotly jobs with
    | (target, why) :: rest ->
        (try Directory.Delete(fresh, true) with _ -> ())
        Error(sprintf "%d figure(s) could not be drawn, nothing was replaced; the first, %s: %s" (rest.Length + 1) (Path.GetFileName target) why)
    | [] ->
        let old = figures.TrimEnd(Path.DirectorySeparatorChar) + sprintf ".old-%d" Environment.ProcessId
        if Directory.Exists figures then Directory.Move(figures, old)
        Directory.Move(fresh, figures)
        if Directory.Exists old then Directory.Delete(old, true)
        let linkBase = Path.GetRelativePath(Path.GetDirectoryName pagePath, figures).Replace('\\', '/')
        Directory.CreateDirectory(Path.GetDirectoryName pagePath) |> ignore
        RunFolder.writeText pagePath (page (problems readme) runs linkBase skipped)
        Ok { Page = pagePath; Figures = jobs.Length; Runs = runs.Length; Skipped = skipped }
