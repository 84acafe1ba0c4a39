/// SampleCommand.fs: `gendsl sample <folder>`: draw from a trained model of a run (text or an image grid).
module GenDsl.Cli.SampleCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let execute (o: ParseResults<Args>) (a: ParseResults<SampleArgs>) =
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
        | Ok (FamilyCommon.Text text) -> printfn "%s" text; ExitCode.Ok
        | Ok (FamilyCommon.ImagePage page) -> printfn "samples: %s" page; ExitCode.Ok
        | Ok (FamilyCommon.Rows path) -> printfn "samples: %s" path; ExitCode.Ok
