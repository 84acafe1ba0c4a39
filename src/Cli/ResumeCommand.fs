/// ResumeCommand.fs: `gendsl resume <folder> [--set <case>.<fit>.epochs=N]`: continue an interrupted run in its folder,
/// or lengthen a run's fits from their last checkpoints.
module GenDsl.Cli.ResumeCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let execute (argv: string[]) (o: ParseResults<Args>) (a: ParseResults<ResumeArgs>) =
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
        let opts = { Runs.defaults with Device = device; Threads = o.TryGetResult Threads; Distributed = worker; Command = Some(Provenance.commandLine "gendsl" argv) }
        printfn "resuming %s" folder
        let outcome =
            match scriptExperiment folder with
            | Error m -> Error m
            | Ok like ->
                if worker |> Option.exists (fun d -> d.Rank <> 0) then Interpret.resumeWith like (assignmentsOf o) opts folder
                else Progress.run (fun progress -> Interpret.resumeWith like (assignmentsOf o) { opts with Progress = progress } folder)
        match outcome with
        | Error msg -> eprint msg; ExitCode.Usage
        | Ok outcome -> report outcome
