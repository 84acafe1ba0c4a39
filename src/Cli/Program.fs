/// Program.fs: the `gendsl` command line — run, check, describe, list (a bare script path means run).
module GenDsl.Cli.Program

open System
open System.IO
open Argu
open GenDsl.Dsl

type RunArgs =
    | [<MainCommand; ExactlyOnce>] Script of script: string
    | [<AltCommandLine("-o")>] Out of folder: string
    | Seed of seed: uint64
    | Threads of count: int
    | Device of device: string
    | [<CustomCommandLine("--set")>] Set_Param of assignment: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Script _ -> "the experiment script (.fsx) binding `experiment` or `experiments`."
            | Out _ -> "root folder of the runs (default runs/): each run goes to <folder>/<experiment>/<timestamp>/."
            | Seed _ -> "the experiment's seed (same as --set seed=N)."
            | Threads _ -> "libtorch intra-op threads (default: the machine's cores, or GENDSL_THREADS)."
            | Device _ -> "cpu (default) or cuda[:n]."
            | Set_Param _ -> "override a named parameter, key=value (repeatable), e.g. --set fit.sgd.steps=500; `describe` lists the keys."

type CheckArgs =
    | [<MainCommand; ExactlyOnce>] Script of script: string
    | Seed of seed: uint64
    | [<CustomCommandLine("--set")>] Set_Param of assignment: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Script _ -> "the experiment script (.fsx)."
            | Seed _ -> "the experiment's seed (same as --set seed=N)."
            | Set_Param _ -> "override a named parameter, key=value (repeatable)."

type ResumeArgs =
    | [<MainCommand; ExactlyOnce>] Folder of folder: string
    | Threads of count: int
    | Device of device: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "a run folder (runs/<experiment>/<timestamp>/) whose run was interrupted or failed."
            | Threads _ -> "libtorch intra-op threads (default: the machine's cores, or GENDSL_THREADS)."
            | Device _ -> "cpu (default) or cuda[:n]."

type ListArgs =
    | [<MainCommand>] Folder of folder: string
    interface IArgParserTemplate with
        member a.Usage = match a with Folder _ -> "folder of experiment scripts (default experiments/)."

type Args =
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Describe of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Resume of ParseResults<ResumeArgs>
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<ListArgs>
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Run _ -> "run an experiment: writes runs/<experiment>/<timestamp>/ with config, metrics, checkpoints, plots, report.html."
            | Check _ -> "check an experiment without training: every error, or the plan."
            | Describe _ -> "print the resolved config as JSON, every default explicit (and the --set keys)."
            | Resume _ -> "continue an interrupted run in its folder: gradient fits from their last checkpoint, the rest from the start."
            | List _ -> "list the experiment scripts and their past runs."

let private eprint (s: string) = Console.Error.WriteLine s

/// Loads the script, applies --seed/--set, checks: the plans, or exit code 1 after printing why.
let private plans (script: string) (seed: uint64 option) (sets: string list) : Result<Plan list, int> =
    match ScriptHost.load script with
    | Error msgs ->
        msgs |> List.iter eprint
        Error 1
    | Ok exps ->
        let assignments = (seed |> Option.map (sprintf "seed=%d") |> Option.toList) @ sets
        let results = exps |> List.map (Settings.planWith assignments)
        let errors = results |> List.collect (function Error es -> es | Ok _ -> [])
        if errors.IsEmpty then Ok(results |> List.choose (function Ok p -> Some p | Error _ -> None))
        else
            for e in errors |> List.distinct do eprint (sprintf "%s: %s" script (Check.message e))
            Error 1

let private runCmd (a: ParseResults<RunArgs>) =
    let script = a.GetResult RunArgs.Script
    match plans script (a.TryGetResult RunArgs.Seed) (a.GetResults RunArgs.Set_Param) with
    | Error code -> code
    | Ok ps ->
        let opts =
            { Runs.defaults with
                OutputRoot = a.GetResult(RunArgs.Out, defaultValue = "runs")
                Device = a.GetResult(RunArgs.Device, defaultValue = "cpu")
                Threads = a.TryGetResult RunArgs.Threads }
        let mutable code = 0
        for p in ps do
            printfn "running %s (%d case(s), %d stud(ies), seed %d)" p.Experiment.Name p.Cases.Length p.Experiment.Studies.Length p.Experiment.Seed
            let outcome = Progress.run (fun progress -> Interpret.run { opts with Progress = progress } p)
            match outcome.Error with
            | Some msg ->
                eprint (sprintf "run FAILED: %s\n  see %s" msg (Path.Combine(outcome.Folder, "FAILED")))
                code <- 2
            | None ->
                for claim, held in outcome.Expectations do
                    printfn "  %s %s" (if held then "ok  " else "FAIL") claim
                printfn "report: %s" (Path.Combine(outcome.Folder, "report.html"))
                if outcome.Expectations |> List.exists (snd >> not) && code = 0 then code <- 3
        code

let private checkCmd (a: ParseResults<CheckArgs>) (describe: bool) =
    let script = a.GetResult CheckArgs.Script
    match plans script (a.TryGetResult CheckArgs.Seed) (a.GetResults CheckArgs.Set_Param) with
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
        0

let private report (outcome: Runs.RunOutcome) =
    match outcome.Error with
    | Some msg ->
        eprint (sprintf "run FAILED: %s\n  see %s" msg (Path.Combine(outcome.Folder, "FAILED")))
        2
    | None ->
        for claim, held in outcome.Expectations do
            printfn "  %s %s" (if held then "ok  " else "FAIL") claim
        printfn "report: %s" (Path.Combine(outcome.Folder, "report.html"))
        if outcome.Expectations |> List.exists (snd >> not) then 3 else 0

let private resumeCmd (a: ParseResults<ResumeArgs>) =
    let folder = a.GetResult ResumeArgs.Folder
    let opts = { Runs.defaults with Device = a.GetResult(ResumeArgs.Device, defaultValue = "cpu"); Threads = a.TryGetResult ResumeArgs.Threads }
    printfn "resuming %s" folder
    match Progress.run (fun progress -> Interpret.resume { opts with Progress = progress } folder) with
    | Error msg -> eprint msg; 1
    | Ok outcome -> report outcome

let private listCmd (a: ParseResults<ListArgs>) =
    let dir = a.GetResult(ListArgs.Folder, defaultValue = "experiments")
    if not (Directory.Exists dir) then
        eprint (sprintf "no folder '%s' (run from the repository root, or give the folder)" dir)
        1
    else
        for f in Directory.GetFiles(dir, "*.fsx") |> Array.sort do
            let name = Path.GetFileNameWithoutExtension f
            let first = File.ReadLines f |> Seq.tryHead |> Option.defaultValue "" |> fun s -> s.TrimStart('/', ' ')
            let runs = Path.Combine("runs", name)
            let n = if Directory.Exists runs then Directory.GetDirectories(runs).Length else 0
            printfn "%-36s %s  [%d run(s)]" name first n
        0

/// A first argument that is not a subcommand (e.g. a script path) means `run`.
let normalise (argv: string[]) =
    let commands = set [ "run"; "check"; "describe"; "resume"; "list"; "--help"; "-h"; "/?"; "help" ]
    if argv.Length > 0 && not (commands.Contains argv.[0]) then Array.append [| "run" |] argv else argv

[<EntryPoint>]
let main argv =
    let parser = ArgumentParser.Create<Args>(programName = "gendsl", errorHandler = ProcessExiter())
    let argv = normalise argv
    if argv.Length = 0 then
        printfn "%s" (parser.PrintUsage())
        1
    else
        let results = parser.ParseCommandLine argv
        match results.GetSubCommand() with
        | Run a -> runCmd a
        | Check a -> checkCmd a false
        | Describe a -> checkCmd a true
        | Resume a -> resumeCmd a
        | List a -> listCmd a
