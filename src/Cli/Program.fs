/// Program.fs: the `gendsl` entry point — a bare script path means run, the dispatch of each command to its module
/// (RunCommand, CheckCommand, ResumeCommand, SampleCommand, ListCommand, ExportCommand, CompareCommand, WatchCommand),
/// shared options a command does not take, --help and --version, and SIGINT/SIGTERM.
module GenDsl.Cli.Program

open System
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

/// The exit codes' help text (the same as the README's table).
let exitCodesText = Args.exitCodesText

/// A first argument that is not a subcommand (e.g. a script path) means `run`.
let normalise (argv: string[]) =
    let commands = set [ "run"; "check"; "describe"; "resume"; "sample"; "list"; "export"; "compare"; "watch"; "--help"; "-h"; "/?"; "help"; "--version" ]
    if argv.Length > 0 && not (commands.Contains argv.[0]) then Array.append [| "run" |] argv else argv

let private version () =
    let a = typeof<Args>.Assembly
    match a.GetCustomAttributes(typeof<Reflection.AssemblyInformationalVersionAttribute>, false) with
    | [| :? Reflection.AssemblyInformationalVersionAttribute as v |] -> v.InformationalVersion.Split('+').[0]
    | _ -> string (a.GetName().Version)

/// A shared option given to a command that does not take it, as a message (the option and where it applies).
let private misplaced (results: ParseResults<Args>) : string option =
    let command, takes =
        match results.GetSubCommand() with
        | Run _ -> "run", [ "seed"; "set"; "case"; "threads"; "device" ]
        | Check _ -> "check", [ "seed"; "set"; "case" ]
        | Describe _ -> "describe", [ "seed"; "set"; "case" ]
        | Resume _ -> "resume", [ "set"; "threads"; "device" ]
        | Sample _ -> "sample", [ "seed"; "case" ]
        | Export _ -> "export", []
        | Compare _ -> "compare", []
        | Watch _ -> "watch", []
        | _ -> "list", []
    let name (a: Args) =
        match a with
        | Seed _ -> Some "seed" | Set_Param _ -> Some "set" | Set_All _ -> Some "set" | Only_Case _ -> Some "case" | Threads _ -> Some "threads" | Device _ -> Some "device"
        | _ -> None
    results.GetAllResults() |> List.choose name |> List.tryFind (fun n -> not (List.contains n takes))
    |> Option.map (fun n -> sprintf "gendsl %s does not take --%s (%s takes %s)" command n command (if takes.IsEmpty then "none of the shared options" else String.Join(", ", takes |> List.map ((+) "--"))))

/// Runs the command line and returns the exit code (README "Exit codes"); never throws.
let execute (argv: string[]) : int =
    let parser = ArgumentParser.Create<Args>(programName = "gendsl")
    let usage () = parser.PrintUsage() + "\n" + exitCodesText
    let argv = normalise argv
    match argv with
    | [||] ->
        eprint (usage ())
        ExitCode.Usage
    | [| "help" |] | [| "-h" |] | [| "--help" |] | [| "/?" |] ->
        printfn "%s" (usage ())
        ExitCode.Ok
    | [| "--version" |] ->
        printfn "gendsl %s (libtorch %s)" (version ()) GenDsl.Torch.Torch.Version
        printfn "BLAS: %s" GenDsl.Torch.Torch.BlasInfo
        ExitCode.Ok
    | _ ->
        let results =
            try Ok(parser.ParseCommandLine(argv, raiseOnUsage = true))
            with
            | :? ArguParseException as ex when ex.ErrorCode = ErrorCode.HelpText -> Error(true, ex.Message)
            | :? ArguParseException as ex -> Error(false, ex.Message)
        match results with
        | Error (true, help) ->
            printfn "%s\n%s" (help.TrimEnd()) exitCodesText
            ExitCode.Ok
        | Error (false, msg) ->
            eprint (msg.TrimEnd())
            ExitCode.Usage
        | Ok results ->
            let during, code =
                match results.GetSubCommand() with
                | Run a -> true, (fun () -> RunCommand.execute argv results a)
                | Check a -> false, (fun () -> CheckCommand.execute results a false)
                | Describe a -> false, (fun () -> CheckCommand.execute results a true)
                | Resume a -> true, (fun () -> ResumeCommand.execute argv results a)
                | Sample a -> false, (fun () -> SampleCommand.execute results a)
                | List a -> false, (fun () -> ListCommand.execute a)
                | Export a -> false, (fun () -> ExportCommand.execute a)
                | Compare a -> false, (fun () -> CompareCommand.execute a)
                | Watch a -> false, (fun () -> WatchCommand.execute a)
                | _ -> false, (fun () -> ExitCode.Usage)
            match misplaced results with
            | Some msg -> eprint msg; ExitCode.Usage
            | None ->
            try code ()
            with
            | :? ArguParseException as ex ->
                eprint (ex.Message.TrimEnd())
                ExitCode.Usage
            | UsageError msg ->
                eprint msg
                ExitCode.Usage
            | ex ->
                // Anything unforeseen: one line, no stack trace (GENDSL_DEBUG=1 prints it).
                eprint (sprintf "error: %s" ex.Message)
                if Environment.GetEnvironmentVariable "GENDSL_DEBUG" = "1" then eprint (string ex)
                if during then ExitCode.RunFailed else ExitCode.Usage

/// SIGINT and SIGTERM ask the run to stop after its current step (checkpoint, INTERRUPTED, exit 130/143); a second
/// signal ends the process at once.
let private onSignals () =
    let handle (signal: int) (ctx: Runtime.InteropServices.PosixSignalContext) =
        match RunFolder.stopRequested () with
        | None ->
            ctx.Cancel <- true
            RunFolder.requestStop signal
            if Common.watching then eprint (sprintf "\n%s: no longer watching" (signalName signal))
            else eprint (sprintf "\n%s: stopping after the current step (a checkpoint is written; send it again to quit at once)" (signalName signal))
        | Some _ -> ctx.Cancel <- false
    [ Runtime.InteropServices.PosixSignalRegistration.Create(Runtime.InteropServices.PosixSignal.SIGINT, Action<_>(handle 2))
      Runtime.InteropServices.PosixSignalRegistration.Create(Runtime.InteropServices.PosixSignal.SIGTERM, Action<_>(handle 15)) ]

[<EntryPoint>]
let main argv =
    let registrations = onSignals ()
    let code = execute argv
    for r in registrations do r.Dispose()
    code
