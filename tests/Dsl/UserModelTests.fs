/// UserModelTests.fs: a model written in a script (Model.custom) gets what a built-in family gets — check builds it on
/// one batch and never trains, --set of its hyperparameters, the Trainer's curves and checkpoints, a bit-identical
/// resume, `gendsl sample`, the report — and the open-ring script trains RealNVP, NICE and the VAE on the ring.
module GenDsl.Tests.Dsl.UserModelTests

open System.IO
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Dsl
open GenDsl.Tests.Support

/// The hyperparameters of the test's model.
type ShiftSize = { Hidden: int; Scale: float }

/// A diagonal Gaussian whose mean comes from a small network of a constant input: log p(x) = sum_j log N(x_j; mu_j, s^2).
type ShiftGaussian(d: int64, size: ShiftSize, g: Generator) as this =
    inherit Module()
    let net = this.RegisterModule("net", new Sequential(new Linear(1L, int64 size.Hidden, generator = g), new Tanh(), new Linear(int64 size.Hidden, d, generator = g)))
    member _.LogProb(x: Tensor) =
        let mu = net.Forward(Torch.Ones([| 1L; 1L |])) // (1, D)
        let z = (x - mu) * (1.0 / size.Scale)
        (z * z).Sum(1L) * -0.5 - float d * (log size.Scale + 0.5 * log (2.0 * System.Math.PI))
    member _.Sample(n: int, g: Generator) =
        let mu = net.Forward(Torch.Ones([| 1L; 1L |]))
        Torch.Randn([| int64 n; d |], g) * size.Scale + mu

/// Every build of the test's model, with the hyperparameters and shape it was built for.
let builds = System.Collections.Generic.List<ShiftSize * int list>()

let shiftModel =
    Model.custom "shift" { Hidden = 4; Scale = 1.0 } (fun size shape g ->
        builds.Add((size, shape))
        let m = new ShiftGaussian(int64 (List.head shape), size, g)
        Parts.density m m.LogProb |> Parts.withSampler (fun n g -> m.Sample(n, g)))

let private experimentOf (steps: int) =
    Experiment.create "user-model"
    |> Experiment.seed 3UL
    |> Experiment.withCase (
        Case.create "u" (Data.ring 4 3.0 200) shiftModel
            [ Fit.adam 0.05 (Steps steps) |> Fit.batch 50 |> Fit.checkpointEvery (Steps 2) |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Steps 2) ])
    |> Experiment.metrics [ Nll; TestNll ]
    |> Experiment.plots [ Samples 50; LearningCurves; FitDensityHeatmap 10 ]

let private planOf (e: Experiment) = match Check.plan e with Ok p -> p | Error es -> failwithf "%A" (es |> List.map Check.message)

let ``a model written in a script is built for the data's shape at check, which trains nothing and writes nothing`` () =
    builds.Clear()
    let root = newTempDir "user-check"
    let p = planOf (experimentOf 3)
    // Built once by the checker, for 2-D points, with its hyperparameters.
    Assert.Equal<(ShiftSize * int list) list>([ { Hidden = 4; Scale = 1.0 }, [ 2 ] ], List.ofSeq builds)
    Assert.Equal(1, p.Cases.Length)
    Assert.Empty(Directory.GetFileSystemEntries root)
    Directory.Delete(root, true)

let ``check refuses a model written in a script whose log-likelihood gives the wrong shape, naming the model`` () =
    let bad =
        Model.custom "flat" { Hidden = 2; Scale = 1.0 } (fun size shape g ->
            let m = new ShiftGaussian(int64 (List.head shape), size, g)
            Parts.density m (fun x -> m.LogProb(x).Sum()))
    let e = { experimentOf 3 with Cases = [ Case.create "u" (Data.ring 4 3.0 200) bad [ Fit.adam 0.05 (Steps 3) ] ] }
    match Check.plan e with
    | Ok _ -> failwith "a scalar log-likelihood passed the check"
    | Error es ->
        let m = es |> List.map Check.message |> String.concat "\n"
        Assert.Contains("model 'flat': its log-likelihood of a batch (2, 2) has shape (); it must give one number per example, (2)", m)

let ``describe prints a script model's hyperparameters and --set changes them, the model then built with the new values`` () =
    let json = Describe.toJson (experimentOf 3)
    Assert.Contains("\"kind\": \"user_model\"", json)
    Assert.Contains("\"hidden\": 4", json)
    match Settings.planWith [ "hidden=9"; "model.scale=0.5" ] (experimentOf 3) with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok p ->
        match p.Cases.Head.Case.Model with
        | UserModel m -> Assert.Equal({ Hidden = 9; Scale = 0.5 }, unbox<ShiftSize> m.Hyperparameters)
        | other -> failwithf "the model became %A" other
    // A value of the wrong type is refused with what the field takes.
    match Settings.planWith [ "hidden=2.5" ] (experimentOf 3) with
    | Ok _ -> failwith "hidden=2.5 was accepted"
    | Error es -> Assert.Contains("expected an integer", es |> List.map Check.message |> String.concat "\n")

let ``a script model trains through the Trainer: NLL falls, curves, checkpoints, samples and a density in the report`` () =
    let root = newTempDir "user-run"
    let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } (planOf (experimentOf 40))
    Assert.Equal(None, o.Error)
    let m = summaryMetrics o.Folder
    // The best unit Gaussian puts its mean at the data mean: NLL* = log 2 pi + mean |x - xbar|^2 / 2 (about 7.34 on
    // this ring: 1 + 9 / 2 per coordinate). The start's mean (a random tanh net's output) is off by up to ~1, costing up
    // to ~0.5 nats; after 40 Adam steps at 0.05 the mean is within 0.3 of xbar, so NLL - NLL* < 0.3^2 / 2 = 0.045.
    let x = (Sources.vectors 3UL (Data.ring 4 3.0 200) Train).Value
    let xbar = x.Mean([| 0L |], true)
    let best = log (2.0 * System.Math.PI) + ((x - xbar) * (x - xbar)).Sum(1L).Mean().ToDouble() / 2.0
    Assert.True(m.[("u", "nll")] - best < 0.045, sprintf "nll %g, best %g" m.[("u", "nll")] best)
    Assert.True(m.[("u", "nll")] >= best - 1e-9, sprintf "nll %g below the best %g" m.[("u", "nll")] best)
    for f in [ "checkpoints/u_adam.pt"; "checkpoints/u_adam/last.pt"; "plots/u-samples-adam.json"; "plots/u-curves-adam.json"; "plots/u-density-adam.json" ] do
        Assert.True(File.Exists(Path.Combine(o.Folder, f)), sprintf "%s is missing" f)
    let report = File.ReadAllText(Path.Combine(o.Folder, "report.html"))
    Assert.Contains("shift", report)
    Directory.Delete(root, true)

let ``a script model stopped after 2 of 6 steps and resumed with its script ends bit-identical to a straight run`` () =
    let root = newTempDir "user-resume"
    let straight, cut = straightAndStopped root experimentOf 2 6
    // Without the script the config cannot be read: it says what it lacks.
    match Interpret.resume Runs.defaults cut.Folder with
    | Ok _ -> failwith "resumed without the script's code"
    | Error m -> Assert.Contains("a model written in a script", m)
    match Interpret.resumeLike (Some(experimentOf 99)) { Runs.defaults with Threads = Some 1 } cut.Folder with
    | Error m -> failwith m
    | Ok resumed ->
        Assert.Equal(None, resumed.Error)
        assertSameEnd straight.Folder resumed.Folder "u_adam.pt"
    Directory.Delete(root, true)

let ``gendsl sample draws from a script model's sampler: n rows of D numbers near its fitted mean`` () =
    let root = newTempDir "user-sample"
    let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } (planOf (experimentOf 40))
    let request: Sample.Request = { Folder = o.Folder; Case = None; Fit = None; Count = 400; Prompt = ""; Temperature = 1.0; TopK = 0; Seed = 5UL }
    match Sample.drawLike (Some(experimentOf 40)) request with
    | Ok (FamilyCommon.Rows path) ->
        let lines = File.ReadAllLines path
        Assert.Equal("x1,x2", lines.[0])
        Assert.Equal(401, lines.Length)
        // Unit-variance draws around a mean within ~1 of 0: the sample mean of 400 is within 1 + 4 / sqrt 400 = 1.2.
        let xs = lines.[1..] |> Array.map (fun l -> l.Split(',') |> Array.map float)
        for j in 0 .. 1 do
            let mean = xs |> Array.averageBy (fun r -> r.[j])
            Assert.True(abs mean < 1.2, sprintf "column %d mean %g" j mean)
    | other -> failwithf "expected rows, got %A" other
    Directory.Delete(root, true)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.UserModelTests" [
        Expecto.Tests.testCase "a model written in a script is built for the data's shape at check, which trains nothing and writes nothing" ``a model written in a script is built for the data's shape at check, which trains nothing and writes nothing``
        Expecto.Tests.testCase "check refuses a model written in a script whose log-likelihood gives the wrong shape, naming the model" ``check refuses a model written in a script whose log-likelihood gives the wrong shape, naming the model``
        Expecto.Tests.testCase "describe prints a script model's hyperparameters and --set changes them, the model then built with the new values" ``describe prints a script model's hyperparameters and --set changes them, the model then built with the new values``
        Expecto.Tests.testCase "a script model trains through the Trainer: NLL falls, curves, checkpoints, samples and a density in the report" ``a script model trains through the Trainer: NLL falls, curves, checkpoints, samples and a density in the report``
        Expecto.Tests.testCase "a script model stopped after 2 of 6 steps and resumed with its script ends bit-identical to a straight run" ``a script model stopped after 2 of 6 steps and resumed with its script ends bit-identical to a straight run``
        Expecto.Tests.testCase "gendsl sample draws from a script model's sampler: n rows of D numbers near its fitted mean" ``gendsl sample draws from a script model's sampler: n rows of D numbers near its fitted mean``
    ]
