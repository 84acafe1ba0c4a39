/// Runs.fs: what a run needs around the families — progress, options, the metrics log, plotly, versions.
module GenDsl.Dsl.Runs

open System
open System.Diagnostics
open System.Globalization
open System.IO
open System.Text.Json.Nodes
open GenDsl.Torch
open GenDsl.Models

/// Where progress goes (the CLI draws bars or prints lines; tests stay silent).
type IProgress =
    abstract Begin: task: string * total: int -> unit
    /// The latest named numbers of a task at a step (e.g. "mean LL", "loss").
    abstract Step: task: string * step: int * metrics: (string * float) list -> unit
    abstract End: task: string -> unit

let silent =
    { new IProgress with
        member _.Begin(_, _) = ()
        member _.Step(_, _, _) = ()
        member _.End _ = () }

type RunOptions =
    { /// Runs go to <OutputRoot>/<experiment>/<timestamp>/.
      OutputRoot: string
      /// "cpu" or "cuda[:n]".
      Device: string
      /// libtorch intra-op threads; None: leave as is.
      Threads: int option
      /// plotly.min.js to copy next to the report; None: found next to this assembly or in a node_modules above.
      PlotlyJs: string option
      Progress: IProgress
      /// This process is one rank of a data-parallel run (README "Scaling out"): every gradient fit's Trainer joins the
      /// group and trains on its shard; None: a single process.
      Distributed: GenDsl.Distributed.DistributedOptions option
      /// The script the experiment came from (its full path): a run of a model written in a script records it in
      /// script.txt, so that `resume` and `sample` take the model's code from it.
      Script: string option
      /// The command line that started the run (recorded with the git commit in provenance.json); None: a run started
      /// from code (tests, a script calling Interpret.run).
      Command: string option }

let defaults = { OutputRoot = "runs"; Device = "cpu"; Threads = None; PlotlyJs = None; Progress = silent; Distributed = None; Script = None; Command = None }

type RunOutcome =
    { Folder: string
      /// None: completed; Some message: failed (the folder holds FAILED) or interrupted (INTERRUPTED).
      Error: string option
      /// Some signal (2: SIGINT, 15: SIGTERM): stopped on request, resumable (the folder holds INTERRUPTED).
      Interrupted: int option
      Expectations: (string * bool) list }

// ---- environment ----

/// plotly.min.js: the given path, else next to this assembly (copied by the build), else node_modules above the
/// working directory or the assembly.
let findPlotly (given: string option) =
    let rel = Path.Combine("node_modules", "plotly.js-dist-min", "plotly.min.js")
    let rec up (dir: string) =
        if isNull dir then None
        else
            let p = Path.Combine(dir, rel)
            if File.Exists p then Some p else up (Path.GetDirectoryName dir)
    match given with
    | Some p when File.Exists p -> Ok p
    | Some p -> Error(sprintf "plotly.min.js not found at '%s'" p)
    | None ->
        // Beside the application (a build copies it there), else where the GenDsl.Dsl package put it: a script that
        // references the package loads the assembly from <package>/lib/<tfm>/ and the file is in contentFiles.
        let dsl = Path.GetDirectoryName(typeof<Experiment>.Assembly.Location)
        let candidates =
            [ Path.Combine(AppContext.BaseDirectory, "plotly.min.js")
              if not (String.IsNullOrEmpty dsl) then
                  Path.Combine(dsl, "plotly.min.js")
                  Path.GetFullPath(Path.Combine(dsl, "..", "..", "contentFiles", "any", "any", "plotly.min.js")) ]
        match candidates |> List.tryFind File.Exists with
        | Some p -> Ok p
        | None ->
            match up (Directory.GetCurrentDirectory()) |> Option.orElse (up AppContext.BaseDirectory) with
            | Some p -> Ok p
            | None -> Error "plotly.min.js not found: run `bash eng/bootstrap.sh` (it installs node_modules/plotly.js-dist-min)"

let private plotlyVersion (path: string) =
    use r = new StreamReader(path)
    let head = String(Array.init 200 (fun _ -> let c = r.Read() in if c < 0 then ' ' else char c))
    let i = head.IndexOf("plotly.js v")
    if i < 0 then "?" else head.Substring(i + 11).Split([| '\n'; ' '; '\r' |]).[0]

let private asmVersion (t: Type) =
    let a = t.Assembly
    match a.GetCustomAttributes(typeof<Reflection.AssemblyInformationalVersionAttribute>, false) with
    | [| :? Reflection.AssemblyInformationalVersionAttribute as v |] -> v.InformationalVersion.Split('+').[0]
    | _ -> string (a.GetName().Version)

let versions (plotly: string) =
    [ "GenDsl.Core", asmVersion typeof<GaussianMixture>
      "GenDsl.Dsl", asmVersion typeof<Experiment>
      "libtorch", Torch.Version
      "libtorch threads", string Torch.NumThreads
      "BLAS", Torch.BlasInfo
      ".NET", Runtime.InteropServices.RuntimeInformation.FrameworkDescription
      "FSharp.Core", asmVersion typeof<option<int>>
      "plotly.js", plotlyVersion plotly
      "OS", Runtime.InteropServices.RuntimeInformation.OSDescription ]

/// metrics.csv (long format: case, fit, step, metric, value, seconds) and metrics.jsonl (one object per step). Records
/// are kept in memory and written whole lines at a time, one write per file, at most 0.2 s after the first record
/// not yet written (and at Flush, Rewind and Dispose), so a reader never sees half a line. Writing and flushing each
/// step's record as it came was most of the DSL's cost per step on small models: P7's SGD logs 5,000 steps.
type MetricsLog(csvPath: string, jsonlPath: string, append: bool) =
    let appending = append && File.Exists csvPath
    // Unbuffered streams: each Flush is one write(2) of whole lines per file.
    let openLog (path: string) (keep: bool) = new FileStream(path, (if keep then FileMode.Append else FileMode.Create), FileAccess.Write, FileShare.ReadWrite, 1)
    let mutable csv = openLog csvPath appending
    let mutable jsonl = openLog jsonlPath append
    let pendingCsv = Text.StringBuilder()
    // metrics.jsonl's pending lines as UTF-8, written by one reused JSON writer (a JsonObject per step cost P7's
    // 5,000-step SGD and the MLP VAE's 469-step epoch more than the rest of the log).
    let pendingJsonl = Buffers.ArrayBufferWriter<byte>()
    let json = new Text.Json.Utf8JsonWriter(pendingJsonl)
    let newline = [| byte '\n' |]
    let reserved = [| "case"; "fit"; "step"; "seconds" |]
    /// Whether a metric name repeats a key of the record or another metric's name.
    let rec clashes (seen: string list) (metrics: (string * float) list) =
        match metrics with
        | [] -> false
        | (n, _) :: rest -> Array.contains n reserved || List.contains n seen || clashes (n :: seen) rest
    let sinceFlush = Stopwatch()
    let flushEvery = TimeSpan.FromSeconds 0.2
    let writeOut () =
        let put (fs: FileStream) (sb: Text.StringBuilder) =
            if sb.Length > 0 then
                fs.Write(Text.Encoding.UTF8.GetBytes(sb.ToString()))
                sb.Clear() |> ignore
        put csv pendingCsv
        if pendingJsonl.WrittenCount > 0 then
            jsonl.Write(pendingJsonl.WrittenSpan)
            pendingJsonl.Clear()
        sinceFlush.Reset()
    /// The fields of a CSV line as `quote` writes them (a quoted field may hold commas and doubled quotes).
    let fields (line: string) =
        let out = ResizeArray<string>()
        let sb = Text.StringBuilder()
        let mutable quoted = false
        let mutable i = 0
        while i < line.Length do
            let ch = line.[i]
            if quoted then
                if ch = '"' && i + 1 < line.Length && line.[i + 1] = '"' then sb.Append '"' |> ignore; i <- i + 1
                elif ch = '"' then quoted <- false
                else sb.Append ch |> ignore
            elif ch = '"' then quoted <- true
            elif ch = ',' then out.Add(sb.ToString()); sb.Clear() |> ignore
            else sb.Append ch |> ignore
            i <- i + 1
        out.Add(sb.ToString())
        out
    let inv (x: float) = x.ToString("R", CultureInfo.InvariantCulture)
    let quote (s: string) = if s.IndexOfAny([| ','; '"'; '\n' |]) >= 0 then "\"" + s.Replace("\"", "\"\"") + "\"" else s
    do if not appending then pendingCsv.Append("case,fit,step,metric,value,seconds\n") |> ignore; writeOut ()
    member _.Write(case: string, fit: string, step: int64, seconds: float, metrics: (string * float) list) =
        let sec = seconds.ToString("0.######", CultureInfo.InvariantCulture)
        for name, v in metrics do
            pendingCsv.Append(String.Join(",", quote case, quote fit, string step, quote name, inv v, sec)).Append('\n') |> ignore
        // One object per step, keys in this order; a metric that reuses a key replaces its value (a JsonObject's rule).
        json.Reset pendingJsonl
        if clashes [] metrics then
            let o = JsonObject()
            o.["case"] <- JsonValue.Create case
            o.["fit"] <- JsonValue.Create fit
            o.["step"] <- JsonValue.Create step
            o.["seconds"] <- JsonValue.Create seconds
            for name, v in metrics do o.[name] <- (if Double.IsFinite v then JsonValue.Create v else JsonValue.Create(string v))
            o.WriteTo json
        else
            json.WriteStartObject()
            json.WriteString("case", case)
            json.WriteString("fit", fit)
            json.WriteNumber("step", step)
            json.WriteNumber("seconds", seconds)
            for name, v in metrics do
                if Double.IsFinite v then json.WriteNumber(name, v) else json.WriteString(name, string v)
            json.WriteEndObject()
        json.Flush()
        Buffers.BuffersExtensions.Write(pendingJsonl, ReadOnlySpan newline)
        if not sinceFlush.IsRunning then sinceFlush.Start()
        if sinceFlush.Elapsed >= flushEvery then writeOut ()
    /// Writes every record kept in memory (before a checkpoint, so that a resumed run finds the log up to it).
    member _.Flush() = writeOut ()
    /// Before a fit resumes from its checkpoint at `step` (0: from the start): drops that fit's rows past `step` from both
    /// files — the stopped process wrote them after its last checkpoint, and the resumed fit writes those steps again —
    /// and returns the fit's kept rows of metrics.csv as (step, metric, value), in order, for its learning curves.
    member _.Rewind(case: string, fit: string, step: int64) : (int64 * string * float) list =
        writeOut ()
        csv.Dispose(); jsonl.Dispose()
        let kept = ResizeArray<int64 * string * float>()
        let csvLines =
            [ for i, line in Seq.indexed (File.ReadLines csvPath) do
                if i = 0 || line = "" then yield line
                else
                    let f = fields line
                    if f.Count >= 5 && f.[0] = case && f.[1] = fit then
                        let s = Int64.Parse(f.[2], CultureInfo.InvariantCulture)
                        if s <= step then
                            kept.Add((s, f.[3], Double.Parse(f.[4], CultureInfo.InvariantCulture)))
                            yield line
                    else yield line ]
        let jsonlLines =
            if not (File.Exists jsonlPath) then []
            else
                [ for line in File.ReadLines jsonlPath do
                    if line <> "" then
                        let o = JsonNode.Parse line
                        let past = o.["case"].GetValue<string>() = case && o.["fit"].GetValue<string>() = fit && o.["step"].GetValue<int64>() > step
                        if not past then yield line ]
        let rewrite (path: string) (lines: string list) =
            let tmp = path + ".tmp"
            File.WriteAllText(tmp, String.Join("", lines |> List.map (fun l -> l + "\n")))
            File.Move(tmp, path, true)
        rewrite csvPath csvLines
        rewrite jsonlPath jsonlLines
        csv <- openLog csvPath true
        jsonl <- openLog jsonlPath true
        List.ofSeq kept
    interface IDisposable with
        member _.Dispose() = writeOut (); csv.Dispose(); jsonl.Dispose(); json.Dispose()
