/// FamilyTests.fs: every family is one record of operations (Families/) — each gives a memory estimate, the GAN trains
/// on the one Trainer (checkpoints, bit-identical resume, evaluation curves), and `gendsl sample` draws from the
/// mixtures, the KDE and the GAN of a run folder, while the energy-based model says why it cannot.
module GenDsl.Tests.Dsl.FamilyTests

open System.IO
open Xunit
open GenDsl.Torch
open GenDsl.Dsl
open GenDsl.Tests.Support

let private planOf (e: Experiment) = match Check.plan e with Ok p -> p | Error es -> failwithf "%A" (es |> List.map Check.message)

let private runIn (root: string) (e: Experiment) = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } (planOf e)

let private ganExperiment (steps: int) =
    Experiment.create "gan-trainer"
    |> Experiment.seed 11UL
    |> Experiment.withCase (
        Case.create "g" (Data.ring 4 3.0 256) (Gan { Hidden = 16; HiddenLayers = 2; Latent = 2; Scheme = Alternating; DiscriminatorSteps = 1; SnapshotEvery = 2 })
            [ Fit.adam 0.002 (Steps steps) |> Fit.batch 64 |> Fit.checkpointEvery (Steps 2) |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Steps 2) ])
    |> Experiment.metrics [ ModesCovered; SampleNll ]
    |> Experiment.plots [ LearningCurves; SamplesOverTraining ]

let ``every family gives a memory estimate: under a 1-byte limit each case of every family is refused with its estimate`` () =
    let ring = Data.ring 4 3.0 64
    let images = Data.mnist |> Data.binarized |> Data.subset 64
    let e =
        Experiment.create "memory"
        |> Experiment.withCases
            [ Case.create "gmm" ring (Model.gmm 2) [ Fit.em 1 ]
              Case.create "kde" ring Model.kde [ Fit.closedForm ]
              Case.create "ebm" ring Model.ebm [ Fit.adam 0.01 (Steps 1) ]
              Case.create "gan" ring Model.gan [ Fit.adam 0.01 (Steps 1) ]
              Case.create "bmm" images (Model.bmm 2) [ Fit.em 1 ]
              Case.create "nice" images Model.nice [ Fit.adam 0.01 (Steps 1) |> Fit.batch 8 ]
              Case.create "vae" images (Model.vaeMlp 784 16 2) [ Fit.adam 0.01 (Steps 1) |> Fit.batch 8 |> Fit.objective Elbo ]
              Case.create "lm" (Data.wikiText2 8 |> Data.tokens 600) (TransformerLm { Layers = 1; Heads = 1; HeadDim = 8; Width = 8; FeedForward = 8; Dropout = 0.0; EmbeddingDropout = 0.0; Tied = true }) [ Fit.adam 0.01 (Steps 1) |> Fit.batch 8 ] ]
    let refused = Memory.errorsWithin 1.0 (planOf e) |> List.map Check.message
    for label in [ "gmm"; "kde"; "ebm"; "gan"; "bmm"; "nice"; "vae"; "lm" ] do
        Assert.True(refused |> List.exists (fun m -> m.StartsWith(sprintf "case '%s': " label) && m.Contains "need about"), sprintf "no estimate for %s in %A" label refused)

let ``the GAN trains on the one Trainer: evaluation curves, checkpoints, and a run stopped after 4 of 8 steps resumes bit-identical`` () =
    let root = newTempDir "gan-resume"
    let straight, cut = straightAndStopped root ganExperiment 4 8
    Assert.Equal(None, straight.Error)
    for f in [ "checkpoints/g_adam.pt"; "checkpoints/g_adam/last.pt" ] do
        Assert.True(File.Exists(Path.Combine(straight.Folder, f)), sprintf "%s is missing" f)
    // evaluations at steps 2, 4, 6, 8 on the validation split, and both players' losses at every step
    // metrics.csv: case,fit,step,metric,value,seconds
    let log = File.ReadAllLines(Path.Combine(straight.Folder, "metrics.csv")) |> Array.map (fun l -> l.Split(','))
    let rowsWith name = log |> Array.filter (fun r -> r.[3] = name)
    Assert.Equal(4, (rowsWith "valid sample_nll").Length)
    Assert.Equal(8, (rowsWith "discriminator_loss").Length)
    Assert.Equal(8, (rowsWith "generator_loss").Length)
    match Interpret.resume { Runs.defaults with Threads = Some 1 } cut.Folder with
    | Error m -> failwith m
    | Ok resumed ->
        Assert.Equal(None, resumed.Error)
        assertSameEnd straight.Folder resumed.Folder "g_adam.pt"
    Directory.Delete(root, true)

let private sampleOf (folder: string) (count: int) =
    Sample.draw { Folder = folder; Case = None; Fit = None; Count = count; Prompt = ""; Temperature = 1.0; TopK = 0; Seed = 9UL }

let private rowsOf (drawn: Result<FamilyCommon.Drawn, string>) =
    match drawn with
    | Ok (FamilyCommon.Rows path) -> File.ReadAllLines(path).[1..] |> Array.map (fun l -> l.Split(',') |> Array.map float)
    | other -> failwithf "expected rows, got %A" other

let ``gendsl sample draws from a Gaussian mixture, a KDE and a GAN of a run folder; an energy-based model says why it cannot`` () =
    let root = newTempDir "family-sample"
    let ring = Data.ring 4 3.0 400
    let e =
        Experiment.create "family-sample"
        |> Experiment.seed 5UL
        |> Experiment.withCases
            [ Case.create "gmm" ring (Model.gmm 4 |> Model.start KMeansPlusPlus) [ Fit.em 60 ]
              Case.create "kde" ring (Model.kde |> Model.bandwidth Scott) [ Fit.closedForm ]
              Case.create "gan" ring (Gan { Hidden = 8; HiddenLayers = 1; Latent = 2; Scheme = Simultaneous; DiscriminatorSteps = 1; SnapshotEvery = 0 }) [ Fit.adam 0.002 (Steps 2) |> Fit.batch 64 ]
              Case.create "ebm" ring (Model.ebm |> Model.importanceSamples 50) [ Fit.adam 0.01 (Steps 2) |> Fit.batch 64 ] ]
    let o = runIn root e
    Assert.Equal(None, o.Error)
    let x = (Sources.vectors 5UL ring Train).Value.To(ScalarType.Float64)
    let mean = GenDsl.Dsl.Fitting.flat (x.Mean([| 0L |]))
    let var = GenDsl.Dsl.Fitting.flat (x.Var([| 0L |]))
    let pick case = { Folder = o.Folder; Case = Some case; Fit = None; Count = 2000; Prompt = ""; Temperature = 1.0; TopK = 0; Seed = 9UL } : Sample.Request
    // EM with learned weights keeps the data mean (sum_k pi_k mu_k = xbar at a fixed point); a KDE's draws have the data's
    // mean. 2000 draws: the sample mean's standard error is sqrt(var / 2000) (~0.05 here); 5 standard errors allowed
    // (the KDE adds h^2 to the variance, the mixture's fit is within 1e-3 of the fixed point after 60 iterations).
    for case in [ "gmm"; "kde" ] do
        let xs = rowsOf (Sample.draw (pick case))
        Assert.Equal(2000, xs.Length)
        for j in 0 .. 1 do
            let m = xs |> Array.averageBy (fun r -> r.[j])
            let tol = 5.0 * sqrt ((var.[j] + 1.0) / 2000.0)
            Assert.True(abs (m - mean.[j]) < tol, sprintf "%s: column %d mean %g vs data %g (tol %g)" case j m mean.[j] tol)
    let g = rowsOf (Sample.draw (pick "gan"))
    Assert.Equal(2000, g.Length)
    Assert.True(g |> Array.forall (fun r -> r.Length = 2 && Array.forall System.Double.IsFinite r))
    match Sample.draw (pick "ebm") with
    | Error m -> Assert.Contains("known only up to Z", m)
    | Ok d -> failwithf "an EBM drew %A" d
    Directory.Delete(root, true)

[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.FamilyTests" [
        Expecto.Tests.testCase "every family gives a memory estimate: under a 1-byte limit each case of every family is refused with its estimate" ``every family gives a memory estimate: under a 1-byte limit each case of every family is refused with its estimate``
        Expecto.Tests.testCase "the GAN trains on the one Trainer: evaluation curves, checkpoints, and a run stopped after 4 of 8 steps resumes bit-identical" ``the GAN trains on the one Trainer: evaluation curves, checkpoints, and a run stopped after 4 of 8 steps resumes bit-identical``
        Expecto.Tests.testCase "gendsl sample draws from a Gaussian mixture, a KDE and a GAN of a run folder; an energy-based model says why it cannot" ``gendsl sample draws from a Gaussian mixture, a KDE and a GAN of a run folder; an energy-based model says why it cannot``
    ]
