/// ScriptHost.fs: evaluates an experiment .fsx in-process with FSharp.Compiler.Service (compiled once, then cached) and returns its `experiment(s)`.
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

/// The value bound to `experiments` or `experiment`, as the experiments, or the message saying what is wrong.
let private experimentsOf (path: string) (value: string -> obj option) : Result<Experiment list, string list> =
    match value "experiments", value "experiment" with
    | Some (:? (Experiment list) as xs), _ -> Ok xs
    | Some (:? (Experiment[]) as xs), _ -> Ok(List.ofArray xs)
    | _, Some (:? Experiment as x) -> Ok [ x ]
    | Some v, _ -> Error [ sprintf "%s: `experiments` is a %s, expected an Experiment list" path (v.GetType().Name) ]
    | _, Some v -> Error [ sprintf "%s: `experiment` is a %s, expected an Experiment (build it with Experiment.create)" path (v.GetType().Name) ]
    | None, None -> Error [ sprintf "%s: the script binds neither `experiment` nor `experiments`: end it with `let experiment = ...`" path ]

/// The "path(line): error: evaluation failed" messages for an exception the script's code threw.
let private evaluationFailed (path: string) (full: string) (ex: exn) =
    // the script's own exception, out of the reflection and static-initialiser wrappers a compiled script adds
    let rec unwrap (e: exn) =
        match e with
        | :? Reflection.TargetInvocationException | :? TypeInitializationException when not (isNull e.InnerException) -> unwrap e.InnerException
        | e -> e
    let inner = unwrap ex
    match scriptLines full inner with
    | line :: callers ->
        Error [ yield sprintf "%s(%d): error: evaluation failed: %s: %s" path line (inner.GetType().Name) inner.Message
                for l in callers -> sprintf "  called from %s(%d)" path l ]
    | [] -> Error [ sprintf "%s: error: evaluation failed: %s: %s" path (inner.GetType().Name) inner.Message ]

/// Evaluates the script with FSI: the experiments it binds, or the messages saying why not.
let private evaluate (path: string) (full: string) : Result<Experiment list, string list> =
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
    | Choice2Of2 ex, [] -> evaluationFailed path full (ex.InnerException |> Option.ofObj |> Option.defaultValue ex)
    | Choice2Of2 _, errs | Choice1Of2 _, (_ :: _ as errs) -> Error errs
    | Choice1Of2 _, [] ->
        experimentsOf path (fun name ->
            match session.EvalExpressionNonThrowing name with
            | Choice1Of2 (Some v), _ -> Some v.ReflectionValue
            | _ -> None)

/// Where compiled scripts are kept: $XDG_CACHE_HOME/gendsl/scripts, else ~/.cache/gendsl/scripts.
let defaultCacheDir () =
    let xdg = Environment.GetEnvironmentVariable "XDG_CACHE_HOME"
    let root = if String.IsNullOrEmpty xdg then Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".cache") else xdg
    Path.Combine(root, "gendsl", "scripts")

/// The script and every file it #loads (transitively, paths relative to the loading file), the script first.
let private closure (full: string) : string list =
    let directive = Text.RegularExpressions.Regex("""^\s*#load\s+(.*)$""")
    let quoted = Text.RegularExpressions.Regex("\"([^\"]+)\"")
    let rec go (seen: string list) (file: string) =
        if List.contains file seen || not (File.Exists file) then seen else
        let loads =
            [ for line in File.ReadAllLines file do
                let m = directive.Match line
                if m.Success then
                    for q in quoted.Matches m.Groups.[1].Value -> Path.GetFullPath(Path.Combine(Path.GetDirectoryName file, q.Groups.[1].Value)) ]
        List.fold go (seen @ [ file ]) loads
    go [] full

/// The cache key: SHA-256 over the GenDsl assemblies' build ids (a rebuilt GenDsl misses), the compiler's version,
/// the script's path and the content of the script and of everything it #loads.
let private cacheKey (full: string) =
    use sha = Security.Cryptography.SHA256.Create()
    let parts =
        [ yield typeof<Experiment>.Assembly.ManifestModule.ModuleVersionId.ToString()
          yield typeof<GenDsl.Models.GaussianMixture>.Assembly.ManifestModule.ModuleVersionId.ToString()
          yield typeof<FsiEvaluationSession>.Assembly.GetName().Version.ToString()
          for f in closure full do
              yield f
              yield Convert.ToHexString(sha.ComputeHash(File.ReadAllBytes f)) ]
    Convert.ToHexString(sha.ComputeHash(Encoding.UTF8.GetBytes(String.Join("\n", parts)))).Substring(0, 32).ToLowerInvariant()

/// The experiments from a compiled script: its file's module is the file name with a capital first letter;
/// None when it cannot be loaded (a damaged cache entry) or has no such module (FSI then evaluates the script).
let private fromAssembly (path: string) (full: string) (dll: string) =
    let stem = Path.GetFileNameWithoutExtension full
    let moduleName = string (Char.ToUpperInvariant stem.[0]) + stem.Substring 1
    let scriptModule =
        try Reflection.Assembly.LoadFrom(dll).GetTypes() |> Array.tryFind (fun t -> t.Name = moduleName && t.IsAbstract && t.IsSealed)
        with _ -> None
    match scriptModule with
    | None -> None
    | Some t ->
        try
            experimentsOf path (fun name ->
                let p = t.GetProperty(name, Reflection.BindingFlags.Public ||| Reflection.BindingFlags.Static)
                if isNull p then None else Some(p.GetValue null))
            |> Some
        with ex -> Some(evaluationFailed path full ex)

/// Compiles the script (with what it #loads) to dir/<name>.dll with its portable pdb (the stack's script lines);
/// false when fsc reports an error (FSI then evaluates it and reports the errors as before).
let private compile (full: string) (dll: string) =
    let runtime = Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory()
    let framework = Directory.GetFiles(runtime, "*.dll") |> Array.filter (fun f -> not (Path.GetFileName(f).StartsWith "Microsoft.VisualBasic"))
    let argv =
        [| yield "fsc.exe"; yield "-o:" + dll; yield "--target:library"; yield "--nologo"; yield "--noframework"
           yield "--debug:portable"; yield "--optimize-"; yield "--define:GENDSL_HOST"; yield "--warnon:25"
           yield "--targetprofile:netcore"; yield "--simpleresolution"
           for r in framework -> "-r:" + r
           yield "-r:" + typeof<list<int>>.Assembly.Location
           for r in references () -> "-r:" + r
           yield full |]
    let checker = FSharp.Compiler.CodeAnalysis.FSharpChecker.Create()
    let diags, ex = checker.Compile argv |> Async.RunSynchronously
    ex.IsNone && not (diags |> Array.exists (fun d -> d.Severity = FSharpDiagnosticSeverity.Error)) && File.Exists dll

/// The cache keeps the most recently used compiled scripts: entries past this many are deleted after a compile.
[<Literal>]
let CacheEntries = 64

/// Deletes the least recently used entries past CacheEntries (never `keep`, never a compile in progress).
let private prune (cacheDir: string) (keep: string) =
    try
        Directory.GetDirectories cacheDir
        |> Array.filter (fun d -> d <> keep && not (Path.GetFileName(d).Contains ".tmp-"))
        |> Array.sortByDescending Directory.GetLastWriteTimeUtc
        |> Array.iteri (fun i d -> if i >= CacheEntries - 1 then (try Directory.Delete(d, true) with _ -> ()))
    with _ -> ()

/// Loads the script through the cache in cacheDir: (the experiments or the messages, whether the compiled script
/// came from the cache). A miss compiles the script once with fsc into the cache; a script fsc rejects, or one
/// whose compiled form does not bind the experiments, goes through FSI, which reports its errors.
let loadCached (cacheDir: string) (path: string) : Result<Experiment list, string list> * bool =
    let full = Path.GetFullPath path
    if not (File.Exists full) then Error [ sprintf "%s: no such script" path ], false else
    let key = cacheKey full
    let dir = Path.Combine(cacheDir, key)
    let dll = Path.Combine(dir, "gendsl-script-" + key + ".dll")
    let hit = File.Exists dll
    let compiled =
        if hit then
            (try Directory.SetLastWriteTimeUtc(dir, DateTime.UtcNow) with _ -> ())   // recently used: kept by prune
            true
        else
            try
                let tmp = dir + ".tmp-" + Guid.NewGuid().ToString("N")   // concurrent loads (processes, test threads) never share one
                Directory.CreateDirectory tmp |> ignore
                let ok = compile full (Path.Combine(tmp, Path.GetFileName dll))
                if ok then (try Directory.Move(tmp, dir) with _ -> Directory.Delete(tmp, true)) else Directory.Delete(tmp, true)
                prune cacheDir dir
                ok && File.Exists dll
            with _ -> false
    match (if compiled then fromAssembly path full dll else None) with
    | Some r -> r, hit
    | None -> evaluate path full, false

/// Evaluates the script and returns the experiments it binds, or the messages saying why not; the compiled script
/// is kept in <see cref="defaultCacheDir"/>, so an unchanged script is not compiled again.
/// The host defines GENDSL_HOST, so a script's editor-only `#r` lines can sit in `#if !GENDSL_HOST`.
let load (path: string) : Result<Experiment list, string list> = loadCached (defaultCacheDir ()) path |> fst
