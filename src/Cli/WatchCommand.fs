/// WatchCommand.fs: `gendsl watch <run>`: the run's latest step, metrics and ETA in the terminal (from its live.js),
/// a line whenever they change, until the run ends; Ctrl-C stops watching and leaves the run alone.
module GenDsl.Cli.WatchCommand

open System
open System.IO
open System.Text.Json.Nodes
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let private hms (s: float) =
    if Double.IsFinite s && s >= 0.0 then TimeSpan.FromSeconds(round s).ToString(@"hh\:mm\:ss") else "--:--:--"

/// The line for the latest live state: the task under way (or the last one), its step, latest metrics and ETA.
let line (live: JsonNode) =
    let tasks = [ for t in live.["tasks"].AsArray() -> t ]
    match tasks |> List.filter (fun t -> not (t.["ended"].GetValue<bool>())) |> List.tryLast |> Option.orElse (List.tryLast tasks) with
    | None -> "starting"
    | Some t ->
        let metrics =
            [ for kv in t.["metrics"].AsObject() do
                let ys = kv.Value.["y"].AsArray()
                if ys.Count > 0 && not (isNull ys.[ys.Count - 1]) then sprintf "%s %.4f" kv.Key (ys.[ys.Count - 1].GetValue<float>()) ]
        let eta = match t.["eta_s"] with null -> nan | v -> v.GetValue<float>()
        sprintf "[%s] step %d/%d  %s  ETA %s" (t.["task"].GetValue<string>()) (t.["step"].GetValue<int>()) (t.["total"].GetValue<int>()) (String.Join("  ", metrics)) (hms eta)

let execute (a: ParseResults<WatchArgs>) =
    let folder = a.GetResult WatchArgs.Folder
    let every = a.GetResult(WatchArgs.Every, defaultValue = 2.0)
    if not (Double.IsFinite every) || every <= 0.0 then eprint (sprintf "--every must be a number of seconds > 0, got %g" every); ExitCode.Usage
    elif not (File.Exists(Path.Combine(folder, "config.json"))) then
        eprint (sprintf "'%s' is not a run folder (it has no config.json): give runs/<experiment>/<timestamp>/" folder); ExitCode.Usage
    else
        Common.watching <- true
        let mutable last = ""
        let mutable result = None
        while result.IsNone do
            match RunFolder.stopRequested () with
            | Some _ ->
                printfn "stopped watching; the run goes on (its state: %s)" (RunFolder.stateText (RunFolder.state folder))
                result <- Some ExitCode.Ok
            | None ->
                let state = RunFolder.state folder
                let live = Live.read folder
                let now = match live with Some l -> line l | None -> "no live.js yet (a run made before live reports, or just starting)"
                if now <> last then
                    printfn "%s" now
                    last <- now
                match state with
                | RunFolder.Running -> Threading.Thread.Sleep(TimeSpan.FromSeconds every)
                | RunFolder.Done -> printfn "DONE: %s" (Path.Combine(folder, "report.html")); result <- Some ExitCode.Ok
                | s ->
                    let why = match live with Some l when l.["message"].GetValue<string>() <> "" -> ": " + l.["message"].GetValue<string>() | _ -> ""
                    eprint (sprintf "the run is %s%s" ((RunFolder.stateText s).ToUpper()) why)
                    result <- Some ExitCode.RunFailed
        result.Value
