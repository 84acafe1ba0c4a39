/// ScriptHost.fs: evaluates an experiment .fsx in-process with FSharp.Compiler.Service and returns its `experiment(s)`.
module GenDsl.Cli.ScriptHost

open System
open System.IO
open System.Text
open FSharp.Compiler.Interactive.Shell
open FSharp.Compiler.Diagnostics
open GenDsl.Dsl

/// "file(line,col): error FSnnnn: message" — the form editors and CI logs link to.
let formatDiagnostic (d: FSharpDiagnostic) =
    let sev = match d.Severity with FSharpDiagnosticSeverity.Error -> "error" | FSharpDiagnosticSeverity.Warning -> "warning" | _ -> "info"
    sprintf "%s(%d,%d): %s FS%04d: %s" d.FileName d.StartLine (d.StartColumn + 1) sev d.ErrorNumber d.Message

/// The assemblies a script may use without any #r: the DSL and the core, exactly the copies this process loaded.
let private references () =
    [ typeof<Experiment>.Assembly.Location; typeof<GenDsl.Models.GaussianMixture>.Assembly.Location ]

/// The script's lines on the exception's stack, innermost first (the frames FSI compiled from the script's file).
let scriptLines (fullPath: string) (ex: exn) : int list =
    let frame = Text.RegularExpressions.Regex(@" in (.+):line (\d+)\s*$")
    [ for e in Seq.unfold (fun (e: exn) -> if isNull e then None else Some(e, e.InnerException)) ex do
        if not (isNull e.StackTrace) then
            for l in e.StackTrace.Split('\n') do
                let m = frame.Match(l.TrimEnd())
                if m.Success && m.Groups.[1].Value = fullPath then int m.Groups.[2].Value ]
    |> List.distinct

/// Evaluates the script and returns the experiments it binds, or the messages saying why not.
/// The host defines GENDSL_HOST, so a script's editor-only `#r` lines can sit in `#if !GENDSL_HOST`.
let load (path: string) : Result<Experiment list, string list> =
    let full = Path.GetFullPath path
    if not (File.Exists full) then Error [ sprintf "%s: no such script" path ] else
    let out, err = new StringWriter(), new StringWriter()
    let argv =
        [| yield "fsi.exe"; yield "--noninteractive"; yield "--nologo"; yield "--define:GENDSL_HOST"
           yield "--warnon:25"; yield "--quiet"
           for r in references () -> "-r:" + r |]
    let config = FsiEvaluationSession.GetDefaultConfiguration()
    use session = FsiEvaluationSession.Create(config, argv, new StringReader(""), out, err, collectible = false)
    let errorsOf (diags: FSharpDiagnostic[]) =
        diags |> Array.filter (fun d -> d.Severity = FSharpDiagnosticSeverity.Error) |> Array.map formatDiagnostic |> List.ofArray
    let text = File.ReadAllText full
    let result, diags = session.EvalInteractionNonThrowing(text, full)
    match result, errorsOf diags with
    | Choice2Of2 ex, [] ->
        let inner = ex.InnerException |> Option.ofObj |> Option.defaultValue ex
        match scriptLines full inner with
        | line :: callers ->
            Error [ yield sprintf "%s(%d): error: evaluation failed: %s: %s" path line (inner.GetType().Name) inner.Message
                    for l in callers -> sprintf "  called from %s(%d)" path l ]
        | [] -> Error [ sprintf "%s: error: evaluation failed: %s: %s" path (inner.GetType().Name) inner.Message ]
    | Choice2Of2 _, errs | Choice1Of2 _, (_ :: _ as errs) -> Error errs
    | Choice1Of2 _, [] ->
        let value name =
            match session.EvalExpressionNonThrowing name with
            | Choice1Of2 (Some v), _ -> Some v.ReflectionValue
            | _ -> None
        match value "experiments", value "experiment" with
        | Some (:? (Experiment list) as xs), _ -> Ok xs
        | Some (:? (Experiment[]) as xs), _ -> Ok(List.ofArray xs)
        | _, Some (:? Experiment as x) -> Ok [ x ]
        | Some v, _ -> Error [ sprintf "%s: `experiments` is a %s, expected an Experiment list" path (v.GetType().Name) ]
        | _, Some v -> Error [ sprintf "%s: `experiment` is a %s, expected an Experiment (build it with Experiment.create)" path (v.GetType().Name) ]
        | None, None -> Error [ sprintf "%s: the script binds neither `experiment` nor `experiments`: end it with `let experiment = ...`" path ]
