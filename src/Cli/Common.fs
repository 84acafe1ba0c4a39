/// Common.fs: what several commands share — loading and checking a script (with --set, --seed, --case), the machine
/// options, the output root, printing a run's outcome as an exit code, and the script a run folder's models came from.
module GenDsl.Cli.Common

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args

let eprint (s: string) = Console.Error.WriteLine s

/// Set by `watch`: a SIGINT then only stops the watching (the run it watches is another process), so say that.
let mutable watching = false

/// --case: keeps the named cases of each experiment, or says which labels exist.
let onlyCases (only: string list) (exps: Experiment list) : Result<Experiment list, string list> =
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
let plans (script: string) (seed: uint64 option) (sets: Settings.Assignment list) (only: string list) : Result<Plan list, int> =
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
            | Ok (key, _) -> Settings.knows e key
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
let assignmentsOf (o: ParseResults<Args>) =
    o.GetAllResults() |> List.choose (fun a -> match a with Set_Param x -> Some(Settings.One x) | Set_All x -> Some(Settings.All x) | _ -> None)

/// --threads and --device, refused before anything is loaded or made.
let machineOptions (threads: int option) (device: string) : Result<unit, string> =
    match threads with
    | Some n when n < 1 -> Error(sprintf "--threads must be >= 1, got %d" n)
    | Some n when n > 4096 -> Error(sprintf "--threads %d is more than any machine has: give at most the number of cores (%d here)" n Environment.ProcessorCount)
    | _ -> Interpret.deviceOf device |> Result.map ignore

/// The output root exists (or can be made) and takes a file, or why not.
let writableRoot (root: string) : Result<unit, string> =
    try
        Directory.CreateDirectory root |> ignore
        let probe = Path.Combine(root, sprintf ".gendsl-probe-%d" Environment.ProcessId)
        File.WriteAllText(probe, "")
        File.Delete probe
        Ok()
    with ex -> Error(sprintf "cannot write runs to '%s' (%s): choose a writable folder with -o" root ex.Message)

let signalName (s: int) = if s = 15 then "SIGTERM" else "SIGINT"

/// The exit code of one run's outcome, after printing it.
let report (outcome: Runs.RunOutcome) =
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
let worst (a: int) (b: int) =
    let rank c = match c with 0 -> 0 | 3 -> 1 | 2 -> 2 | _ -> 3
    if rank b > rank a then b else a

let stoppedCode () = RunFolder.stopRequested () |> Option.map (fun s -> 128 + s)

/// The experiment of the script a run folder's models were written in (script.txt), when its config.json holds one:
/// config.json gives the values, the script the code. None when config.json alone rebuilds the experiment.
let scriptExperiment (folder: string) : Result<Experiment option, string> =
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
