/// Interpret.fs: runs a Plan — the run folder, config first, every case through its family (Families.fs), the
/// studies (Studies/), then plots, summary and report; the only DSL code that writes files.
module GenDsl.Dsl.Interpret

open System
open System.Diagnostics
open System.IO
open GenDsl.Torch
open GenDsl.Dsl.Runs

// ---- the run folder ----

/// runs/<experiment>/<yyyyMMdd-HHmmss>[-n]/, new and already marked RUNNING (RunFolder.create: never an old one reused,
/// never one shared with another process).
let private newFolder (root: string) (name: string) (now: DateTimeOffset) =
    RunFolder.create root name (now.ToString("yyyyMMdd-HHmmss"))

/// The device a --device text names, or one sentence saying why not (with one hint).
let deviceOf (s: string) : Result<Device, string> =
    match (try Ok(Device.Parse s) with :? ArgumentException as ex -> Error ex.Message) with
    | Error m -> Error m
    | Ok d when d.Type = DeviceType.CUDA && d.Index >= Torch.CudaDeviceCount ->
        Error(sprintf "device '%s': this machine's libtorch sees %d CUDA device(s); use --device cpu" s Torch.CudaDeviceCount)
    | Ok d -> Ok d

let private parseDevice (s: string) = match deviceOf s with Ok d -> d | Error m -> failwith m

/// Runs a checked plan: config.json first, then per-step metrics, checkpoints, plots, summary.json and
/// report.html, every file through RunFolder.within (inside the folder) and written atomically; while it trains,
/// report.html is the live page over live.js (Live.fs). The folder's marker goes RUNNING -> DONE; on an error FAILED (with
/// the error), no summary, and report.html the live page saying FAILED; on a stop request
/// (RunFolder.requestStop: SIGINT, SIGTERM) INTERRUPTED, after the current step's checkpoint of a gradient fit.
let private runIn (opts: RunOptions) (plan: Plan) (folder: string) (resume: bool) : RunOutcome =
    let e = plan.Experiment
    let started = DateTimeOffset.Now
    let file n = RunFolder.within folder [ n ]
    // plotly.min.js once per output root (<root>/<experiment>/<stamp>/ -> <root>/), referenced relatively by each report.
    let root = Path.GetFullPath(Path.Combine(folder, "..", ".."))
    let clearResults () =
        for n in [ "summary.json"; "report.html" ] do
            if File.Exists(file n) then File.Delete(file n)
    if resume then
        clearResults ()
        RunFolder.mark folder "RUNNING" (RunFolder.runningText ())
    else
        RunFolder.writeText (file "config.json") (Describe.toJson e)
        match opts.Script with
        | Some script when Describe.hasUserModels e -> RunFolder.writeText (file "script.txt") (Path.GetFullPath script + "\n")
        | _ -> ()
    // What produced the run: the command and the checkout's commit (README "Results"); each resume adds an entry.
    let checkout = match opts.Script with Some s -> Path.GetDirectoryName(Path.GetFullPath s) | None -> Directory.GetCurrentDirectory()
    Provenance.record folder (defaultArg opts.Command "(started from code: Interpret.run)") checkout resume
    // report.html is the live page until the end (curves so far, RUNNING, step and ETA), then the final report.
    use live = new Live.LiveReport(folder, e.Title, e.Name, "../../plotly.min.js", opts.Progress, TimeSpan.FromSeconds 5.0)
    let opts = { opts with Progress = live.Progress }
    try
        RunFolder.throwIfStopped ()
        let plotly = match findPlotly opts.PlotlyJs with Ok p -> p | Error m -> failwith m
        RunFolder.copyOnce plotly (RunFolder.within root [ "plotly.min.js" ])
        opts.Threads |> Option.iter (fun n -> Torch.NumThreads <- n)
        let dev = parseDevice opts.Device
        let sw = Stopwatch.StartNew()
        let outcomes =
            use log = new MetricsLog(file "metrics.csv", file "metrics.jsonl", resume)
            plan.Cases |> List.map (fun pc ->
                RunFolder.throwIfStopped ()
                use _s = Scope.Begin()
                Families.runCase { Experiment = e; Planned = pc; Device = dev; Folder = folder; Progress = opts.Progress; Log = log; Resume = resume; Distributed = opts.Distributed })
        let studies =
            e.Studies |> List.map (fun st ->
                RunFolder.throwIfStopped ()
                opts.Progress.Begin(st.Label, 1)
                use _s = Scope.Begin()
                let o = Studies.run e.Seed st
                opts.Progress.End st.Label
                st, o)
        let wall = sw.Elapsed.TotalSeconds
        let exps =
            Results.expectations e.Expectations outcomes
            @ (studies |> List.collect (fun (_, o) -> o.Claims))
        let nllBound = e.Expectations |> List.tryPick (fun x -> if x.Metric = Nll && x.Comparison = Below then Some x.Value else None)
        let sections =
            [ for c in outcomes ->
                let figs = Results.figures e.Plots nllBound c
                let tables = (if List.contains ParameterComparison e.Plots then Results.parameterTables c else []) @ Results.textTables c
                let paragraph =
                    match c.Planned.Case.Data with
                    | WikiText2 w ->
                        sprintf "%s: %d training windows of %d + 1 tokens; final metrics on the test split (nats per token)." (Check.familyName c.Planned.Case.Model) c.Planned.N w.Context
                    | Mnist m ->
                        sprintf "%s: %d training images%s of shape %s (%A pixels); final metrics on the %s split." (Check.familyName c.Planned.Case.Model)
                            c.Planned.N (match m.Draw, m.Subset with Some(AtRandom(Some s)), Some _ -> sprintf " (drawn at random with seed %d)" s | _ -> "") (Shapes.shapeText c.Planned.Shape) m.Pixels (Fitting.finalSplitName c.Planned.Case.Data)
                    | MixtureSample _ | Points _ | DataFile _ ->
                        sprintf "%s: %d training points in %d dimensions%s." (Check.familyName c.Planned.Case.Model) c.Planned.N c.Planned.Dim
                            (match c.TrueMeanLl with Some ll -> sprintf "; NLL of the data under the true mixture %.4f nats" (-ll) | None -> "")
                { Report.Heading = "Case " + c.Planned.Case.Label; Report.Paragraphs = [ paragraph ]; Report.Tables = tables; Report.Figures = figs } ]
            @ (match Results.acrossCases e.Plots outcomes with
               | [] -> []
               | figs -> [ { Report.Heading = "All cases"; Report.Paragraphs = []; Report.Tables = []; Report.Figures = figs } ])
            @ [ for st, o in studies ->
                  { Report.Heading = "Study " + st.Label; Report.Paragraphs = [ o.Paragraph ]; Report.Tables = o.Tables; Report.Figures = o.Figures } ]
        for s in sections do
            for f in s.Figures do RunFolder.writeText (RunFolder.within folder [ "plots"; f.Id + ".json" ]) (Plots.toJson f)
        let vers = versions plotly
        let model: Report.ReportModel =
            { Title = e.Title; Name = e.Name; Seed = e.Seed; Started = started; WallSeconds = wall; Versions = vers
              ConfigJson = Describe.toJson e; FinalMetrics = Results.metricsTable e.Metrics outcomes
              Expectations = exps; Notes = e.Notes; Sections = sections }
        // The summary and the report come last, then DONE, so a folder marked DONE is complete.
        RunFolder.writeText (file "summary.json") (Results.summary e started wall vers outcomes (studies |> List.map (fun (_, o) -> o.Summary)) exps)
        RunFolder.writeText (file "report.html") (Report.render model "../../plotly.min.js")
        live.Finish("DONE", "")
        RunFolder.mark folder "DONE" (sprintf "finished at %s after %.1f s\n" (DateTimeOffset.Now.ToString("o")) wall)
        { Folder = folder; Error = None; Interrupted = None; Expectations = exps }
    with
    | RunFolder.RunInterrupted signal ->
        clearResults ()
        let name = if signal = 15 then "SIGTERM" else "SIGINT"
        let msg = sprintf "interrupted by %s; continue it with `gendsl resume %s`" name folder
        live.Finish("INTERRUPTED", msg)
        RunFolder.mark folder "INTERRUPTED" (sprintf "interrupted at %s by %s\ngradient fits resume from checkpoints/<case>_<fit>/last.pt; EM fits and studies run again\n" (DateTimeOffset.Now.ToString("o")) name)
        { Folder = folder; Error = Some msg; Interrupted = Some signal; Expectations = [] }
    | ex ->
        clearResults ()
        live.Finish("FAILED", ex.Message)
        RunFolder.mark folder "FAILED" (sprintf "run failed at %s\n%s\n\n%s\n" (DateTimeOffset.Now.ToString("o")) ex.Message (string ex))
        { Folder = folder; Error = Some ex.Message; Interrupted = None; Expectations = [] }

/// Runs a checked plan in a new run folder (see runIn).
let run (opts: RunOptions) (plan: Plan) : RunOutcome =
    runIn opts plan (newFolder opts.OutputRoot plan.Experiment.Name DateTimeOffset.Now) false

/// The experiment of a run lengthened by `gendsl resume <folder> --set <key>=<n>`: the assignments may lengthen fits'
/// budgets (steps or epochs, as `--set` names them for `run`) and change nothing else; no budget may shrink; a
/// lengthened fit's lr schedule must not depend on its length (a cosine anneals over all of it, so the steps already
/// run would not be a longer run's); a lengthened fit of a finished run needs its last checkpoint. Or why not.
let private lengthened (folder: string) (finished: bool) (before: Experiment) (assignments: Settings.Assignment list) : Result<Plan, string> =
    let message (errs: DslError list) = "resume --set: " + String.Join("; ", errs |> List.map Check.message)
    // A fit's budget as the run had it (gradient fits only).
    let budgetBefore (case: string) (fit: string) =
        before.Cases |> List.tryFind (fun c -> c.Label = case) |> Option.bind (fun c -> c.Fits |> List.tryFind (fun f -> f.Name = fit))
        |> Option.bind (fun f -> match f.Fitter with Gradient t -> Some t.Budget | _ -> None)
    match Settings.applyAssignments assignments before with
    | Error errs -> Error(message errs)
    | Ok after ->
        // Every setting but the budgets as before: put the old budgets back and compare the whole configuration.
        let restored =
            { after with
                Cases = after.Cases |> List.map (fun c ->
                    { c with Fits = c.Fits |> List.map (fun f ->
                                match f.Fitter, budgetBefore c.Label f.Name with
                                | Gradient t, Some b -> { f with Fitter = Gradient { t with Budget = b } }
                                | _ -> f) }) }
        let leaves (e: Experiment) = Tree.leaves (Tree.toNode e) |> List.map (fun l -> Settings.keyText l.Path, (match l.Node with null -> "null" | n -> n.ToJsonString()))
        let unchanged = set (leaves before)
        match leaves restored |> List.tryFind (fun x -> not (unchanged.Contains x)) with
        | Some (key, _) ->
            Error(sprintf "resume --set lengthens fits (their steps or epochs) and changes nothing else, but this changes %s: a run with other settings is a new run (gendsl run <script> --set ...)" key)
        | None ->
            match Check.plan before, Check.plan after with
            | Error errs, _ | _, Error errs -> Error(message errs)
            | Ok p0, Ok p1 ->
                let fits =
                    [ for c0, c1 in List.zip p0.Cases p1.Cases do
                        for KeyValue (name, r1) in c1.Resolved do
                            let r0 = c0.Resolved.[name]
                            yield c1.Case.Label, name, r0, r1 ]
                let longer = fits |> List.filter (fun (_, _, r0, r1) -> r1.Steps > r0.Steps)
                let checkpoint c f = RunFolder.within folder [ "checkpoints"; c + "_" + f; "last.pt" ]
                match fits |> List.tryFind (fun (_, _, r0, r1) -> r1.Steps < r0.Steps) with
                | Some (c, f, r0, r1) ->
                    Error(sprintf "resume --set: case '%s', fit '%s' would go from %d to %d steps; a resumed fit can only be lengthened" c f r0.Steps r1.Steps)
                | None when longer.IsEmpty ->
                    // the example lengthens the first fit in its own unit: twice its budget
                    let example =
                        match fits with
                        | (c, f, _, _) :: _ ->
                            match budgetBefore c f with
                            | Some (Steps n) -> sprintf "%s.%s.steps=%d" c f (2 * n)
                            | Some (Epochs n) -> sprintf "%s.%s.epochs=%d" c f (2 * n)
                            | None -> sprintf "%s.%s.epochs=N" c f
                        | [] -> "<case>.<fit>.epochs=N"
                    Error(sprintf "resume --set: no fit is lengthened (every budget stays as it was: %s); give a longer one, e.g. --set %s"
                              (String.Join(", ", fits |> List.map (fun (c, f, r, _) -> sprintf "%s.%s %d steps" c f r.Steps))) example)
                | None ->
                    match longer |> List.tryFind (fun (_, _, r0, r1) -> r0.Schedule <> r1.Schedule) with
                    | Some (c, f, _, _) ->
                        Error(sprintf "resume --set: case '%s', fit '%s' has an lr schedule that depends on its length (a cosine anneals over the whole fit): lengthened, the steps already run would not be those of a run of the new length. Start a new run with the longer budget" c f)
                    | None ->
                        match longer |> List.tryFind (fun (c, f, _, _) -> finished && not (File.Exists(checkpoint c f))) with
                        | Some (c, f, _, _) ->
                            Error(sprintf "resume --set: case '%s', fit '%s' kept no checkpoint of its last step (%s is missing: give the fit Fit.checkpointEvery), so it cannot be continued; start a new run with the longer budget" c f (checkpoint c f))
                        | None -> Ok p1

/// Continues a run folder from its config.json: each gradient fit resumes from its last checkpoint (bit-identical to
/// an uninterrupted run from there on); EM, closed-form fits and studies run again from the start (they are short).
/// Metrics are appended to the folder's files. Folders marked INTERRUPTED or FAILED, or RUNNING whose process is gone
/// (killed), can be resumed; a still running one cannot, nor a DONE one but to lengthen fits: `assignments` (`--set`)
/// may give fits longer budgets (see `lengthened`), in any folder that can be resumed or is DONE; its config.json then
/// holds them.
let resumeWith (like: Experiment option) (assignments: Settings.Assignment list) (opts: RunOptions) (folder: string) : Result<RunOutcome, string> =
    let config = Path.Combine(folder, "config.json")
    if not (File.Exists config) then Error(sprintf "'%s' is not a run folder: it has no config.json" folder)
    else
        let state = RunFolder.state folder
        match state with
        | RunFolder.Done when assignments.IsEmpty ->
            Error(sprintf "'%s' is complete (DONE): nothing to resume; lengthen its fits with --set (e.g. --set <case>.<fit>.epochs=N) or start a new run" folder)
        | RunFolder.Running -> Error(sprintf "'%s' is still running (see its RUNNING file): stop that process first" folder)
        | _ ->
            match Describe.ofJsonLike like (File.ReadAllText config) with
            | Error m -> Error(sprintf "%s: %s" config m)
            | Ok e ->
                let plan =
                    if assignments.IsEmpty then Check.plan e |> Result.mapError (fun errs -> String.Join("; ", errs |> List.map Check.message))
                    else lengthened folder (state = RunFolder.Done) e assignments
                match plan with
                | Error m -> Error m
                | Ok plan ->
                    if not assignments.IsEmpty then RunFolder.writeText config (Describe.toJson plan.Experiment)
                    Ok(runIn opts plan (Path.GetFullPath folder) true)

/// resumeWith, no budget lengthened.
let resumeLike (like: Experiment option) (opts: RunOptions) (folder: string) = resumeWith like [] opts folder

/// resumeLike for an experiment without models written in a script (config.json alone rebuilds it).
let resume (opts: RunOptions) (folder: string) = resumeLike None opts folder
