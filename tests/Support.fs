/// Support.fs: small helpers the tests share (tensors from F# lists, approximate comparisons).
module GenDsl.Tests.Support

open System
open System.IO
open Xunit
open GenDsl.Torch

// Tests run one at a time: several read process-wide state (the default generator seeded by
// ManualSeed, resident memory, the thread count), which parallel tests would disturb.
[<assembly: CollectionBehavior(DisableTestParallelization = true)>]
do ()

/// A float64 tensor from nested data given flat with a shape.
let t64 (shape: int64 list) (xs: float list) = Torch.Tensor<float>(List.toArray xs, List.toArray shape)
let vec (xs: float list) = Torch.Tensor<float>(List.toArray xs)
let vals (t: Tensor) = t.To(ScalarType.Float64).ToArray<float>()
let shape (t: Tensor) = t.Shape |> Array.toList

/// Asserts |a - b| <= tol elementwise, with a message naming the first mismatch.
let close (tol: float) (expected: float seq) (actual: Tensor) =
    let e = Seq.toArray expected
    let a = vals actual
    Assert.Equal(e.Length, a.Length)
    for i in 0 .. e.Length - 1 do
        if not (abs (e.[i] - a.[i]) <= tol) then
            failwithf "element %d: expected %g, got %g (tol %g)" i e.[i] a.[i] tol

let closeScalar (tol: float) (expected: float) (actual: float) =
    if not (abs (expected - actual) <= tol) then failwithf "expected %g, got %g (tol %g)" expected actual tol

/// Asserts f throws exactly 'e with a message that names the problem (contains the fragment).
let throws<'e when 'e :> exn> (fragment: string) (f: unit -> obj) =
    let e = Assert.Throws<'e>(fun () -> f () |> ignore)
    Assert.Contains(fragment, e.Message)

/// A new empty folder <temp>/gendsl-<prefix>-<random>; the test deletes it when done.
let newTempDir (prefix: string) =
    let d = Path.Combine(Path.GetTempPath(), "gendsl-" + prefix + "-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// The repository root (the folder holding GenDsl.sln above the test binaries).
let repoRoot () =
    let rec up (d: string) =
        if isNull d then failwith "GenDsl.sln not found above the test directory"
        elif File.Exists(Path.Combine(d, "GenDsl.sln")) then d
        else up (Path.GetDirectoryName d)
    up AppContext.BaseDirectory

/// A fit's length: EM iterations, or a gradient fit's steps or epochs.
let stepsOf (f: GenDsl.Dsl.FitSpec) =
    match f.Fitter with
    | GenDsl.Dsl.Em e -> e.Iterations
    | GenDsl.Dsl.ClosedForm -> 0
    | GenDsl.Dsl.Gradient t -> (match t.Budget with GenDsl.Dsl.Steps s -> s | GenDsl.Dsl.Epochs e -> e)

/// The gendsl command line in this process: (exit code, stdout, stderr).
let cli (args: string list) =
    let out, err = new StringWriter(), new StringWriter()
    let o, e = Console.Out, Console.Error
    Console.SetOut out
    Console.SetError err
    try
        let code = GenDsl.Cli.Program.execute (Array.ofList args)
        code, out.ToString(), err.ToString()
    finally
        Console.SetOut o
        Console.SetError e

/// A run's final metrics from its summary.json: (case label, metric) -> value.
let summaryMetrics (folder: string) =
    let s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))
    [ for c in s.["cases"].AsArray() do
        for f in c.["fits"].AsArray() do
            for kv in f.["metrics"].AsObject() -> (c.["label"].GetValue<string>(), kv.Key), kv.Value.GetValue<float>() ]
    |> Map.ofList

/// Asserts that a resumed run ended where a straight one did: every tensor of the fit's final checkpoint
/// (checkpoints/<checkpoint>, e.g. "u_adam.pt") bit-identical, and the same final metrics.
let assertSameEnd (straight: string) (resumed: string) (checkpoint: string) =
    let pa = Torch.Load(Path.Combine(straight, "checkpoints", checkpoint))
    let pb = Torch.Load(Path.Combine(resumed, "checkpoints", checkpoint))
    Assert.NotEmpty(pa)
    Assert.Equal(pa.Count, pb.Count)
    for kv in pa do
        Assert.True(kv.Value.Equal(pb.[kv.Key]), sprintf "parameter %s differs after resume" kv.Key)
    Assert.True((summaryMetrics straight = summaryMetrics resumed), "the metrics differ after resume")

/// A straight run of `experimentOf full` and a run of `experimentOf cut` left as if stopped after step `cut` (its
/// config.json says `full`, the folder is marked INTERRUPTED), both in `root`: the pair a resume test compares.
let straightAndStopped (root: string) (experimentOf: int -> GenDsl.Dsl.Experiment) (cut: int) (full: int) =
    let runOf e =
        match GenDsl.Dsl.Check.plan e with
        | Ok p -> GenDsl.Dsl.Interpret.run { GenDsl.Dsl.Runs.defaults with OutputRoot = root; Threads = Some 1 } p
        | Error es -> failwithf "%A" (es |> List.map GenDsl.Dsl.Check.message)
    let straight = runOf (experimentOf full)
    let stopped = runOf (experimentOf cut)
    File.WriteAllText(Path.Combine(stopped.Folder, "config.json"), GenDsl.Dsl.Describe.toJson (experimentOf full))
    GenDsl.Dsl.RunFolder.mark stopped.Folder "INTERRUPTED" (sprintf "stopped after step %d (simulated)\n" cut)
    straight, stopped

/// A test argument as xunit printed it in a display name: strings quoted, other values as they print.
let xunitArg (o: obj) = match o with :? string as s -> "\"" + s + "\"" | o -> string o
