/// RunFolder.fs: the run folder's safety — paths proven to stay inside it, atomic writes, the state markers
/// (RUNNING, DONE, FAILED, INTERRUPTED) and the process-wide stop request that SIGINT/SIGTERM set.
module GenDsl.Dsl.RunFolder

open System
open System.Diagnostics
open System.Globalization
open System.IO
open System.Threading
open GenDsl.Torch

// ---- paths ----

/// The path of `parts` under `dir`, proven to stay inside it: every part must be a plain name (no separator, not
/// empty, not "." or ".."), and the resolved full path must lie under the resolved `dir`. Every file a run writes is
/// named through this.
let within (dir: string) (parts: string list) : string =
    let bad (p: string) =
        String.IsNullOrEmpty p || p = "." || p = ".." || p.IndexOfAny([| '/'; '\\'; '\000' |]) >= 0
    match parts |> List.tryFind bad with
    | Some p -> raise (ArgumentException(sprintf "the file name '%s' under '%s' is not a plain name (no separators, not empty, not '.' or '..'): a run writes only inside its folder" p dir))
    | None ->
        let root = Path.GetFullPath dir
        let full = Path.GetFullPath(Path.Combine(Array.ofList (root :: parts)))
        let prefix = if root.EndsWith(string Path.DirectorySeparatorChar) then root else root + string Path.DirectorySeparatorChar
        if parts.IsEmpty || not (full.StartsWith(prefix, StringComparison.Ordinal)) then
            raise (ArgumentException(sprintf "'%s' would lie outside '%s': a run writes only inside its folder" full root))
        full

// ---- atomic writes: a reader sees the old file or the whole new one, never half of it ----

let private tmpOf (path: string) = sprintf "%s.%d.tmp" path Environment.ProcessId

/// Writes `write tmp` to a temporary name beside `path`, then renames it over `path`.
let private atomically (path: string) (write: string -> unit) =
    let tmp = tmpOf path
    try
        write tmp
        File.Move(tmp, path, true)
    finally
        if File.Exists tmp then File.Delete tmp

/// Writes text to `path` atomically (temporary file, then rename).
let writeText (path: string) (text: string) = atomically path (fun tmp -> File.WriteAllText(tmp, text))

/// Torch.Save of named tensors to `path` atomically.
let saveTensors (path: string) (tensors: Collections.Generic.IReadOnlyDictionary<string, Tensor>) =
    atomically path (fun tmp -> Torch.Save(tensors, tmp))

/// Copies `source` to `path` unless a file of the same length is there already (atomically).
let copyOnce (source: string) (path: string) =
    let same = File.Exists path && FileInfo(path).Length = FileInfo(source).Length
    if not same then atomically path (fun tmp -> File.Copy(source, tmp, true))

// ---- markers ----

/// A run folder's state, from its marker file.
type RunState =
    | Running
    | Done
    | Failed
    | Interrupted
    /// RUNNING names a process that no longer exists (killed, or the machine stopped).
    | Killed
    /// No marker: not a run folder of this version.
    | Unknown

let markers = [ "RUNNING"; "DONE"; "FAILED"; "INTERRUPTED" ]

let stateText (s: RunState) =
    match s with
    | Running -> "running"
    | Done -> "done"
    | Failed -> "failed"
    | Interrupted -> "interrupted"
    | Killed -> "killed"
    | Unknown -> "unknown"

/// "pid <n>\nstarted <time>\n": this process and its start time (to tell a reused pid from the run's).
let runningText () =
    use p = Process.GetCurrentProcess()
    sprintf "pid %d\nstarted %s\nprocess_started %s\n" p.Id (DateTimeOffset.Now.ToString("o")) (p.StartTime.ToUniversalTime().ToString("o"))

/// Sets the folder's marker: the new one is written first, then the others are removed (so there is always one).
let mark (folder: string) (marker: string) (text: string) =
    if not (List.contains marker markers) then invalidArg "marker" (sprintf "unknown marker '%s'" marker)
    writeText (within folder [ marker ]) text
    for m in markers do
        if m <> marker then
            let p = within folder [ m ]
            if File.Exists p then File.Delete p

let private alive (runningFile: string) =
    let lines = try File.ReadAllLines runningFile with _ -> [||]
    let field (name: string) =
        lines |> Array.tryPick (fun l -> if l.StartsWith(name + " ") then Some(l.Substring(name.Length + 1).Trim()) else None)
    match field "pid" |> Option.bind (fun s -> match Int32.TryParse s with true, v -> Some v | _ -> None) with
    | None -> false
    | Some pid ->
        try
            use p = Process.GetProcessById pid
            if p.HasExited then false
            else
                // A pid can be reused: the process must also have started when the run's did.
                match field "process_started" |> Option.bind (fun s -> match DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) with true, t -> Some t | _ -> None) with
                | Some t -> abs (p.StartTime.ToUniversalTime() - t.UtcDateTime).TotalSeconds < 2.0
                | None -> true
        with _ -> false

/// The state of a run folder from its markers (RUNNING with a dead pid: Killed).
let state (folder: string) : RunState =
    let has m = File.Exists(Path.Combine(folder, m))
    if has "DONE" then Done
    elif has "FAILED" then Failed
    elif has "INTERRUPTED" then Interrupted
    elif has "RUNNING" then (if alive (Path.Combine(folder, "RUNNING")) then Running else Killed)
    else Unknown

/// Makes a new run folder <root>/<name>/<stamp>[-n]/ holding RUNNING, checkpoints/ and plots/, atomically: it is
/// built under a temporary name and renamed into place, and a rename onto a folder another run made fails, so two
/// processes writing into one root at the same second never share a folder.
let create (root: string) (name: string) (stamp: string) =
    let parent = within root [ name ]
    Directory.CreateDirectory parent |> ignore
    let tmp = within parent [ sprintf ".new-%d-%s" Environment.ProcessId (Guid.NewGuid().ToString("N")) ]
    Directory.CreateDirectory(Path.Combine(tmp, "checkpoints")) |> ignore
    Directory.CreateDirectory(Path.Combine(tmp, "plots")) |> ignore
    File.WriteAllText(Path.Combine(tmp, "RUNNING"), runningText ())
    let rec place i =
        let dir = within parent [ (if i = 0 then stamp else sprintf "%s-%d" stamp i) ]
        if Directory.Exists dir then place (i + 1)
        else
            try
                Directory.Move(tmp, dir)
                dir
            with :? IOException when Directory.Exists dir && i < 1000 -> place (i + 1)
    try place 0
    finally
        if Directory.Exists tmp then Directory.Delete(tmp, true)

// ---- the stop request ----

/// Raised where a run stops on request (after the current step's checkpoint for gradient fits).
exception RunInterrupted of signal: int

let mutable private stopSignal = 0

/// Asks every run in this process to stop: gradient fits end after their current step and write a checkpoint, EM
/// loops and studies are abandoned. `signal`: 2 (SIGINT) or 15 (SIGTERM); the first request wins.
let requestStop (signal: int) = Interlocked.CompareExchange(&stopSignal, signal, 0) |> ignore

/// The signal of the stop request, if one was made.
let stopRequested () = match Volatile.Read(&stopSignal) with 0 -> None | s -> Some s

/// Raises RunInterrupted when a stop was requested.
let throwIfStopped () = match stopRequested () with Some s -> raise (RunInterrupted s) | None -> ()

/// Forgets a stop request (tests; a host that runs again).
let clearStop () = Volatile.Write(&stopSignal, 0)
