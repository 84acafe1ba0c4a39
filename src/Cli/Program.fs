/// Program.fs: the `gendsl` command line — its arguments and their dispatch to run, check, describe, resume, sample, list (a bare script path means run), the exit codes' help text, and signals; starting data-parallel workers is Launching.fs.
module GenDsl.Cli.Program

open System
open System.IO
open Argu
open GenDsl.Dsl

type RunArgs =
    | [<MainCommand; ExactlyOnce>] Script of script: string
    | [<AltCommandLine("-o")>] Out of folder: string
    | Nproc of workers: int
    | Nnodes of machines: int
    | Node_Rank of rank: int
    | Master of address: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nproc _ -> "data-parallel: start this many worker processes here (torchrun's --nproc_per_node); the batch is split over all workers."
            | Nnodes _ -> "data-parallel over machines: how many machines run `gendsl run ... --nproc N` (default 1)."
            | Node_Rank _ -> "with --nnodes: this machine's number, 0..nnodes-1 (machine 0 serves the store and writes the run folder)."
            | Master _ -> "with --nnodes: host:port of machine 0's store, reachable from every machine (e.g. 10.0.0.1:29500)."
            | Script _ -> "the experiment script (.fsx) binding `experiment` or `experiments`."
            | Out _ -> "root folder of the runs (default runs/): each run goes to <folder>/<experiment>/<timestamp>/."

type CheckArgs =
    | [<MainCommand; ExactlyOnce>] Script of script: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Script _ -> "the experiment script (.fsx)."

type ResumeArgs =
    | [<MainCommand; ExactlyOnce>] Folder of folder: string
    | Nproc of workers: int
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nproc _ -> "data-parallel on this machine: continue with this many worker processes (any number: the data order is global)."
            | Folder _ -> "a run folder (runs/<experiment>/<timestamp>/) whose run was interrupted or failed."

type SampleArgs =
    | [<MainCommand; ExactlyOnce>] Folder of folder: string
    | Fit of name: string
    | [<AltCommandLine("-n")>] Count of n: int
    | Prompt of text: string
    | Temperature of t: float
    | Top_K of k: int
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "a finished run folder (runs/<experiment>/<timestamp>/)."
            | Fit _ -> "the fit to draw from (default: the case's first)."
            | Count _ -> "images to draw, or tokens to generate (default 36)."
            | Prompt _ -> "language models: the text to continue (default \"the\")."
            | Temperature _ -> "softmax temperature for language models, prior temperature for NICE (default 1)."
            | Top_K _ -> "language models: draw from the k most likely tokens (default 0: all)."

type ListArgs =
    | [<MainCommand>] Folder of folder: string
    | [<AltCommandLine("-o")>] Out of folder: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "folder of experiment scripts (default experiments/)."
            | Out _ -> "root folder of the runs (default runs/)."

type Args =
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Describe of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Resume of ParseResults<ResumeArgs>
    | [<CliPrefix(CliPrefix.None)>] Sample of ParseResults<SampleArgs>
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<ListArgs>
    // Options several commands share: given after the command (`gendsl run x.fsx --seed 3`); `applies` says which take them.
    | [<Inherit>] Seed of seed: uint64
    | [<Inherit; CustomCommandLine("--set")>] Set_Param of assignment: string
    | [<Inherit; CustomCommandLine("--set-all")>] Set_All of assignment: string
    | [<Inherit; CustomCommandLine("--case")>] Only_Case of label: string
    | [<Inherit>] Threads of count: int
    | [<Inherit>] Device of device: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Seed _ -> "run/check/describe: the experiment's seed (same as --set seed=N); sample: the seed of the draw (default 0)."
            | Set_Param _ -> "run/check/describe: override a named parameter, key=value (repeatable), e.g. --set sgd.steps=500; `describe` lists the keys; a label with '.' or '=' goes in brackets: --set [lr=0.001].lr=0.002."
            | Set_All _ -> "run/check/describe: as --set, and also when the key names several fits of one case that now differ (a sweep made one value)."
            | Only_Case _ -> "run/check/describe: only the case with this label (repeatable); sample: the case to draw from (default: the first)."
            | Threads _ -> "run/resume: libtorch intra-op threads (default: the machine's cores, or GENDSL_THREADS)."
            | Device _ -> "run/resume: cpu (default) or cuda[:n]."
            | Run _ -> "run an experiment: writes runs/<experiment>/<timestamp>/ with config, metrics, checkpoints, plots, report.html."
            | Check _ -> "check an experiment without training: every error, or the plan."
            | Describe _ -> "print the resolved config as JSON, every default explicit (and the --set keys)."
            | Resume _ -> "continue an interrupted run in its folder: gradient fits from their last checkpoint, the rest from the start."
            | Sample _ -> "draw from a trained model of a run: text from a prompt (language models) or an image grid (VAE, NICE)."
            | List _ -> "list the experiment scripts and their past runs."

let exitCodesText =
    String.Join("\n",
        [ "EXIT CODES:"
          "    0    ok"
          "    1    script, check or usage error (nothing run, no run folder)"
          "    2    the run failed (its folder holds FAILED)"
          "    3    the run finished but an expectation did not hold"
          "    130  interrupted by SIGINT (Ctrl-C): the folder holds INTERRUPTED, `gendsl resume <folder>` continues it"
          "    143  stopped by SIGTERM: likewise" ])

let private eprint (s: string) = Console.Error.WriteLine s

/// --case: keeps the named cases of each experiment, or says which labels exist.
let private onlyCases (only: string list) (exps: Experiment list) : Result<Experiment list, string list> =
    if only.IsEmpty then Ok exps
    else
        let labels = exps |> List.collect (fun e -> e.Cases |> List.map (fun c -> c.Label))
        match only |> List.filter (fun l -> not (List.contains l labels)) with
        | [] ->
            let keep (e: Experiment) =
                let cases = e.Cases |> List.filter (fun c -> List.contains c.Label only)
                let fits = cases |> List.collect (fun c -> c.Fits |> List.map (fun f -> f.Name))
                // An expectation about a left-out case or fit is left out with it.
                let applies (x: Expectation) =
                    (x.Case |> Option.forall (fun c -> List.contains c only)) && (x.Fit |> Option.forall (fun f -> List.contains f fits))
                { e with Cases = cases; Expectations = e.Expectations |> List.filter applies }
            Ok(exps |> List.map keep |> List.filter (fun e -> not e.Cases.IsEmpty))
        | missing -> Error [ sprintf "--case %s: no such case; the cases are %s" (String.Join(", ", missing)) (String.Join(", ", labels |> List.distinct)) ]

/// Loads the script, applies --seed/--set, checks (sizes against this machine's memory too): the plans, or exit code
/// 1 after printing why.
let private plans (script: string) (seed: uint64 option) (sets: Settings.Assignment list) (only: string list) : Result<Plan list, int> =
    match ScriptHost.load script |> Result.bind (onlyCases only) with
    | Error msgs ->
        msgs |> List.iter eprint
        Error ExitCode.Usage
    | Ok exps ->
        let assignments = (seed |> Option.map (sprintf "seed=%d" >> Settings.One) |> Option.toList) @ sets
        // A script binding several experiments: a --set key applies to those of them that have it (an unknown key is
        // still an error when no experiment has it).
        let known (e: Experiment) (a: Settings.Assignment) =
            let text = match a with Settings.One t | Settings.All t -> t
            match Settings.parseAssignment text with
            | Ok (key, _) -> (match Settings.resolve (Tree.toNode e) key with Error (UnknownOverride _) -> false | _ -> true)
            | Error _ -> true
        let forExperiment (e: Experiment) =
            if exps.Length < 2 then assignments
            else assignments |> List.filter (fun a -> known e a || not (exps |> List.exists (fun o -> known o a)))
        let results = exps |> List.map (fun e -> Settings.planWithAll (forExperiment e) e |> Result.bind (fun p -> match Memory.errors p with [] -> Ok p | errs -> Error errs))
        let errors = results |> List.collect (function Error es -> es | Ok _ -> [])
        if errors.IsEmpty then Ok(results |> List.choose (function Ok p -> Some p | Error _ -> None))
        else
            for e in errors |> List.distinct do eprint (sprintf "%s: %s" script (Check.message e))
            Error ExitCode.Usage

/// The --set and --set-all assignments in the order given.
let private assignmentsOf (o: ParseResults<Args>) =
    o.GetAllResults() |> List.choose (fun a -> match a with Set_Param x -> Some(Settings.One x) | Set_All x -> Some(Settings.All x) | _ -> None)

/// --threads and --device, refused before anything is loaded or made.
let private machineOptions (threads: int option) (device: string) : Result<unit, string> =
    match threads with
    | Some n when n < 1 -> Error(sprintf "--threads must be >= 1, got %d" n)
    | Some n when n > 4096 -> Error(sprintf "--threads %d is more than any machine has: give at most the number of cores (%d here)" n Environment.ProcessorCount)
    | _ -> Interpret.deviceOf device |> Result.map ignore

/// The output root exists (or can be made) and takes a file, or why not.
let private writableRoot (root: string) : Result<unit, string> =
    try
        Directory.CreateDirectory root |> ignore
        let probe = Path.Combine(root, sprintf ".gendsl-probe-%d" Environment.ProcessId)
        File.WriteAllText(probe, "")
        File.Delete probe
        Ok()
    with ex -> Error(sprintf "cannot write runs to '%s' (%s): choose a writable folder with -o" root ex.Message)

let private signalName (s: int) = if s = 15 then "SIGTERM" else "SIGINT"

/// The exit code of one run's outcome, after printing it.
let private report (outcome: Runs.RunOutcome) =
    match outcome.Interrupted, outcome.Error with
    | Some s, _ ->
        eprint (sprintf "run INTERRUPTED (%s): %s\n  continue it with: gendsl resume %s" (signalName s) outcome.Folder outcome.Folder)
        128 + s
    | None, Some msg ->
        eprint (sprintf "run FAILED: %s\n  see %s" msg (Path.Combine(outcome.Folder, "FAILED")))
        ExitCode.RunFailed
    | None, None ->
        for claim, held in outcome.Expectations do
            printfn "  %s %s" (if held then "ok  " else "FAIL") claim
        printfn "report: %s" (Path.Combine(outcome.Folder, "report.html"))
        if outcome.Expectations |> List.exists (snd >> not) then ExitCode.ExpectationFailed else ExitCode.Ok

/// Combines the codes of several runs: a signal wins, then a failed run, then a failed expectation.
let private worst (a: int) (b: int) =
    let rank c = match c with 0 -> 0 | 3 -> 1 | 2 -> 2 | _ -> 3
    if rank b > rank a then b else a

let private stoppedCode () = RunFolder.stopRequested () |> Option.map (fun s -> 128 + s)

let private runCmd (argv: string[]) (o: ParseResults<Args>) (a: ParseResults<RunArgs>) =
    let script = a.GetResult RunArgs.Script
    let root = a.GetResult(RunArgs.Out, defaultValue = "runs")
    let device = o.GetResult(Device, defaultValue = "cpu")
    let worker = Launching.worker ()
    let nproc = a.GetResult(RunArgs.Nproc, defaultValue = 1)
    let nnodes = a.GetResult(RunArgs.Nnodes, defaultValue = 1)
    if nproc < 1 then raise (UsageError(sprintf "--nproc must be >= 1, got %d" nproc))
    if worker.IsNone && (nproc > 1 || nnodes > 1) then
        if device <> "cpu" then raise (UsageError "data-parallel runs are CPU-only in this build (Gloo): leave out --device, or run one process on the GPU")
        match writableRoot root with
        | Error msg -> eprint msg; ExitCode.Usage
        | Ok () -> Launching.run argv nproc nnodes (a.GetResult(RunArgs.Node_Rank, defaultValue = 0)) (a.TryGetResult RunArgs.Master) root
    else
    // A worker other than rank 0 computes what rank 0 does but keeps nothing: its run folder is a scratch copy.
    let scratch = Launching.scratchRoot worker
    let root = defaultArg scratch root
    try
        match machineOptions (o.TryGetResult Threads) device |> Result.bind (fun () -> writableRoot root) with
        | Error msg -> eprint msg; ExitCode.Usage
        | Ok () ->
        match plans script (o.TryGetResult Seed) (assignmentsOf o) (o.GetResults Only_Case) with
        | Error code -> code
        | Ok ps ->
            // Compiling a script (FSharp.Compiler.Service) leaves a few hundred MB of garbage in the managed heap, resident
            // through the whole training unless collected: a NICE run's peak was 1.21 GB after a compile, 1.03 GB from the
            // script cache. One aggressive collection before training returns it to the system.
            GC.Collect(2, GCCollectionMode.Aggressive, true, true)
            let opts = { Runs.defaults with OutputRoot = root; Device = device; Threads = o.TryGetResult Threads; Distributed = worker; Script = Some script }
            let mutable code = ExitCode.Ok
            for p in ps do
                match stoppedCode () with
                | Some c -> code <- worst code c
                | None ->
                    printfn "running %s (%d case(s), %d stud(ies), seed %d)" p.Experiment.Name p.Cases.Length p.Experiment.Studies.Length p.Experiment.Seed
                    let outcome =
                        if scratch.IsSome then Interpret.run opts p
                        else Progress.run (fun progress -> Interpret.run { opts with Progress = progress } p)
                    code <- worst code (if scratch.IsSome then (if outcome.Error.IsSome then (eprint (defaultArg outcome.Error ""); ExitCode.RunFailed) else ExitCode.Ok) else report outcome)
            code
    finally
        scratch |> Option.iter (fun d -> try Directory.Delete(d, true) with _ -> ())

let private checkCmd (o: ParseResults<Args>) (a: ParseResults<CheckArgs>) (describe: bool) =
    let script = a.GetResult CheckArgs.Script
    match plans script (o.TryGetResult Seed) (assignmentsOf o) (o.GetResults Only_Case) with
    | Error code -> code
    | Ok ps ->
        for p in ps do
            if describe then printfn "%s" (Describe.toJson p.Experiment)
            else
                printfn "%s: ok — %d case(s), %d stud(ies), nothing trained" p.Experiment.Name p.Cases.Length p.Experiment.Studies.Length
                for c in p.Cases do
                    printfn "  case %s: N = %d, D = %d, fits %s" c.Case.Label c.N c.Dim (String.Join(", ", c.Case.Fits |> List.map (fun f -> sprintf "%s (%s)" f.Name (match f.Fitter with ClosedForm -> "closed form" | Em m -> sprintf "EM, %d iterations" m.Iterations | Gradient t -> (match t.Budget with Steps s -> sprintf "%d steps" s | Epochs n -> sprintf "%d epochs" n)))))
                for s in p.Experiment.Studies do
                    printfn "  study %s: %s" s.Label (match s.Kind with KlAsymmetry _ -> "KL asymmetry" | ReceptiveFields _ -> "receptive fields" | GdaDynamics _ -> "GDA dynamics" | ChangeOfVariables _ -> "change of variables" | ArFit _ -> "AR fit")
        ExitCode.Ok

/// The experiment of the script a run folder's models were written in (script.txt), when its config.json holds one:
/// config.json gives the values, the script the code. None when config.json alone rebuilds the experiment.
let private scriptExperiment (folder: string) : Result<Experiment option, string> =
    let config = Path.Combine(folder, "config.json")
    let text = if File.Exists config then File.ReadAllText config else ""
    if not (Describe.ofJson text |> Result.isError) || not (text.Contains "\"user_model\"") then Ok None
    else
        let record = Path.Combine(folder, "script.txt")
        if not (File.Exists record) then Error(sprintf "'%s' holds a model written in a script, but not script.txt naming the script" folder)
        else
            let script = File.ReadAllText(record).Trim()
            if not (File.Exists script) then Error(sprintf "'%s': its model was written in %s, which no longer exists: put the script back there" folder script)
            else
                let name = match System.Text.Json.Nodes.JsonNode.Parse(text).["name"] with null -> "" | n -> n.GetValue<string>()
                match ScriptHost.load script with
                | Error msgs -> Error(String.Join("\n", msgs))
                | Ok exps ->
                    match exps |> List.tryFind (fun e -> e.Name = name) with
                    | Some e -> Ok(Some e)
                    | None -> Error(sprintf "%s no longer binds an experiment named '%s'" script name)

let private resumeCmd (argv: string[]) (o: ParseResults<Args>) (a: ParseResults<ResumeArgs>) =
    let folder = a.GetResult ResumeArgs.Folder
    let device = o.GetResult(Device, defaultValue = "cpu")
    let worker = Launching.worker ()
    let nproc = a.GetResult(ResumeArgs.Nproc, defaultValue = 1)
    if nproc < 1 then raise (UsageError(sprintf "--nproc must be >= 1, got %d" nproc))
    match machineOptions (o.TryGetResult Threads) device with
    | Error msg -> eprint msg; ExitCode.Usage
    | Ok () when worker.IsNone && nproc > 1 ->
        if device <> "cpu" then raise (UsageError "data-parallel runs are CPU-only in this build (Gloo): leave out --device")
        Launching.resume argv nproc folder
    | Ok () ->
        let folder = Launching.resumeFolder worker folder
        let opts = { Runs.defaults with Device = device; Threads = o.TryGetResult Threads; Distributed = worker }
        printfn "resuming %s" folder
        let outcome =
            match scriptExperiment folder with
            | Error m -> Error m
            | Ok like ->
                if worker |> Option.exists (fun d -> d.Rank <> 0) then Interpret.resumeLike like opts folder
                else Progress.run (fun progress -> Interpret.resumeLike like { opts with Progress = progress } folder)
        match outcome with
        | Error msg -> eprint msg; ExitCode.Usage
        | Ok outcome -> report outcome

let private sampleCmd (o: ParseResults<Args>) (a: ParseResults<SampleArgs>) =
    let t = a.GetResult(SampleArgs.Temperature, defaultValue = 1.0)
    let n = a.GetResult(SampleArgs.Count, defaultValue = 36)
    if not (Double.IsFinite t) || t < 0.0 then eprint (sprintf "--temperature must be a finite number >= 0, got %g" t); ExitCode.Usage
    elif n < 1 then eprint (sprintf "--count must be >= 1, got %d" n); ExitCode.Usage
    else
        let request: Sample.Request =
            { Folder = a.GetResult SampleArgs.Folder; Case = o.TryGetResult Only_Case; Fit = a.TryGetResult SampleArgs.Fit
              Count = n; Prompt = a.GetResult(SampleArgs.Prompt, defaultValue = "the"); Temperature = t
              TopK = max 0 (a.GetResult(SampleArgs.Top_K, defaultValue = 0)); Seed = o.GetResult(Seed, defaultValue = 0UL) }
        match scriptExperiment request.Folder |> Result.bind (fun like -> Sample.drawLike like request) with
        | Error msg -> eprint msg; ExitCode.Usage
        | Ok (Sample.Text text) -> printfn "%s" text; ExitCode.Ok
        | Ok (Sample.ImagePage page) -> printfn "samples: %s" page; ExitCode.Ok
        | Ok (Sample.Rows path) -> printfn "samples: %s" path; ExitCode.Ok

/// Each script with its first line, then each of its runs with its state (running, done, failed, interrupted, killed).
let private listCmd (a: ParseResults<ListArgs>) =
    let dir = a.GetResult(ListArgs.Folder, defaultValue = "experiments")
    let root = a.GetResult(ListArgs.Out, defaultValue = "runs")
    if not (Directory.Exists dir) then
        eprint (sprintf "no folder '%s' (run from the repository root, or give the folder)" dir)
        ExitCode.Usage
    elif Directory.GetFiles(dir, "*.fsx").Length = 0 then
        eprint (sprintf "'%s' holds no experiment scripts (*.fsx): list takes a folder of scripts (default experiments/) and shows each one's runs under --out (default runs/), e.g. gendsl list experiments/ --out %s" dir dir)
        ExitCode.Usage
    else
        for f in Directory.GetFiles(dir, "*.fsx") |> Array.sort do
            let name = Path.GetFileNameWithoutExtension f
            let first = File.ReadLines f |> Seq.tryHead |> Option.defaultValue "" |> fun s -> s.TrimStart('/', ' ')
            let runs = Path.Combine(root, name)
            let folders =
                if Directory.Exists runs then Directory.GetDirectories runs |> Array.filter (fun d -> not ((Path.GetFileName d).StartsWith ".")) |> Array.sort
                else [||]
            printfn "%-36s %s  [%d run(s)]" name first folders.Length
            for d in folders do
                printfn "    %-24s %s" (Path.GetFileName d) (RunFolder.stateText (RunFolder.state d))
        ExitCode.Ok

/// A first argument that is not a subcommand (e.g. a script path) means `run`.
let normalise (argv: string[]) =
    let commands = set [ "run"; "check"; "describe"; "resume"; "sample"; "list"; "--help"; "-h"; "/?"; "help"; "--version" ]
    if argv.Length > 0 && not (commands.Contains argv.[0]) then Array.append [| "run" |] argv else argv

let private version () =
    let a = typeof<Args>.Assembly
    match a.GetCustomAttributes(typeof<Reflection.AssemblyInformationalVersionAttribute>, false) with
    | [| :? Reflection.AssemblyInformationalVersionAttribute as v |] -> v.InformationalVersion.Split('+').[0]
    | _ -> string (a.GetName().Version)

/// A shared option given to a command that does not take it, as a message (the option and where it applies).
let private misplaced (results: ParseResults<Args>) : string option =
    let command, takes =
        match results.GetSubCommand() with
        | Run _ -> "run", [ "seed"; "set"; "case"; "threads"; "device" ]
        | Check _ -> "check", [ "seed"; "set"; "case" ]
        | Describe _ -> "describe", [ "seed"; "set"; "case" ]
        | Resume _ -> "resume", [ "threads"; "device" ]
        | Sample _ -> "sample", [ "seed"; "case" ]
        | _ -> "list", []
    let name (a: Args) =
        match a with
        | Seed _ -> Some "seed" | Set_Param _ -> Some "set" | Set_All _ -> Some "set" | Only_Case _ -> Some "case" | Threads _ -> Some "threads" | Device _ -> Some "device"
        | _ -> None
    results.GetAllResults() |> List.choose name |> List.tryFind (fun n -> not (List.contains n takes))
    |> Option.map (fun n -> sprintf "gendsl %s does not take --%s (%s takes %s)" command n command (if takes.IsEmpty then "none of the shared options" else String.Join(", ", takes |> List.map ((+) "--"))))

/// Runs the command line and returns the exit code (README "Exit codes"); never throws.
let execute (argv: string[]) : int =
    let parser = ArgumentParser.Create<Args>(programName = "gendsl")
    let usage () = parser.PrintUsage() + "\n" + exitCodesText
    let argv = normalise argv
    match argv with
    | [||] ->
        eprint (usage ())
        ExitCode.Usage
    | [| "help" |] | [| "-h" |] | [| "--help" |] | [| "/?" |] ->
        printfn "%s" (usage ())
        ExitCode.Ok
    | [| "--version" |] ->
        printfn "gendsl %s (libtorch %s)" (version ()) GenDsl.Torch.Torch.Version
        printfn "BLAS: %s" GenDsl.Torch.Torch.BlasInfo
        ExitCode.Ok
    | _ ->
        let results =
            try Ok(parser.ParseCommandLine(argv, raiseOnUsage = true))
            with
            | :? ArguParseException as ex when ex.ErrorCode = ErrorCode.HelpText -> Error(true, ex.Message)
            | :? ArguParseException as ex -> Error(false, ex.Message)
        match results with
        | Error (true, help) ->
            printfn "%s\n%s" (help.TrimEnd()) exitCodesText
            ExitCode.Ok
        | Error (false, msg) ->
            eprint (msg.TrimEnd())
            ExitCode.Usage
        | Ok results ->
            let during, code =
                match results.GetSubCommand() with
                | Run a -> true, (fun () -> runCmd argv results a)
                | Check a -> false, (fun () -> checkCmd results a false)
                | Describe a -> false, (fun () -> checkCmd results a true)
                | Resume a -> true, (fun () -> resumeCmd argv results a)
                | Sample a -> false, (fun () -> sampleCmd results a)
                | List a -> false, (fun () -> listCmd a)
                | _ -> false, (fun () -> ExitCode.Usage)
            match misplaced results with
            | Some msg -> eprint msg; ExitCode.Usage
            | None ->
            try code ()
            with
            | :? ArguParseException as ex ->
                eprint (ex.Message.TrimEnd())
                ExitCode.Usage
            | UsageError msg ->
                eprint msg
                ExitCode.Usage
            | ex ->
                // Anything unforeseen: one line, no stack trace (GENDSL_DEBUG=1 prints it).
                eprint (sprintf "error: %s" ex.Message)
                if Environment.GetEnvironmentVariable "GENDSL_DEBUG" = "1" then eprint (string ex)
                if during then ExitCode.RunFailed else ExitCode.Usage

/// SIGINT and SIGTERM ask the run to stop after its current step (checkpoint, INTERRUPTED, exit 130/143); a second
/// signal ends the process at once.
let private onSignals () =
    let handle (signal: int) (ctx: Runtime.InteropServices.PosixSignalContext) =
        match RunFolder.stopRequested () with
        | None ->
            ctx.Cancel <- true
            RunFolder.requestStop signal
            eprint (sprintf "\n%s: stopping after the current step (a checkpoint is written; send it again to quit at once)" (signalName signal))
        | Some _ -> ctx.Cancel <- false
    [ Runtime.InteropServices.PosixSignalRegistration.Create(Runtime.InteropServices.PosixSignal.SIGINT, Action<_>(handle 2))
      Runtime.InteropServices.PosixSignalRegistration.Create(Runtime.InteropServices.PosixSignal.SIGTERM, Action<_>(handle 15)) ]

[<EntryPoint>]
let main argv =
    let registrations = onSignals ()
    let code = execute argv
    for r in registrations do r.Dispose()
    code
