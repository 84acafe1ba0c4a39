/// Export.fs: `gendsl export` — finished run folders to one Markdown page (docs/results.md) with a section per seed
/// problem of the README's experiment table (numbers, answers from the numbers, checks, figures as PNG and SVG, the
/// command and commit that made the run) and the figure files beside it. Regenerated whole each time, from whatever
/// folders are given; nothing is half-written (figures go to a new folder swapped in, the page is renamed into place).
/// Each exported run keeps what its section is made from (summary.json, config.json, provenance.json with the paths of
/// the machine cut, export.json: its figures and step times) beside its figures, so an exported folder is itself a
/// source: `gendsl export docs/results runs/ --to docs/results` adds new runs to what is there without the old run
/// folders (which do not outlive the machine they ran on), copying the old figures rather than drawing them again.
module GenDsl.Dsl.Export

open System
open System.Globalization
open System.IO
open System.Text
open System.Text.Json.Nodes
open System.Text.RegularExpressions
open GenDsl.Dsl.ExportRuns

/// A seed problem as the README's experiment table lists it.
type Problem = { Name: string; Script: string; Problem: string; Produces: string }

/// The rows of the README's experiment table: "| `experiments/<name>.fsx` | <problem> | <what it produces> |".
let problems (readme: string) : Problem list =
    [ for line in readme.Split('\n') do
        let m = Regex.Match(line, @"^\|\s*`(experiments/([A-Za-z0-9_]+)\.fsx)`\s*\|([^|]*)\|(.*)\|\s*$")
        if m.Success then
            { Name = m.Groups.[2].Value; Script = m.Groups.[1].Value; Problem = m.Groups.[3].Value.Trim(); Produces = m.Groups.[4].Value.Trim() } ]
    |> List.distinctBy (fun p -> p.Name)

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
/// Seconds as shown: whole seconds from 10 up, two significant digits below (a sub-second epoch is not "0").
let private secondsShown (x: float) =
    if x >= 10.0 then x.ToString("0", CultureInfo.InvariantCulture) else x.ToString("G2", CultureInfo.InvariantCulture)

let private secondsText (x: float option, marked: bool) = match x with Some x -> secondsShown x + (if marked then " †" else "") | None -> ""

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

/// The heading of a run's own answers (also what finds a legacy section's old block).
let private runAnswersHeading = "**Answers, from this run's numbers:**"

/// What a resumed run's header adds to its wall seconds.
let private lastSegment = " of wall time in its last segment (the table's seconds count every segment)"

/// The answers block a section shows: the questions answered from the numbers, then what a person wrote about the runs.
let private answersBlock (experiment: string) (stamps: string list) (answers: (string * string) list) (heading: string) =
    let sb = StringBuilder()
    if not answers.IsEmpty then
        sb.AppendLine(heading).AppendLine() |> ignore
        for q, a in answers do sb.AppendLine(sprintf "- *%s* %s" q a) |> ignore
        sb.AppendLine() |> ignore
    match Answers.observationsFor experiment stamps with
    | [] -> ()
    | os ->
        sb.AppendLine("**Read from the figures and the record (written by a person, for the run named):**").AppendLine() |> ignore
        for o in os do sb.AppendLine(sprintf "- *%s* (`%s`) %s" o.Question o.Stamp o.Text) |> ignore
        sb.AppendLine() |> ignore
    sb.ToString()

/// A legacy section's own answers block (written by the export of its day), found to be replaced by today's.
let private legacyAnswers = Regex(Regex.Escape runAnswersHeading + @"\r?\n\r?\n(?:- .*\r?\n)+\r?\n?")

/// The header line of a resumed legacy run gives its last segment's wall seconds: say so.
let private legacyWall = Regex(@"(?m)^(- seed .*, started .*, [0-9.]+ s)\r?$")

let private runSection (sb: StringBuilder) (linkBase: string) (p: Problem option) (numbersOf: Run -> Answers.RunNumbers option) (r: Run) =
    let ap (s: string) = sb.AppendLine s |> ignore
    let numbers = numbersOf r
    let answers = match numbers with Some n -> Answers.answers r.Experiment n | None -> []
    let block = if numbers.IsSome then answersBlock r.Experiment [ r.Stamp ] answers runAnswersHeading else ""
    match r.Legacy with
    | Some l ->
        let section =
            if legacyAnswers.IsMatch l.Section then legacyAnswers.Replace(l.Section, block.Replace("$", "$$"), 1)
            elif block = "" then l.Section
            else
                // no block of its own: today's answers go before its first table
                let i = l.Section.IndexOf("\n| ")
                if i < 0 then l.Section.TrimEnd() + "\n\n" + block else l.Section.Substring(0, i + 1) + block + l.Section.Substring(i + 1)
        let section =
            if l.Section.Contains "- resumed with:" then legacyWall.Replace(section, "$1" + lastSegment, 1)
            else section
        ap (section.TrimEnd()); ap ""
    | None ->
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
    ap (sprintf "- seed %s, started %s, %s s%s" (num "seed") (num "started") (num "wall_seconds")
            (if r.Provenance |> List.exists (fun e -> e.Resumed) then lastSegment else ""))
    match r.Summary.["versions"] with
    | null -> ()
    | v -> ap (sprintf "- libtorch %s, %s threads, %s" (cell v.["libtorch"]) (cell v.["libtorch threads"]) (cell v.[".NET"]))
    ap ""
    sb.Append block |> ignore
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

/// One row of the table across runs: a case and fit of one run, its metrics as table text by name.
type private Row = { Label: string; Fit: string; Metrics: (string * string) list; Parameters: string; Epochs: string; Seconds: string; PerEpoch: string; Marked: bool; Stamp: string }

/// The rows a run gives the table across runs: from its numbers, or, for a legacy run, as the page showed them.
let private rowsOf (r: Run) : Row list =
    match r.Legacy with
    | Some l ->
        let fixedColumns = set [ "case"; "fit"; "parameters"; "epochs"; "seconds"; "seconds per epoch"; "run" ]
        [ for row in l.Rows ->
            let get k = row.TryFind k |> Option.defaultValue ""
            { Label = get "case"; Fit = get "fit"
              Metrics = [ for k in l.Columns do if not (fixedColumns.Contains k) then k, get k ]
              Parameters = get "parameters"; Epochs = get "epochs"; Seconds = get "seconds"; PerEpoch = get "seconds per epoch"
              Marked = (get "seconds").Contains "†"; Stamp = r.Stamp } ]
    | None ->
        match r.Summary.["cases"] with
        | null -> []
        | cs ->
            [ for c in cs.AsArray() do
                for f in c.["fits"].AsArray() do
                    let label, fit = c.["label"].GetValue<string>(), f.["fit"].GetValue<string>()
                    let epochs =
                        match numberOf c.["n"], numberOf f.["iterations"] with
                        | Some n, Some it -> epochsOf r.Config label fit n it
                        | _ -> None
                    let secs = fitSeconds r label fit (numberOf f.["seconds"])
                    yield
                        { Label = label; Fit = fit
                          Metrics = [ for kv in f.["metrics"].AsObject() -> kv.Key, cell kv.Value ]
                          Parameters = (match numberOf f.["parameters"] with Some p -> p.ToString("#,0", CultureInfo.InvariantCulture) | None -> "")
                          Epochs = (match epochs with Some e -> e.ToString("0.##", CultureInfo.InvariantCulture) | None -> (match numberOf f.["iterations"] with Some i -> sprintf "— (%s iterations)" (inv i) | None -> ""))
                          Seconds = secondsText secs
                          PerEpoch = (match epochs, fst secs with Some e, Some x when e > 0.0 -> secondsShown (x / e) | _ -> "")
                          Marked = snd secs
                          Stamp = r.Stamp } ]

/// The numbers of table rows as a summary the answers read (cases, each fit's metrics, parameters, seconds and epochs):
/// how a run exported before export.json kept its numbers, or an experiment's table across runs, gets its answers.
let private numbersOfRows (rows: Row list) : Answers.RunNumbers =
    let number (text: string) =
        let t = text.Replace(",", "").Replace("†", "").Trim()
        match Double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, v -> Some v
        | _ -> None
    let cases = JsonArray()
    for label, rs in rows |> List.groupBy (fun row -> row.Label) do
        let fits = JsonArray()
        for row in rs do
            let metrics = JsonObject()
            for name, text in row.Metrics do
                match number text with Some v -> metrics.[name] <- JsonValue.Create v | None -> ()
            let fit = JsonObject()
            fit.["fit"] <- JsonValue.Create row.Fit
            fit.["metrics"] <- metrics
            for key, text in [ "parameters", row.Parameters; "seconds", row.Seconds; "epochs", row.Epochs ] do
                match number text with Some v -> fit.[key] <- JsonValue.Create v | None -> ()
            fits.Add fit
        let case = JsonObject()
        case.["label"] <- JsonValue.Create label
        case.["fits"] <- fits
        cases.Add case
    let summary = JsonObject()
    summary.["cases"] <- cases
    Answers.RunNumbers summary

let private casesOf (r: Run) =
    match r.Legacy, r.Summary.["cases"] with
    | Some l, _ -> l.Cases
    | None, null -> []
    | None, cs -> [ for c in cs.AsArray() -> c.["label"].GetValue<string>() ]

/// One experiment's cases run one per run (the homework budgets of a table: hours each) as one table: a row per case
/// and fit from the newest run that has it, its metrics, parameters, epochs, seconds and seconds per epoch, and the
/// experiment's notes (which figures are exact and which bounds).
let private acrossRuns (sb: StringBuilder) (experiment: string) (runs: Run list) =
    let ap (s: string) = sb.AppendLine s |> ignore
    let newestFirst = runs |> List.sortByDescending (fun r -> r.Stamp)
    let cases =
        runs |> List.sortBy (fun r -> r.Stamp) |> List.collect casesOf |> List.distinct
        |> List.choose (fun l -> newestFirst |> List.tryFind (fun r -> List.contains l (casesOf r)) |> Option.map (fun r -> l, r))
    let rows = [ for l, r in cases do yield! rowsOf r |> List.filter (fun row -> row.Label = l) ]
    if not rows.IsEmpty then
        let names = rows |> List.collect (fun row -> List.map fst row.Metrics) |> List.distinct
        ap (sprintf "### `%s`: one table across its %d runs" experiment runs.Length)
        ap ""
        ap "A row per case, from the newest run that has it (the runs' sections below give each one's command and commit)."
        ap ""
        ap ("| case | fit | " + String.Join(" | ", names) + " | parameters | epochs | seconds | seconds per epoch | run |")
        ap ("|---|---|" + String.replicate (names.Length + 5) "---|")
        for row in rows do
            let v (k: string) = row.Metrics |> List.tryFind (fun (n, _) -> n = k) |> Option.map snd |> Option.defaultValue ""
            ap (sprintf "| %s | %s | %s | %s | %s | %s | %s | `%s` |" (md row.Label) (md row.Fit) (String.Join(" | ", names |> List.map v))
                    row.Parameters row.Epochs row.Seconds row.PerEpoch row.Stamp)
        ap ""
        if rows |> List.exists (fun row -> row.Marked) then
            ap resumedNote
            ap ""
        sb.Append(answersBlock experiment (runs |> List.map (fun r -> r.Stamp)) (Answers.answers experiment (numbersOfRows rows)) "**Answers, from the table's numbers:**") |> ignore
        let notes = newestFirst |> List.tryPick (fun r ->
                        match r.Legacy, r.Config.["notes"] with
                        | Some l, _ when not l.Notes.IsEmpty -> Some l.Notes
                        | None, ns when not (isNull ns) -> Some(strings ns)
                        | _ -> None)
        for n in defaultArg notes [] do ap (sprintf "> %s" (md n)); ap ""

/// A run's numbers for its answers: its summary, or a legacy run's rows.
let private runNumbers (r: Run) = match r.Legacy with Some _ -> numbersOfRows (rowsOf r) | None -> Answers.RunNumbers r.Summary

/// Whether a run is one of a README problem's: its experiment has the script's name, or its first command ran that
/// script (a script may declare several experiments: likelihood_table_mnist.fsx's binary and dequantised tables).
let ofProblem (p: Problem) (r: Run) =
    r.Experiment = p.Name
    || r.Legacy |> Option.exists (fun l -> l.Script = Some p.Script)
    || r.Provenance |> List.tryHead |> Option.exists (fun e -> (shownCommand e.Command).Split(' ') |> Array.contains p.Script)

/// The whole page: a section per README problem (in the table's order, saying so plainly when no run was given),
/// then any other experiment's runs. `linkBase`: the figures folder relative to the page.
let page (problems: Problem list) (runs: Run list) (linkBase: string) (skipped: string list) : string =
    let sb = StringBuilder()
    let ap (s: string) = sb.AppendLine s |> ignore
    ap "# Results"
    ap ""
    ap "Every seed problem's numbers, answers and figures, from finished run folders. This page is generated by"
    ap "`gendsl export docs/results <run folders> --to docs/results` (README \"Results\"): do not edit it by hand; export again with the new runs."
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
            let groups = rs |> List.groupBy (fun r -> r.Experiment)
            for experiment, ers in groups do
                if ers.Length > 1 then acrossRuns sb experiment ers
            // A run alone answers from its own numbers; runs of one experiment answer once, under their common table.
            let alone (r: Run) = groups |> List.exists (fun (e, ers) -> e = r.Experiment && ers.Length = 1)
            for r in rs do runSection sb linkBase (Some p) (fun r -> if alone r then Some(runNumbers r) else None) r
    let others = runs |> List.filter (fun r -> not (problems |> List.exists (fun p -> ofProblem p r)))
    if not others.IsEmpty then
        ap "## Other experiments"
        ap ""
        for r in others do runSection sb linkBase None (runNumbers >> Some) r
    if not skipped.IsEmpty then
        ap "## Folders not exported"
        ap ""
        for s in skipped do ap ("- " + s)
        ap ""
    sb.ToString()

// ---- writing ----

/// What an export wrote.
type Written = { Page: string; Figures: int; Runs: int; Skipped: string list }

/// A text with the absolute paths in it cut as `shownCommand` cuts a command's (from experiments/ on, else "…/" and the
/// last name): what export keeps of a run names no folder of the machine it ran on.
let scrubPaths (text: string) =
    Regex.Replace(text, @"(?<![\w.~])/(?:[^\s/'""`|]+/)+[^\s/'""`|]*", fun m -> shownCommand m.Value)

let rec private scrubJson (n: JsonNode) : JsonNode =
    match n with
    | null -> null
    | :? JsonObject as o ->
        let c = JsonObject()
        for kv in o do c.[kv.Key] <- scrubJson kv.Value
        c :> _
    | :? JsonArray as a ->
        let c = JsonArray()
        for x in a do c.Add(scrubJson x)
        c :> _
    | v when v.GetValueKind() = Text.Json.JsonValueKind.String -> JsonValue.Create(scrubPaths (v.GetValue<string>())) :> _
    | v -> v.DeepClone()

let private indented = Text.Json.JsonSerializerOptions(WriteIndented = true)

/// What a run's section is made from, written beside its figures so that the exported folder is a source itself:
/// summary.json, config.json and provenance.json with the machine's paths cut, and export.json (figures, step times).
let private keepNumbers (r: Run) (dir: string) =
    let save (name: string) (n: JsonNode) = File.WriteAllText(Path.Combine(dir, name), n.ToJsonString indented + "\n")
    save "summary.json" (scrubJson r.Summary)
    save "config.json" (scrubJson r.Config)
    if not r.Provenance.IsEmpty then Provenance.write dir [ for e in r.Provenance -> { e with Command = shownCommand e.Command } ]
    let figures = JsonArray()
    for id, title, _ in r.Figures do figures.Add(JsonObject(dict [ "id", (JsonValue.Create id :> JsonNode); "title", (JsonValue.Create title :> JsonNode) ]))
    let steps = JsonArray()
    for KeyValue((case, fit), x) in r.StepSeconds do
        steps.Add(JsonObject(dict [ "case", (JsonValue.Create case :> JsonNode); "fit", (JsonValue.Create fit :> JsonNode); "seconds", (JsonValue.Create x :> JsonNode) ]))
    save exportFile (JsonObject(dict [ "figures", (figures :> JsonNode); "step_seconds", (steps :> JsonNode) ]))

/// Exports `runs` to `figures` (the folder of figure files, replaced whole) and `pagePath` (written atomically): a
/// run folder's figures are drawn and its numbers kept beside them; an exported run's folder is copied as it is.
/// Every figure is drawn before anything is replaced: a figure that cannot be drawn leaves the old page and figures.
let write (readme: string) (runs: Run list) (skipped: string list) (figures: string) (pagePath: string) (chromium: string) (plotly: string) : Result<Written, string> =
    let figures = Path.GetFullPath figures
    let pagePath = Path.GetFullPath pagePath
    let fresh = figures.TrimEnd(Path.DirectorySeparatorChar) + sprintf ".new-%d" Environment.ProcessId
    if Directory.Exists fresh then Directory.Delete(fresh, true)
    Directory.CreateDirectory fresh |> ignore
    let jobs = [ for r in runs do if r.Exported.IsNone then for id, _, json in r.Figures -> { FigureFiles.Json = json; FigureFiles.Target = Path.Combine(fresh, figureRel r id) } ]
    match FigureFiles.render chromium plotly jobs with
    | (target, why) :: rest ->
        (try Directory.Delete(fresh, true) with _ -> ())
        Error(sprintf "%d figure(s) could not be drawn, nothing was replaced; the first, %s: %s" (rest.Length + 1) (Path.GetFileName target) why)
    | [] ->
        for r in runs do
            let dir = Path.Combine(fresh, r.Experiment, r.Stamp)
            Directory.CreateDirectory dir |> ignore
            match r.Exported with
            | Some from -> for f in Directory.GetFiles from do File.Copy(f, Path.Combine(dir, Path.GetFileName f), true)
            | None -> keepNumbers r dir
        let old = figures.TrimEnd(Path.DirectorySeparatorChar) + sprintf ".old-%d" Environment.ProcessId
        if Directory.Exists figures then Directory.Move(figures, old)
        Directory.Move(fresh, figures)
        if Directory.Exists old then Directory.Delete(old, true)
        let linkBase = Path.GetRelativePath(Path.GetDirectoryName pagePath, figures).Replace('\\', '/')
        Directory.CreateDirectory(Path.GetDirectoryName pagePath) |> ignore
        RunFolder.writeText pagePath (page (problems readme) runs linkBase skipped)
        Ok { Page = pagePath; Figures = jobs.Length; Runs = runs.Length; Skipped = skipped }
