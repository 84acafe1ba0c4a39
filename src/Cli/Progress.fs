/// Progress.fs: training progress — Spectre.Console bars in a terminal, periodic plain lines when output is redirected.
module GenDsl.Cli.Progress

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open Spectre.Console
open Spectre.Console.Rendering
open GenDsl.Dsl.Runs

/// A task's pace in this process: the steps since the first one it reported, over the time since it began. A resumed
/// gradient fit reports its checkpoint's step + 1 first; the steps before that were done by the run that stopped, so they
/// count neither for the rate nor for the ETA. A fresh task reports step 0 or 1 first: every step it reports counts.
type Pace(clock: unit -> TimeSpan) =
    let start = clock ()
    let mutable before: int option = None
    /// Notes step k (the first one noted fixes where this process took over).
    member _.Step(k: int) = if before.IsNone then before <- Some(max 0 (k - 1))
    member _.Elapsed = clock () - start
    /// (steps per second, seconds left) at step k of total.
    member p.RateEta(k: int, total: int) =
        let secs = p.Elapsed.TotalSeconds
        let rate = if secs > 0.0 then float (k - defaultArg before 0) / secs else 0.0
        rate, (if rate > 0.0 then float (total - k) / rate else 0.0)

/// Plain lines: one when a task starts, then at most one every `every`, and one when it ends (step, named metrics, rate, ETA).
type PlainProgress(write: string -> unit, every: TimeSpan, clock: unit -> TimeSpan) =
    let tasks = Dictionary<string, Pace * int * TimeSpan ref>()
    let line task (k: int) total (metrics: (string * float) list) (pace: Pace) =
        let rate, eta = pace.RateEta(k, total)
        let ms = String.Join("  ", metrics |> List.map (fun (n, v) -> sprintf "%s %.4f" n v))
        write (sprintf "[%s] step %d/%d  %s  %.1f it/s  ETA %.1fs" task k total ms rate eta)
    new(write, every) =
        let sw = Stopwatch.StartNew()
        PlainProgress(write, every, fun () -> sw.Elapsed)
    interface IProgress with
        member _.Begin(task, total) =
            tasks.[task] <- (Pace clock, total, ref TimeSpan.Zero)
            write (sprintf "[%s] start (%d iterations)" task total)
        member _.Step(task, k, metrics) =
            let pace, total, last = tasks.[task]
            pace.Step k
            if pace.Elapsed - last.Value >= every || k = total then
                last.Value <- pace.Elapsed
                line task k total metrics pace
        member _.End task =
            let pace, _, _ = tasks.[task]
            write (sprintf "[%s] done in %.2fs" task pace.Elapsed.TotalSeconds)

/// Time left at the task's pace in this process (Spectre's RemainingTimeColumn, averaging the last 30 s of updates, would
/// count a resumed fit's jump to its checkpoint's step as work just done).
type private RemainingColumn(paces: ConcurrentDictionary<int, Pace>) =
    inherit ProgressColumn()
    override _.Render(_, task, _) =
        let left =
            match paces.TryGetValue task.Id with
            | _ when task.IsFinished -> Some TimeSpan.Zero
            | true, pace ->
                match pace.RateEta(int task.Value, int task.MaxValue) with
                | rate, eta when rate > 0.0 && eta < TimeSpan.MaxValue.TotalSeconds -> Some(TimeSpan.FromSeconds eta)
                | _ -> None
            | _ -> None
        Text((match left with Some t -> t.ToString(@"hh\:mm\:ss") | None -> "**:**:**"), Style(Color.Blue)) :> IRenderable

/// Spectre bars: one per fit, description showing the latest metrics.
type private BarProgress(ctx: ProgressContext, paces: ConcurrentDictionary<int, Pace>) =
    let tasks = Dictionary<string, ProgressTask>()
    let clock = let sw = Stopwatch.StartNew() in fun () -> sw.Elapsed
    interface IProgress with
        member _.Begin(task, total) =
            let t = ctx.AddTask(Markup.Escape task, true, float (max 1 total))
            paces.[t.Id] <- Pace clock
            tasks.[task] <- t
        member _.Step(task, k, metrics) =
            let t = tasks.[task]
            paces.[t.Id].Step k
            t.Value <- float k
            t.Description <- Markup.Escape(task + "  " + String.Join("  ", metrics |> List.map (fun (n, v) -> sprintf "%s %.4f" n v)))
        member _.End task = tasks.[task].Value <- tasks.[task].MaxValue

/// Runs `f` with bars when stdout is a terminal, with plain lines every 2 s otherwise.
let run (f: IProgress -> 'a) : 'a =
    if Console.IsOutputRedirected || not AnsiConsole.Profile.Capabilities.Interactive then
        f (PlainProgress((fun s -> Console.Out.WriteLine s; Console.Out.Flush()), TimeSpan.FromSeconds 2.0))
    else
        let mutable result = Unchecked.defaultof<'a>
        let paces = ConcurrentDictionary<int, Pace>()
        AnsiConsole.Progress()
            .Columns(TaskDescriptionColumn(), ProgressBarColumn(), PercentageColumn(), ElapsedTimeColumn(), RemainingColumn paces, SpinnerColumn())
            .Start(fun ctx -> result <- f (BarProgress(ctx, paces)))
        result
