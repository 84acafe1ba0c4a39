/// Interpret.fs: runs a Plan — the run folder, config first, every case through its family (Families.fs), the
/// studies (InterpretStudies.fs), then plots, summary and report; the only DSL code that writes files.
module GenDsl.Dsl.Interpret

open System
open System.Diagnostics
open System.IO
open GenDsl.Torch
open GenDsl.Dsl.Runs

// ---- the run folder ----

/// runs/<experiment>/<yyyyMMdd-HHmmss>[-n]/ (a new folder, never an old one reused).
let private newFolder (root: string) (name: string) (now: DateTimeOffset) =
    let baseDir = Path.Combine(root, name, now.ToString("yyyyMMdd-HHmmss"))
    let rec pick i =
        let p = if i = 0 then baseDir else sprintf "%s-%d" baseDir i
        if Directory.Exists p then pick (i + 1) else p
    let dir = pick 0
    Directory.CreateDirectory(Path.Combine(dir, "checkpoints")) |> ignore
    Directory.CreateDirectory(Path.Combine(dir, "plots")) |> ignore
    dir

let private parseDevice (s: string) =
    let d = try Device.Parse s with ex -> failwithf "device '%s': %s (use cpu or cuda[:n])" s ex.Message
    if d.Type = DeviceType.CUDA && d.Index >= Torch.CudaDeviceCount then
        failwithf "device '%s': this machine's libtorch sees %d CUDA device(s); use --device cpu" s Torch.CudaDeviceCount
    d

/// Runs a checked plan: config.json first, then per-step metrics, checkpoints, plots, summary.json and
/// report.html. On any error the folder gets FAILED (with the error) and no summary or report.
let private runIn (opts: RunOptions) (plan: Plan) (folder: string) (resume: bool) : RunOutcome =
    let e = plan.Experiment
    let started = DateTimeOffset.Now
    let file n = Path.Combine(folder, n)
    if resume then
        for n in [ "FAILED"; "summary.json"; "report.html" ] do
            if File.Exists(file n) then File.Delete(file n)
    else File.WriteAllText(file "config.json", Describe.toJson e)
    try
        let plotly = match findPlotly opts.PlotlyJs with Ok p -> p | Error m -> failwith m
        opts.Threads |> Option.iter (fun n -> Torch.NumThreads <- n)
        let dev = parseDevice opts.Device
        let sw = Stopwatch.StartNew()
        let outcomes =
            use log = new MetricsLog(file "metrics.csv", file "metrics.jsonl", resume)
            plan.Cases |> List.map (fun pc ->
                use _s = Scope.Begin()
                Families.runCase { Experiment = e; Planned = pc; Device = dev; Folder = folder; Progress = opts.Progress; Log = log; Resume = resume })
        let studies =
            e.Studies |> List.map (fun st ->
                opts.Progress.Begin(st.Label, 1)
                use _s = Scope.Begin()
                let o = InterpretStudies.run e.Seed st
                opts.Progress.End st.Label
                st, o)
        let wall = sw.Elapsed.TotalSeconds
        let exps =
            Results.expectations e.Expectations outcomes
            @ (studies |> List.collect (fun (st, o) -> StudyResults.claims st.Label o))
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
                        sprintf "%s: %d training images of shape %s (%A pixels); final metrics on the %s split." (Check.familyName c.Planned.Case.Model)
                            c.Planned.N (Check.shapeText c.Planned.Shape) m.Pixels (match Families.finalSplit c.Planned.Case.Data with Test -> "test" | Valid -> "validation" | Train -> "training")
                    | _ ->
                        sprintf "%d points in %d dimensions%s." c.X.Length c.Planned.Dim
                            (match c.TrueMeanLl with Some ll -> sprintf "; NLL of the data under the true mixture %.4f nats" (-ll) | None -> "")
                { Report.Heading = "Case " + c.Planned.Case.Label; Report.Paragraphs = [ paragraph ]; Report.Tables = tables; Report.Figures = figs } ]
            @ (match Results.acrossCases e.Plots outcomes with
               | [] -> []
               | figs -> [ { Report.Heading = "All cases"; Report.Paragraphs = []; Report.Tables = []; Report.Figures = figs } ])
            @ [ for st, o in studies ->
                  { Report.Heading = "Study " + st.Label; Report.Paragraphs = [ StudyResults.paragraph o ]
                    Report.Tables = StudyResults.tables st.Label o; Report.Figures = StudyResults.figures st.Label o } ]
        for s in sections do
            for f in s.Figures do File.WriteAllText(Path.Combine(folder, "plots", f.Id + ".json"), Plots.toJson f)
        let vers = versions plotly
        File.Copy(plotly, file "plotly.min.js", true)
        let model: Report.ReportModel =
            { Title = e.Title; Name = e.Name; Seed = e.Seed; Started = started; WallSeconds = wall; Versions = vers
              ConfigJson = Describe.toJson e; FinalMetrics = Results.metricsTable e.Metrics outcomes
              Expectations = exps; Notes = e.Notes; Sections = sections }
        // The summary and the report come last, so a folder that has them is complete.
        File.WriteAllText(file "summary.json", Results.summary e started wall vers outcomes (studies |> List.map (fun (st, o) -> StudyResults.summary st.Label o)) exps)
        File.WriteAllText(file "report.html", Report.render model "plotly.min.js")
        { Folder = folder; Error = None; Expectations = exps }
    with ex ->
        for n in [ "summary.json"; "report.html" ] do
            if File.Exists(file n) then File.Delete(file n)
        File.WriteAllText(file "FAILED", sprintf "run failed at %s\n%s\n\n%s\n" (DateTimeOffset.Now.ToString("o")) ex.Message (string ex))
        { Folder = folder; Error = Some ex.Message; Expectations = [] }

/// Runs a checked plan in a new run folder (see runIn).
let run (opts: RunOptions) (plan: Plan) : RunOutcome =
    runIn opts plan (newFolder opts.OutputRoot plan.Experiment.Name DateTimeOffset.Now) false

/// Continues a run folder from its config.json: each gradient fit resumes from its last checkpoint (bit-identical to
/// an uninterrupted run from there on); EM, closed-form fits and studies run again from the start (they are short).
/// Metrics are appended to the folder's files.
let resume (opts: RunOptions) (folder: string) : Result<RunOutcome, string> =
    let config = Path.Combine(folder, "config.json")
    if not (File.Exists config) then Error(sprintf "'%s' is not a run folder: it has no config.json" folder)
    else
        match Describe.ofJson (File.ReadAllText config) with
        | Error m -> Error(sprintf "%s: %s" config m)
        | Ok e ->
            match Check.plan e with
            | Error errs -> Error(String.Join("; ", errs |> List.map Check.message))
            | Ok plan -> Ok(runIn opts plan folder true)
