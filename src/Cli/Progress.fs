/// Progress.fs: training progress — Spectre.Console bars in a terminal, periodic plain lines when output is redirected.
module GenDsl.Cli.Progress

open System
open System.Collections.Generic
open System.Diagnostics
open Spectre.Console
open GenDsl.Dsl.Runs

/// Plain lines: one when a task starts, then at most one every `every`, and one when it ends (step, named metrics, rate, ETA).
type PlainProgress(write: string -> unit, every: TimeSpan) =
    let tasks = Dictionary<string, Stopwatch * int * TimeSpan ref>()
    let line task (k: int) total (metrics: (string * float) list) (sw: Stopwatch) =
        let secs = sw.Elapsed.TotalSeconds
        let rate = if secs > 0.0 then float k / secs else 0.0
        let eta = if rate > 0.0 then float (total - k) / rate else 0.0
        let ms = String.Join("  ", metrics |> List.map (fun (n, v) -> sprintf "%s %.4f" n v))
        write (sprintf "[%s] step %d/%d  %s  %.1f it/s  ETA %.1fs" task k total ms rate eta)
    interface IProgress with
        member _.Begin(task, total) =
            tasks.[task] <- (Stopwatch.StartNew(), total, ref TimeSpan.Zero)
            write (sprintf "[%s] start (%d iterations)" task total)
        member _.Step(task, k, metrics) =
            let sw, total, last = tasks.[task]
            if sw.Elapsed - last.Value >= every || k = total then
                last.Value <- sw.Elapsed
                line task k total metrics sw
        member _.End task =
            let sw, _, _ = tasks.[task]
            write (sprintf "[%s] done in %.2fs" task sw.Elapsed.TotalSeconds)

/// Spectre bars: one per fit, description showing the latest metrics.
type private BarProgress(ctx: ProgressContext) =
    let tasks = Dictionary<string, ProgressTask>()
    interface IProgress with
        member _.Begin(task, total) = tasks.[task] <- ctx.AddTask(Markup.Escape task, true, float (max 1 total))
        member _.Step(task, k, metrics) =
            let t = tasks.[task]
            t.Value <- float k
            t.Description <- Markup.Escape(task + "  " + String.Join("  ", metrics |> List.map (fun (n, v) -> sprintf "%s %.4f" n v)))
        member _.End task = tasks.[task].Value <- tasks.[task].MaxValue

/// Runs `f` with bars when stdout is a terminal, with plain lines every 2 s otherwise.
let run (f: IProgress -> 'a) : 'a =
    if Console.IsOutputRedirected || not AnsiConsole.Profile.Capabilities.Interactive then
        f (PlainProgress((fun s -> Console.Out.WriteLine s; Console.Out.Flush()), TimeSpan.FromSeconds 2.0))
    else
        let mutable result = Unchecked.defaultof<'a>
        AnsiConsole.Progress()
            .Columns(TaskDescriptionColumn(), ProgressBarColumn(), PercentageColumn(), ElapsedTimeColumn(), RemainingTimeColumn(), SpinnerColumn())
            .Start(fun ctx -> result <- f (BarProgress ctx))
        result
