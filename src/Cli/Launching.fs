/// Launching.fs: data-parallel runs from the command line — `run --nproc/--nnodes/--node-rank/--master` and `resume --nproc`
/// start this machine's workers (this program again) and wait for them; a worker finds the run folder it keeps.
module GenDsl.Cli.Launching

open System
open System.IO
open GenDsl.Dsl

let private eprint (s: string) = Console.Error.WriteLine s

/// This process as a worker of a launch (torchrun's environment variables), or None.
let worker () = GenDsl.Distributed.DistributedOptions.FromEnvironment() |> Option.ofObj

/// The run folders under root (root/<experiment>/<stamp>), to find the one a launched rank 0 made.
let private runFoldersUnder (root: string) =
    if Directory.Exists root then
        Directory.GetDirectories root |> Array.collect (fun d -> try Directory.GetDirectories d with _ -> [||]) |> Set.ofArray
    else Set.empty

/// `--nproc N [--nnodes M --node-rank R --master host:port]`: starts this machine's workers (this program again, with
/// torchrun's environment variables) and waits for them; a worker that fails fails the run, and the run folder rank 0
/// made says which rank died.
let private launchWorkers (argv: string[]) (nproc: int) (nnodes: int) (nodeRank: int) (master: string option) (folders: unit -> Set<string>) =
    let addr, port =
        match master with
        | None -> "127.0.0.1", 0
        | Some m ->
            let i = m.LastIndexOf ':'
            match (if i > 0 then Int32.TryParse(m.Substring(i + 1)) else (false, 0)) with
            | true, p when p > 0 && p < 65536 -> m.Substring(0, i), p
            | _ -> raise (UsageError(sprintf "--master %s: give host:port, e.g. --master 10.0.0.1:29500" m))
    if nnodes > 1 && master.IsNone then raise (UsageError "--nnodes > 1 needs --master host:port (machine 0's address and a free port)")
    // The workers get the same command line without the launch options.
    let launchOptions = set [ "--nproc"; "--nnodes"; "--node-rank"; "--master" ]
    let rec strip (xs: string list) =
        match xs with
        | o :: _ :: rest when launchOptions.Contains o -> strip rest
        | x :: rest -> x :: strip rest
        | [] -> []
    let before = folders ()
    printfn "launching %d worker(s) on this machine (%d in all); each gets %d thread(s)" nproc (nproc * nnodes) (max 1 (Environment.ProcessorCount / nproc))
    let result =
        GenDsl.Distributed.Launch.Run(
            GenDsl.Distributed.LaunchOptions(
                NProc = nproc, NNodes = nnodes, NodeRank = nodeRank, MasterAddr = addr, MasterPort = port,
                Arguments = (strip (List.ofArray argv) |> Array.ofList),
                ThreadsPerWorker = 0))
    if result.Succeeded then ExitCode.Ok
    else
        let why = sprintf "%s (of %d workers)" result.FailureMessage (nproc * nnodes)
        for d in Set.difference (folders ()) before do
            match RunFolder.state d with
            | RunFolder.Done -> ()
            | _ ->
                let earlier = try File.ReadAllText(Path.Combine(d, "FAILED")) with _ -> ""
                RunFolder.mark d "FAILED" (sprintf "%s\n%s" why earlier)
                eprint (sprintf "run FAILED: %s\n  see %s" why (Path.Combine(d, "FAILED")))
        let codes = result.ExitCodes |> Seq.filter ((<>) 0) |> List.ofSeq
        if codes |> List.exists (fun c -> c = ExitCode.Sigint || c = ExitCode.Sigterm) then codes |> List.find (fun c -> c = ExitCode.Sigint || c = ExitCode.Sigterm)
        else ExitCode.RunFailed

/// `run ... --nproc N [--nnodes M --node-rank R --master host:port]` with runs under root: launches and waits; a failed
/// worker marks the run folder rank 0 made there FAILED.
let run (argv: string[]) (nproc: int) (nnodes: int) (nodeRank: int) (master: string option) (root: string) =
    launchWorkers argv nproc nnodes nodeRank master (fun () -> runFoldersUnder root)

/// A worker other than rank 0 computes what rank 0 does but keeps nothing: the scratch root its run folder goes to.
let scratchRoot (worker: GenDsl.Distributed.DistributedOptions option) : string option =
    worker |> Option.filter (fun d -> d.Rank <> 0) |> Option.map (fun d -> Path.Combine(Path.GetTempPath(), sprintf "gendsl-rank%d-%s" d.Rank (Guid.NewGuid().ToString("N"))))

/// The environment variable through which `resume --nproc` hands each other rank its copy of the run folder.
let private resumeCopies = "GENDSL_RESUME_COPIES"

/// `resume <folder> --nproc N`: ranks 1.. resume a copy each, taken now before rank 0 touches the folder, and deleted
/// after; a failed worker marks the folder FAILED unless it finished.
let resume (argv: string[]) (nproc: int) (folder: string) =
    if not (Directory.Exists folder) then raise (UsageError(sprintf "no run folder '%s'" folder))
    let copies = Path.Combine(Path.GetTempPath(), "gendsl-resume-" + Guid.NewGuid().ToString("N"))
    try
        for r in 1 .. nproc - 1 do
            let dst = Path.Combine(copies, sprintf "rank%d" r)
            for d in Directory.GetDirectories(folder, "*", SearchOption.AllDirectories) do
                Directory.CreateDirectory(Path.Combine(dst, Path.GetRelativePath(folder, d))) |> ignore
            Directory.CreateDirectory dst |> ignore
            for f in Directory.GetFiles(folder, "*", SearchOption.AllDirectories) do
                File.Copy(f, Path.Combine(dst, Path.GetRelativePath(folder, f)))
        Environment.SetEnvironmentVariable(resumeCopies, copies)
        let full = Path.GetFullPath folder
        // Before the launch nothing to mark; after it, the folder unless it finished.
        let mutable launched = false
        let folders () =
            if not launched then launched <- true; Set.empty
            elif RunFolder.state full = RunFolder.Done then Set.empty
            else Set.singleton full
        launchWorkers argv nproc 1 0 None folders
    finally
        Environment.SetEnvironmentVariable(resumeCopies, null)
        try Directory.Delete(copies, true) with _ -> ()

/// The folder a resuming process continues: the given one, or for a worker of rank > 0 the copy `resume --nproc` made it.
let resumeFolder (worker: GenDsl.Distributed.DistributedOptions option) (folder: string) =
    match worker with
    | Some d when d.Rank <> 0 ->
        match Environment.GetEnvironmentVariable resumeCopies with
        | null | "" -> raise (UsageError "resume as rank > 0 needs the copy `gendsl resume --nproc` makes: resume a data-parallel run with --nproc on the machine that holds its folder")
        | copies -> Path.Combine(copies, sprintf "rank%d" d.Rank)
    | _ -> folder
