/// RunCommand.fs: `gendsl run <script>`: check the script, then run each experiment in a new run folder (or start data-parallel workers).
module GenDsl.Cli.RunCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let execute (argv: string[]) (o: ParseResults<Args>) (a: ParseResults<RunArgs>) =
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
            let opts = { Runs.defaults with OutputRoot = root; Device = device; Threads = o.TryGetResult Threads; Distributed = worker; Script = Some script; Command = Some(Provenance.commandLine "gendsl" argv) }
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
