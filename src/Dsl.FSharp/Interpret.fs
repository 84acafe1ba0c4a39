/// Interpret.fs: runs a Plan — with InterpretStudies.fs the only DSL code that calls the core, and the only one doing IO (run folder, metrics, checkpoints, report).
module GenDsl.Dsl.Interpret

open System
open System.Diagnostics
open System.Globalization
open System.IO
open System.Text.Json.Nodes
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Dsl.Results

/// Where progress goes (the CLI draws bars or prints lines; tests stay silent).
type IProgress =
    abstract Begin: task: string * total: int -> unit
    abstract Step: task: string * iteration: int * meanLogLikelihood: float -> unit
    abstract End: task: string -> unit

let silent =
    { new IProgress with
        member _.Begin(_, _) = ()
        member _.Step(_, _, _) = ()
        member _.End _ = () }

type RunOptions =
    { /// Runs go to <OutputRoot>/<experiment>/<timestamp>/.
      OutputRoot: string
      /// "cpu" or "cuda[:n]".
      Device: string
      /// libtorch intra-op threads; None: leave as is.
      Threads: int option
      /// plotly.min.js to copy next to the report; None: found next to this assembly or in a node_modules above.
      PlotlyJs: string option
      Progress: IProgress }

let defaults = { OutputRoot = "runs"; Device = "cpu"; Threads = None; PlotlyJs = None; Progress = silent }

type RunOutcome =
    { Folder: string
      /// None: completed; Some message: failed (the folder holds FAILED).
      Error: string option
      Expectations: (string * bool) list }

// ---- environment ----

/// plotly.min.js: the given path, else next to this assembly (copied by the build), else node_modules above the
/// working directory or the assembly.
let findPlotly (given: string option) =
    let rel = Path.Combine("node_modules", "plotly.js-dist-min", "plotly.min.js")
    let rec up (dir: string) =
        if isNull dir then None
        else
            let p = Path.Combine(dir, rel)
            if File.Exists p then Some p else up (Path.GetDirectoryName dir)
    match given with
    | Some p when File.Exists p -> Ok p
    | Some p -> Error(sprintf "plotly.min.js not found at '%s'" p)
    | None ->
        let beside = Path.Combine(AppContext.BaseDirectory, "plotly.min.js")
        if File.Exists beside then Ok beside
        else
            match up (Directory.GetCurrentDirectory()) |> Option.orElse (up AppContext.BaseDirectory) with
            | Some p -> Ok p
            | None -> Error "plotly.min.js not found: run `bash eng/bootstrap.sh` (it installs node_modules/plotly.js-dist-min)"

let private plotlyVersion (path: string) =
    use r = new StreamReader(path)
    let head = String(Array.init 200 (fun _ -> let c = r.Read() in if c < 0 then ' ' else char c))
    let i = head.IndexOf("plotly.js v")
    if i < 0 then "?" else head.Substring(i + 11).Split([| '\n'; ' '; '\r' |]).[0]

let private asmVersion (t: Type) =
    let a = t.Assembly
    match a.GetCustomAttributes(typeof<Reflection.AssemblyInformationalVersionAttribute>, false) with
    | [| :? Reflection.AssemblyInformationalVersionAttribute as v |] -> v.InformationalVersion.Split('+').[0]
    | _ -> string (a.GetName().Version)

let versions (plotly: string) =
    [ "GenDsl.Core", asmVersion typeof<GaussianMixture>
      "GenDsl.Dsl", asmVersion typeof<Experiment>
      "libtorch", Torch.Version
      "libtorch threads", string Torch.NumThreads
      ".NET", Runtime.InteropServices.RuntimeInformation.FrameworkDescription
      "FSharp.Core", asmVersion typeof<option<int>>
      "plotly.js", plotlyVersion plotly
      "OS", Runtime.InteropServices.RuntimeInformation.OSDescription ]

// ---- tensors <-> arrays ----

let private rows (t: Tensor) : float[][] =
    let d = int (t.Size 1)
    t.To(ScalarType.Float64).Cpu().ToArray<float>() |> Array.chunkBySize d // (N, D) -> N rows
let private flat (t: Tensor) : float[] = t.To(ScalarType.Float64).Cpu().ToArray<float>()
let private tensorOf (m: float list list) = Torch.Tensor<float>(m |> List.concat |> List.toArray, [| int64 m.Length; int64 m.Head.Length |])

let private truthOf (m: Mixture) =
    match m with
    | Cse599iP7 -> GaussianMixture.Cse599iP7()
    | Ring (k, r) -> GaussianMixture.Ring(k, r)
    | Custom (w, means) -> new GaussianMixture(Torch.Tensor<float>(List.toArray w), tensorOf means)

/// The data (N, D), the drawing component of each point and the true mixture, when known.
let private makeData (seed: uint64) (d: DataSpec) : Tensor * int[] option * GaussianMixture option =
    match d with
    | Points p -> tensorOf p, None, None
    | MixtureSample s ->
        let truth = truthOf s.Source
        use g = new Generator(defaultArg s.Seed seed)
        if s.Stratified then
            // n/K points from each component (the first n mod K get one more): x = mu_k + eps, eps ~ N(0, I).
            let k = truth.K
            let parts =
                [ for j in 0 .. k - 1 do
                    let nj = s.N / k + (if j < s.N % k then 1 else 0)
                    if nj > 0 then
                        let x = Torch.Randn([| int64 nj; int64 truth.D |], g, ScalarType.Float64) + truth.Means.Select(0, int64 j) // (nj, D)
                        x, Array.create nj j ]
            Torch.Cat(parts |> List.map fst |> List.toArray, 0L), Some(parts |> Array.ofList |> Array.collect snd), Some truth
        else
            let struct (x, z) = truth.Sample(int64 s.N, g)
            x, Some(z.ToArray<int64>() |> Array.map int), Some truth

let private covarianceType c =
    match c with
    | Identity -> CovarianceType.Identity
    | Spherical -> CovarianceType.Spherical
    | Diagonal -> CovarianceType.Diagonal
    | Full -> CovarianceType.Full

let private methodOf m =
    match m with
    | GradientAscent -> GmmMethod.GradientAscent
    | Sgd -> GmmMethod.Sgd
    | Em -> GmmMethod.Em

/// The true density on a grid x grid lattice covering the data: (xs, ys, p.[iy].[ix]).
let private densityGrid (truth: GaussianMixture) (x: float[][]) (grid: int) =
    let lo k = (x |> Array.map (fun r -> r.[k]) |> Array.min) - 1.0
    let hi k = (x |> Array.map (fun r -> r.[k]) |> Array.max) + 1.0
    let axis k = Array.init grid (fun i -> lo k + (hi k - lo k) * float i / float (grid - 1))
    let xs, ys = axis 0, axis 1
    let pts = [| for y in ys do for xv in xs do yield! [| xv; y |] |]
    use s = Scope.Begin()
    let p = truth.LogProb(Torch.Tensor<float>(pts, [| int64 (grid * grid); 2L |])).Exp() // (grid*grid,) row-major in y
    let z = flat p |> Array.chunkBySize grid
    xs, ys, z

// ---- one case ----

type private Writers = { Csv: StreamWriter; Jsonl: StreamWriter }

let private runCase (e: Experiment) (opts: RunOptions) (dev: Device) (folder: string) (w: Writers) (pc: PlannedCase) : CaseOutcome =
    let c = pc.Case
    let x0, z, truth = makeData e.Seed c.Data
    let x = x0.To(dev, ScalarType.Float64)
    let (Gmm g) = c.Model
    let fits =
        [ for f in c.Fits do
            let task = c.Label + "/" + f.Name
            let opt =
                GmmFitOptions(
                    K = g.K, Covariance = covarianceType g.Covariance, LearnWeights = g.LearnWeights,
                    Init = (match g.Start with KMeansPlusPlus -> GmmInit.KMeansPlusPlus | _ -> GmmInit.Random),
                    NInit = g.NInit, RegCovar = g.RegCovar, Tol = f.Tol, MaxIter = f.Steps,
                    LearningRate = f.LearningRate, BatchSize = f.BatchSize, EvalEvery = f.EvalEvery,
                    // One seed for every fit of the case: GD, SGD and EM start from the same means.
                    Seed = e.Seed + 1UL,
                    InitialModel =
                        (match g.Start with
                         | StartMeans m -> new GaussianMixture(Torch.Full([| int64 g.K |], Scalar.op_Implicit (1.0 / float g.K), ScalarType.Float64), tensorOf m)
                         | _ -> null))
            let sw = Stopwatch.StartNew()
            opts.Progress.Begin(task, f.Steps)
            let onStep (st: GmmStep) =
                let t = sw.Elapsed.TotalSeconds
                let ll = st.MeanLogLikelihood.ToString("R", CultureInfo.InvariantCulture)
                w.Csv.WriteLine(String.Join(",", c.Label, f.Name, string st.Iteration, ll, (-st.MeanLogLikelihood).ToString("R", CultureInfo.InvariantCulture), t.ToString("0.######", CultureInfo.InvariantCulture)))
                w.Jsonl.WriteLine(sprintf "{\"case\":%s,\"fit\":%s,\"iteration\":%d,\"mean_ll\":%s,\"seconds\":%s}" (JsonValue.Create(c.Label).ToJsonString()) (JsonValue.Create(f.Name).ToJsonString()) st.Iteration ll (t.ToString("0.######", CultureInfo.InvariantCulture)))
                opts.Progress.Step(task, st.Iteration, st.MeanLogLikelihood)
            let r = GaussianMixtureFit.Fit(x, methodOf f.Method, opt, Action<GmmStep> onStep)
            let secs = sw.Elapsed.TotalSeconds
            opts.Progress.End task
            w.Csv.Flush(); w.Jsonl.Flush()
            let m = r.Model
            let ckpt = Path.Combine(folder, "checkpoints", sprintf "%s_%s.pt" c.Label f.Name)
            Torch.Save(readOnlyDict [ "weights", m.Weights; "means", m.Means; "covariances", m.Covariances ], ckpt)
            let weights, means = flat m.Weights, rows m.Means
            let metrics =
                [ for ms in e.Metrics do
                    match ms with
                    | Nll -> ms, -m.MeanLogLikelihood(x)
                    | Aic -> ms, m.Aic(x)
                    | Bic -> ms, m.Bic(x)
                    | TrueNll -> (match truth with Some t -> ms, -t.MeanLogLikelihood(x) | None -> ms, nan)
                    | MeanError -> (match truth with Some t -> ms, meanError (rows t.Means) means | None -> ms, nan)
                    | WeightError -> (match truth with Some t -> ms, weightError (flat t.Weights) (rows t.Means) weights means | None -> ms, nan) ]
            { Fit = f; Curve = r.Curve |> Seq.map (fun s -> s.Iteration, s.MeanLogLikelihood) |> List.ofSeq
              Iterations = r.Iterations; Converged = r.Converged; Seconds = secs
              Weights = weights; Means = means; Metrics = metrics } ]
    let xr = rows x
    let grid = e.Plots |> List.tryPick (fun p -> match p with DensityHeatmap n -> Some n | _ -> None)
    { Planned = pc; X = xr; Z = z
      TrueWeights = truth |> Option.map (fun t -> flat t.Weights)
      TrueMeans = truth |> Option.map (fun t -> rows t.Means)
      TrueMeanLl = truth |> Option.map (fun t -> t.MeanLogLikelihood(x))
      TrueDensity = (match truth, grid with Some t, Some n when pc.Dim = 2 -> Some(densityGrid t xr (max 2 n)) | _ -> None)
      Fits = fits }

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
let run (opts: RunOptions) (plan: Plan) : RunOutcome =
    let e = plan.Experiment
    let started = DateTimeOffset.Now
    let folder = newFolder opts.OutputRoot e.Name started
    let file n = Path.Combine(folder, n)
    File.WriteAllText(file "config.json", Describe.toJson e)
    try
        let plotly = match findPlotly opts.PlotlyJs with Ok p -> p | Error m -> failwith m
        opts.Threads |> Option.iter (fun n -> Torch.NumThreads <- n)
        let dev = parseDevice opts.Device
        let sw = Stopwatch.StartNew()
        let outcomes =
            use csv = new StreamWriter(file "metrics.csv")
            use jsonl = new StreamWriter(file "metrics.jsonl")
            csv.WriteLine "case,fit,iteration,mean_ll,nll,seconds"
            plan.Cases |> List.map (fun pc ->
                use _s = Scope.Begin()
                runCase e opts dev folder { Csv = csv; Jsonl = jsonl } pc)
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
                let tables = if List.contains ParameterComparison e.Plots then Results.parameterTables c else []
                let paragraph =
                    sprintf "%d points in %d dimensions%s." c.X.Length c.Planned.Dim
                        (match c.TrueMeanLl with Some ll -> sprintf "; NLL of the data under the true mixture %.4f nats" (-ll) | None -> "")
                { Report.Heading = "Case " + c.Planned.Case.Label; Report.Paragraphs = [ paragraph ]; Report.Tables = tables; Report.Figures = figs } ]
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
