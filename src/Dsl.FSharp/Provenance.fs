/// Provenance.fs: what produced a run — the command line and the git commit of the checkout it ran from — kept in the
/// run folder's provenance.json (one entry per start: the run, then each resume), read back by `gendsl export`.
module GenDsl.Dsl.Provenance

open System
open System.Diagnostics
open System.IO
open System.Text.Json.Nodes

/// One start of a run: the command as typed, the commit (with "+dirty" when tracked files differed from it), when.
type Entry = { Command: string; Commit: string; Dirty: bool; At: string; Resumed: bool }

/// `git <args>` in `dir`: its trimmed output, or None (no git, not a checkout, a timeout).
let private git (dir: string) (args: string list) : string option =
    try
        let psi = ProcessStartInfo("git", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
        psi.ArgumentList.Add "-C"
        psi.ArgumentList.Add dir
        for a in args do psi.ArgumentList.Add a
        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEndAsync()
        p.StandardError.ReadToEndAsync() |> ignore
        if not (p.WaitForExit 10000) then (try p.Kill true with _ -> ()); None
        elif p.ExitCode <> 0 then None
        else Some(out.Result.Trim())
    with _ -> None

/// (commit, dirty) of the checkout holding `dir`; ("unknown", false) outside a git checkout.
let commitOf (dir: string) : string * bool =
    match git dir [ "rev-parse"; "HEAD" ] with
    | None -> "unknown", false
    | Some sha ->
        let dirty = match git dir [ "status"; "--porcelain"; "--untracked-files=no" ] with Some s -> s <> "" | None -> false
        sha, dirty

/// The command line as a shell would take it back: arguments with spaces or quotes in single quotes.
let commandLine (program: string) (argv: string seq) =
    let quote (a: string) =
        if a <> "" && a |> Seq.forall (fun c -> Char.IsLetterOrDigit c || "-_./=:,+@%^".Contains c) then a
        else "'" + a.Replace("'", "'\\''") + "'"
    String.Join(" ", Seq.append [ program ] (Seq.map quote argv))

let private fileOf (folder: string) = RunFolder.within folder [ "provenance.json" ]

/// The entries of a run folder, oldest first (none when it has no provenance.json: runs made before it existed).
let read (folder: string) : Entry list =
    let p = Path.Combine(folder, "provenance.json")
    if not (File.Exists p) then []
    else
        try
            match JsonNode.Parse(File.ReadAllText p) with
            | null -> []
            | root ->
                [ for n in root.["runs"].AsArray() do
                    let s (k: string) = match n.[k] with null -> "" | v -> v.GetValue<string>()
                    let b (k: string) = match n.[k] with null -> false | v -> v.GetValue<bool>()
                    { Command = s "command"; Commit = s "commit"; Dirty = b "dirty"; At = s "at"; Resumed = b "resumed" } ]
        with _ -> []

/// Writes a folder's provenance.json (atomically) with these entries, oldest first: a run's, or what export keeps of it.
let write (folder: string) (entries: Entry list) =
    let runs = JsonArray()
    for e in entries do
        let o = JsonObject()
        o.["command"] <- JsonValue.Create e.Command
        o.["commit"] <- JsonValue.Create e.Commit
        o.["dirty"] <- JsonValue.Create e.Dirty
        o.["at"] <- JsonValue.Create e.At
        o.["resumed"] <- JsonValue.Create e.Resumed
        runs.Add(o)
    let root = JsonObject()
    root.["runs"] <- runs
    RunFolder.writeText (fileOf folder) (root.ToJsonString(Text.Json.JsonSerializerOptions(WriteIndented = true)) + "\n")

/// Appends this start to the folder's provenance.json: `command` as typed, the commit of the checkout holding
/// `checkoutDir` (the script's folder, else the working directory).
let record (folder: string) (command: string) (checkoutDir: string) (resumed: bool) =
    let commit, dirty = commitOf checkoutDir
    write folder (read folder @ [ { Command = command; Commit = commit; Dirty = dirty; At = DateTimeOffset.Now.ToString("o"); Resumed = resumed } ])
