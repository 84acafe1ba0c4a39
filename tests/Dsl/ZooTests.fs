/// ZooTests.fs: issue 22's DSL side — the zoo's values (flows as a base plus layer values, MADE, PixelCNN, DDPM) build,
/// check with clear errors, take --set, train through the Trainer, sample through `gendsl sample`; NICE as a flow value
/// gives Model.nice's numbers; dynamic binarisation evaluates on one fixed binarisation; the likelihood tables' Quick
/// budgets run end to end through the command line.
module GenDsl.Tests.Dsl.ZooTests

open System
open System.IO
open System.Text.RegularExpressions
open Xunit
open GenDsl.Torch
open GenDsl.Dsl
open GenDsl.Tests.Support

let private planOf (e: Experiment) = match Check.plan e with Ok p -> p | Error es -> failwithf "%A" (es |> List.map Check.message)
let private errorsOf (e: Experiment) = match Check.plan e with Ok _ -> failwith "the check accepted it" | Error es -> es |> List.map Check.message |> String.concat "\n"
let private custom (m: ModelSpec) = match m with UserModel c -> c | other -> failwithf "not a zoo model: %A" other

let private ring = Data.ring 4 3.0 200
let private binary = Data.mnist |> Data.dynamicBinarized |> Data.subset 64 |> Data.evalSubset 32
let private one (label: string) (data: DataSpec) (model: ModelSpec) (fit: FitSpec) =
    Experiment.create "zoo" |> Experiment.seed 5UL |> Experiment.withCase (Case.create label data model [ fit ])

let private run (e: Experiment) =
    let root = newTempDir "zoo"
    let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } (planOf e)
    Assert.Equal(None, o.Error)
    root, o

let ``a zoo model's final evaluation is a progress task with a step per batch of 500: a MADE's test NLL, a DDPM's bound (on the ring's training points, its final split)`` () =
    let events = ResizeArray<string>()
    // Training tasks are named "case/fit"; the evaluation's "case: <split> nll|bound".
    let progress =
        { new Runs.IProgress with
            member _.Begin(t, n) = if t.Contains ": " then events.Add(sprintf "begin %s %d" t n)
            member _.Step(t, k, _) = if t.Contains ": " then events.Add(sprintf "step %s %d" t k)
            member _.End t = if t.Contains ": " then events.Add(sprintf "end %s" t) }
    let runWith (e: Experiment) =
        let root = newTempDir "zoo"
        let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1; Progress = progress } (planOf e)
        Assert.Equal(None, o.Error)
        try Directory.Delete(root, true) with _ -> ()
    // 600 test images: batches of 500 and 100
    runWith (one "m" (Data.mnist |> Data.dynamicBinarized |> Data.subset 64 |> Data.evalSubset 600) (Model.made [ 8 ]) (Fit.adam 1e-3 (Steps 1)))
    Assert.Equal<string list>([ "begin m: test nll 2"; "step m: test nll 1"; "step m: test nll 2"; "end m: test nll" ], List.ofSeq events)
    events.Clear()
    runWith (one "d" ring (Model.ddpm (MlpDenoiser(16, 1)) |> Model.timesteps 10) (Fit.adam 1e-3 (Steps 1)))
    let bound = events |> Seq.filter (fun e -> e.Contains "d: training bound") |> List.ofSeq
    Assert.True(bound.Length >= 3, sprintf "events: %A" (List.ofSeq events))
    let n = int (bound.Head.Split(' ') |> Array.last)
    Assert.Equal<string list>([ sprintf "begin d: training bound %d" n ] @ [ for k in 1 .. n -> sprintf "step d: training bound %d" k ] @ [ "end d: training bound" ], bound)

let ``Issue 22: every zoo value checks on data of its shape, and check names the wrong setting and the fix`` () =
    let ok label data model = one label data model (Fit.adam 1e-3 (Steps 1)) |> planOf |> ignore
    ok "nice" ring Model.niceFlow
    ok "realnvp" ring (Model.realNvp 4 16 1)
    ok "maf" ring (Model.maf 2 [ 16 ])
    ok "evenodd" ring (Model.flow Gaussian [ Flow.actNorm; Flow.affine EvenOdd 8 1; Flow.shuffle; Flow.additive EvenOdd 8 1 |> Flow.flipped; Flow.conv1x1 ])
    ok "glow" (binary |> Data.images 0) (Model.glow 2 8)
    ok "checker" (binary |> Data.images 0) (Model.flow Logistic (Flow.alternate 2 (Flow.affine Checkerboard 8 1)))
    ok "made" binary (Model.made [ 32 ] |> Model.order RandomOrder)
    ok "pixelcnn" (binary |> Data.images 0) (Model.pixelCnn |> Model.pixelCnnSize 8 1)
    ok "gated" (binary |> Data.images 0) (Model.gatedPixelCnn |> Model.pixelCnnSize 8 1)
    ok "ddpm" ring (Model.ddpm (MlpDenoiser(16, 1)) |> Model.noise CosineNoise |> Model.timesteps 10)
    ok "unet" (binary |> Data.images 0) (Model.ddpm (UNetDenoiser 8) |> Model.timesteps 10)
    // Wrong shapes: each message names the model or layer and what to do.
    Assert.Contains("add Data.images 0 to the data", errorsOf (one "p" binary Model.pixelCnn (Fit.adam 1e-3 (Steps 1))))
    Assert.Contains("flow layer 2 (affine): a channel mask needs at least 2 channels, the examples have 1 here: put Flow.squeeze before it",
                    errorsOf (one "f" (binary |> Data.images 0) (Model.flow Gaussian [ Flow.actNorm; Flow.affine ChannelHalves 8 1 ]) (Fit.adam 1e-3 (Steps 1))))
    Assert.Contains("flow layer 2 (affine): works on vectors, but the examples are (1, 28, 28) here",
                    errorsOf (one "f" (binary |> Data.images 0) (Model.realNvp 2 8 1 |> Model.flowBase Logistic) (Fit.adam 1e-3 (Steps 1))))
    Assert.Contains("the U-Net denoiser works on (1, 28, 28) images, the examples are (2)", errorsOf (one "d" ring (Model.ddpm (UNetDenoiser 8)) (Fit.adam 1e-3 (Steps 1))))
    Assert.Contains("it has no layers", errorsOf (one "f" ring (Model.flow Gaussian []) (Fit.adam 1e-3 (Steps 1))))
    // A builder for another family is refused, not ignored.
    let ex = Assert.Throws<ArgumentException>(fun () -> Model.timesteps 10 (Model.made [ 8 ]) |> ignore)
    Assert.Contains("Model.timesteps does nothing to model 'made': it is for DDPMs (Model.ddpm)", ex.Message)
    let ex = Assert.Throws<ArgumentException>(fun () -> Model.order RandomOrder Model.nice |> ignore)
    Assert.Contains("Model.order does nothing to a Nice: it is for MADE (Model.made)", ex.Message)
    let ex = Assert.Throws<ArgumentException>(fun () -> Model.madeOutput (GaussianMixture 3) (Model.maf 2 [ 8 ]) |> ignore)
    Assert.Contains("Model.madeOutput does nothing to model 'flow': it is for MADE (Model.made)", ex.Message)
    Assert.Contains("gaussian_mixture 0: needs at least one component", errorsOf (one "m" ring (Model.made [ 8 ] |> Model.madeOutput (GaussianMixture 0)) (Fit.adam 1e-3 (Steps 1))))

let ``Issue 22: describe prints a zoo model's hyperparameters and --set changes them`` () =
    let e = one "d" ring (Model.ddpm (MlpDenoiser(16, 1))) (Fit.adam 1e-3 (Steps 1))
    let json = Describe.toJson e
    Assert.Contains("\"timesteps\": 1000", json)
    Assert.Contains("\"linear_noise\"", json)
    match Settings.planWith [ "timesteps=7"; "beta_end=0.05"; "data_range=unit_interval" ] e with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok p ->
        let d = unbox<DdpmSpec> (custom p.Cases.Head.Case.Model).Hyperparameters
        Assert.Equal({ Noise = LinearNoise(1e-4, 0.05); Timesteps = 7; Denoiser = MlpDenoiser(16, 1); DataRange = UnitInterval }, d)
    let m = one "m" binary (Model.made [ 8 ]) (Fit.adam 1e-3 (Steps 1))
    match Settings.planWith [ "order=random_order" ] m with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok p -> Assert.Equal(RandomOrder, (unbox<MadeSpec> (custom p.Cases.Head.Case.Model).Hyperparameters).Order)

let ``Issue 22: NICE as a flow value has Model.nice's parameters and log-densities for one seed`` () =
    // Flow.nice builds the core's layers in Model.nice's order from one generator, so the draws agree exactly; a
    // coupling in the wrong half, a missing scaling or another draw order changes log p by O(1).
    let spec = { Couplings = 4; Hidden = 16; HiddenLayers = 2; Prior = Logistic }
    use g1 = new Generator(7UL)
    use builtin = NiceFamily.niceModule spec 6 g1
    use g2 = new Generator(7UL)
    let parts = CustomFamily.build (custom (Model.flow Logistic (Flow.nice 4 16 2))) [ 6 ] g2
    use g3 = new Generator(8UL)
    let x = Torch.Randn([| 5L; 6L |], g3)
    close 1e-5 (vals (builtin.LogProb x)) (parts.LogProb.Value x)
    Assert.Equal(Nets.parameterCount builtin, Nets.parameterCount parts.Module)

let ``Issue 22: trained for 20 steps, NICE as a flow value reports Model.nice's NLL on the ring`` () =
    // Same seed, same initial parameters, same batches and Adam steps: the two runs differ only by float rounding in
    // their sums (~1e-6 nats); 1e-4 catches any difference in the model or its loss.
    let e =
        Experiment.create "nice-vs-flow"
        |> Experiment.seed 9UL
        |> Experiment.withCases
            [ Case.create "builtin" ring (Model.nice |> Model.niceSize 4 16 2) [ Fit.adam 1e-2 (Steps 20) |> Fit.batch 50 ]
              Case.create "flow" ring (Model.flow Logistic (Flow.nice 4 16 2)) [ Fit.adam 1e-2 (Steps 20) |> Fit.batch 50 ] ]
        |> Experiment.metrics [ Nll; TestNll ]
    let root, o = run e
    let m = summaryMetrics o.Folder
    closeScalar 1e-4 m.[("builtin", "nll")] m.[("flow", "nll")]
    closeScalar 1e-4 m.[("builtin", "test_nll")] m.[("flow", "test_nll")]
    Directory.Delete(root, true)

let ``Issue 22: a zoo model stopped after 2 of 6 steps and resumed with its script ends bit-identical to a straight run`` () =
    // A zoo model is code (a library-defined custom model): as for a script's own model, `gendsl resume` re-reads the
    // run's script for it (Interpret.resumeLike here).
    let e (steps: int) =
        one "realnvp" ring (Model.realNvp 2 8 1) (Fit.adam 1e-2 (Steps steps) |> Fit.batch 50 |> Fit.checkpointEvery (Steps 2))
        |> Experiment.metrics [ Nll; TestNll ]
    let root = newTempDir "zoo-resume"
    let straight, cut = straightAndStopped root e 2 6
    match Interpret.resume Runs.defaults cut.Folder with
    | Ok _ -> failwith "resumed without the script's code"
    | Error m -> Assert.Contains("a model written in a script", m)
    match Interpret.resumeLike (Some(e 99)) { Runs.defaults with Threads = Some 1 } cut.Folder with
    | Error m -> failwith m
    | Ok resumed ->
        Assert.Equal(None, resumed.Error)
        assertSameEnd straight.Folder resumed.Folder "realnvp_adam.pt"
    Directory.Delete(root, true)

let ``Issue 22: the zoo's flows, MADE-MoG and DDPM learn the ring in a few hundred steps, and gendsl sample draws points from them`` () =
    // The ring's 4 unit Gaussians at radius 3: the true density's test NLL is about 4.1 (test_nll_se ~0.07 for 200
    // points); an untrained flow on a unit Gaussian base scores log 2 pi + E|x|^2 / 2 = 1.84 + 11 / 2 = 7.3. 300 Adam
    // steps bring every flow below 5.0; a flow whose log-determinant had the wrong sign or was
    // dropped stays far above.
    let adam = Fit.adam 5e-3 (Steps 300) |> Fit.batch 100
    let e =
        Experiment.create "zoo-ring"
        |> Experiment.seed 11UL
        |> Experiment.withCases
            [ Case.create "realnvp" ring (Model.realNvp 4 32 2) [ adam ]
              Case.create "maf" ring (Model.maf 5 [ 32; 32 ]) [ adam ]
              Case.create "made-mog" ring (Model.made [ 32; 32 ] |> Model.madeOutput (GaussianMixture 4)) [ adam ]
              Case.create "glow" ring (Model.flow Gaussian [ for _ in 1 .. 3 do yield! [ Flow.actNorm; Flow.conv1x1; Flow.affine Halves 32 2 ] ]) [ adam ]
              Case.create "ddpm" ring (Model.ddpm (MlpDenoiser(64, 2)) |> Model.timesteps 50) [ adam ] ]
        |> Experiment.metrics [ TestNll; TrueTestNll; NegElbo ]
    let root, o = run e
    let m = summaryMetrics o.Folder
    let truth = m.[("realnvp", "true_test_nll")]
    for c in [ "realnvp"; "maf"; "made-mog"; "glow" ] do
        Assert.True(m.[(c, "test_nll")] < 5.0, sprintf "%s: test nll %g (truth %g)" c m.[(c, "test_nll")] truth)
        Assert.True(m.[(c, "test_nll")] > truth - 0.3, sprintf "%s: test nll %g below the truth %g by more than 4 standard errors" c m.[(c, "test_nll")] truth)
    // The DDPM's figure is its bound: above the truth (less 4 standard errors), reported as neg_elbo and test_nll alike.
    Assert.True(m.[("ddpm", "test_nll")] > truth - 0.3, sprintf "ddpm bound %g below the truth %g" m.[("ddpm", "test_nll")] truth)
    Assert.True(m.[("ddpm", "test_nll")] < 8.0, sprintf "ddpm bound %g: it did not learn" m.[("ddpm", "test_nll")])
    Assert.True(Double.IsFinite m.[("ddpm", "neg_elbo")])
    Assert.False(m.ContainsKey(("maf", "neg_elbo")), "an exact-likelihood flow reported a bound")
    for c in [ "maf"; "made-mog"; "ddpm" ] do
        let request: Sample.Request = { Folder = o.Folder; Case = Some c; Fit = None; Count = 300; Prompt = ""; Temperature = 1.0; TopK = 0; Seed = 5UL }
        match Sample.drawLike (Some e) request with
        | Ok (FamilyCommon.Rows path) ->
            let lines = File.ReadAllLines path
            Assert.Equal("x1,x2", lines.[0])
            Assert.Equal(301, lines.Length)
            // Points of the ring lie at radius 3 +- a unit Gaussian: the median radius of the data is about 3.1, and
            // of 300 draws within +-0.1 of the model's (sd of the radius ~0.95, se of a median ~1.25 x 0.95 / sqrt 300 =
            // 0.07); 2.5..4 tolerates an imperfect fit (a short-trained flow has a few far-out draws, hence the median),
            // not a sampler in the wrong space (an untrained Gaussian-base sampler gives a median radius of 1.2).
            let radii = lines.[1..] |> Array.map (fun l -> let v = l.Split(',') |> Array.map float in sqrt (v.[0] * v.[0] + v.[1] * v.[1])) |> Array.sort
            let r = radii.[radii.Length / 2]
            Assert.True(r > 2.5 && r < 4.0, sprintf "%s: median radius of samples %g" c r)
        | other -> failwithf "%s: expected rows, got %A" c other
    Directory.Delete(root, true)

let ``Issue 22: MADE and PixelCNN learn binary MNIST in a few steps and sample binary images of its shape`` () =
    // An untrained Bernoulli model puts ~1/2 on every pixel: 784 ln 2 = 543 nats per image. Independent per-pixel
    // frequencies alone give ~206 nats on MNIST; 60 full-batch Adam steps at 1e-2 on 64 images take MADE and a small
    // PixelCNN below 300 (a log-likelihood with the wrong sign or unmasked inputs would not, or would fall below 100).
    let images = binary |> Data.images 0
    let fit = Fit.adam 1e-2 (Steps 60) |> Fit.batch 64
    let e =
        Experiment.create "zoo-binary"
        |> Experiment.seed 12UL
        |> Experiment.withCases
            [ Case.create "made" binary (Model.made [ 64 ]) [ fit ]
              Case.create "pixelcnn" images (Model.pixelCnn |> Model.pixelCnnSize 16 2) [ fit ]
              Case.create "gated" images (Model.gatedPixelCnn |> Model.pixelCnnSize 16 1) [ fit ] ]
        |> Experiment.metrics [ Nll; BitsPerDim ]
    let root, o = run e
    let m = summaryMetrics o.Folder
    for c in [ "made"; "pixelcnn"; "gated" ] do
        let nll = m.[(c, "nll")]
        Assert.True(nll < 300.0 && nll > 100.0, sprintf "%s: test nll %g" c nll)
        closeScalar 1e-9 (nll / (784.0 * log 2.0)) m.[(c, "bits_per_dim")]
    // Samples: binary, of the data's shape, through the zoo's samplers.
    for c, shape in [ "made", [ 784 ]; "pixelcnn", [ 1; 28; 28 ] ] do
        let pc = (planOf e).Cases |> List.find (fun p -> p.Case.Label = c)
        Assert.Equal<int list>(shape, pc.Shape)
        use g = new Generator(1UL)
        let parts = CustomFamily.build (custom pc.Case.Model) pc.Shape g
        let s = parts.Sample.Value 2 g
        Assert.Equal<int64 list>(2L :: List.map int64 shape, List.ofArray s.Shape)
        Assert.True(vals s |> Array.forall (fun v -> v = 0.0 || v = 1.0), sprintf "%s: non-binary samples" c)
    // A Bernoulli model on grey levels is refused at its first batch, saying which data to use.
    let root2 = newTempDir "zoo"
    let bad = Interpret.run { Runs.defaults with OutputRoot = root2; Threads = Some 1 } (planOf (one "m" (Data.mnist |> Data.subset 64 |> Data.evalSubset 8) (Model.made [ 8 ]) (Fit.adam 1e-3 (Steps 1))))
    Assert.Contains("needs binary data (every value 0 or 1), and these data are not: use Data.dynamicBinarized", defaultArg bad.Error "")
    // And the converse: MADE's Gaussian-mixture conditionals on binary images (an NLL without a floor) are refused at
    // the first batch, naming the fix.
    let binary = Data.mnist |> Data.subset 64 |> Data.evalSubset 8 |> Data.dynamicBinarized
    let bad2 = Interpret.run { Runs.defaults with OutputRoot = root2; Threads = Some 1 } (planOf (one "m" binary (Model.made [ 8 ] |> Model.madeOutput (GaussianMixture 2)) (Fit.adam 1e-3 (Steps 1))))
    Assert.Contains("these data are binary (every value 0 or 1): their NLL falls without bound. Use the default Bernoulli output", defaultArg bad2.Error "")
    Directory.Delete(root, true)
    Directory.Delete(root2, true)

let ``Issue 22: a DDPM on [0, 1] data reports the bound of y = 2x - 1 less D ln 2, the change of variables`` () =
    // log p_x(x) = log p_y(2x - 1) + D ln 2: with the same weights and noise draws the two bounds differ by D ln 2 exactly.
    let asIs = custom (Model.ddpm (MlpDenoiser(16, 1)) |> Model.timesteps 20)
    let unit = custom (Model.ddpm (MlpDenoiser(16, 1)) |> Model.timesteps 20 |> Model.dataRange UnitInterval)
    use ga = new Generator(3UL)
    let pa = CustomFamily.build asIs [ 3 ] ga
    use gu = new Generator(3UL)
    let pu = CustomFamily.build unit [ 3 ] gu
    use gx = new Generator(4UL)
    let x = Torch.Rand([| 6L; 3L |], gx)
    use n1 = new Generator(5UL)
    let bu = pu.Bound.Value x n1
    use n2 = new Generator(5UL)
    let ba = pa.Bound.Value (x * 2.0 - 1.0) n2
    close 1e-4 (vals ba |> Array.map (fun b -> b - 3.0 * log 2.0)) bu
    Assert.True(pa.LogProb.IsNone && pa.Loss.IsSome, "a DDPM has a loss and a bound, no exact log-likelihood")

let ``Issue 22: dynamically binarised MNIST trains on fresh draws and is evaluated on one binarisation with seed 20260`` () =
    let d = Data.mnist |> Data.dynamicBinarized |> Data.subset 64 |> Data.evalSubset 64
    let data = Sources.caseData 1UL d
    let idx = [| 0L .. 63L |]
    use g1 = new Generator(1UL)
    use g2 = new Generator(2UL)
    let test = data.Split Test
    let t1, t2 = test.Batch(idx, g1), test.Batch(idx, g2)
    Assert.True(t1.Equal(t2), "the test split changed with the generator")
    Assert.True(vals t1 |> Array.forall (fun v -> v = 0.0 || v = 1.0))
    // The stated seed: one Bernoulli(grey / 255) draw of the test images with a generator of seed 20260.
    use grey = GenDsl.Data.MnistDataset.Load(GenDsl.Data.MnistOptions(Split = GenDsl.Data.MnistSplit.Test, Subset = Nullable 64))
    use gs = new Generator(Sources.evalBinarizationSeed)
    let expected = Torch.Bernoulli(grey.AllPixels().To(ScalarType.Float64), gs)
    Assert.Equal(20260UL, Sources.evalBinarizationSeed)
    Assert.True(expected.To(ScalarType.Float32).Equal(t1), "the test binarisation is not seed 20260's draw")
    // Training images: a fresh draw per use (about 100 of 64 x 784 pixels are grey, so two draws differ).
    let train = data.Split Train
    Assert.False(train.Batch(idx, g1).Equal(train.Batch(idx, g2)), "the training split is not drawn afresh")
    data.Dispose()

let private cliRun (script: string) (sets: string list) =
    let root = newTempDir "zoo-table"
    let args = [ "run"; Path.Combine(repoRoot (), "experiments", script) ] @ (sets |> List.collect (fun s -> [ "--set"; s ])) @ [ "--threads"; "2"; "-o"; root ]
    let code, out, err = cli args
    Assert.True((code = 0), sprintf "%s\n%s" out err)
    root, [ for m in Regex.Matches(out, @"report: (.*)report\.html") -> m.Groups.[1].Value.Trim() ]

/// The `--set`s of a script's Quick: header line.
let private quickSets (script: string) =
    let line = File.ReadLines(Path.Combine(repoRoot (), "experiments", script)) |> Seq.find (fun l -> l.StartsWith "// Quick:")
    [ for m in Regex.Matches(line, @"--set (\S+)") -> m.Groups.[1].Value ]

let ``Issue 22: the MNIST likelihood table's Quick budget runs end to end, binary and dequantised figures in separate tables`` () =
    let root, folders = cliRun "likelihood_table_mnist.fsx" (quickSets "likelihood_table_mnist.fsx")
    Assert.Equal(2, folders.Length)
    let bin = summaryMetrics (folders |> List.find (fun f -> f.Contains "likelihood_table_mnist_binary"))
    let deq = summaryMetrics (folders |> List.find (fun f -> f.Contains "likelihood_table_mnist_dequantized"))
    let cases (m: Map<string * string, float>) = m |> Map.toList |> List.map (fst >> fst) |> List.distinct |> List.sort
    Assert.Equal<string list>([ "bmm"; "made"; "pixelcnn"; "pixelcnn_res"; "vae" ], cases bin)
    Assert.Equal<string list>([ "ddpm"; "glow"; "maf"; "nice"; "realnvp" ], cases deq)
    for KeyValue ((c, k), v) in Map.toList bin @ Map.toList deq |> Map.ofList do
        Assert.True(Double.IsFinite v, sprintf "%s %s = %g" c k v)
    // Bits per dim: per binary pixel in one table, the 8-bit dequantised figure in the other.
    for c in [ "bmm"; "made"; "pixelcnn"; "pixelcnn_res"; "vae" ] do closeScalar 1e-9 (bin.[(c, "nll")] / (784.0 * log 2.0)) bin.[(c, "bits_per_dim")]
    for c in [ "nice"; "realnvp"; "glow"; "maf"; "ddpm" ] do closeScalar 1e-9 ((deq.[(c, "nll")] + 784.0 * log 256.0) / (784.0 * log 2.0)) deq.[(c, "bits_per_dim")]
    // Which figures are bounds: the DDPM's and the VAE's (neg_elbo present), none of the exact families'.
    Assert.True(deq.ContainsKey(("ddpm", "neg_elbo")) && not (deq.ContainsKey(("maf", "neg_elbo"))))
    Assert.True(bin.ContainsKey(("vae", "neg_iwae_5000")))
    for f in folders do Assert.Contains("BOUND", File.ReadAllText(Path.Combine(f, "report.html")))
    Directory.Delete(root, true)

let ``Issue 22: the ring likelihood table's Quick budget runs end to end with every family beside the true density`` () =
    let root, folders = cliRun "likelihood_table_ring.fsx" (quickSets "likelihood_table_ring.fsx")
    let m = summaryMetrics (List.exactlyOne folders)
    for c in [ "gmm"; "kde"; "ebm"; "nice"; "realnvp"; "glow"; "maf"; "made"; "ddpm" ] do
        Assert.True(Double.IsFinite m.[(c, "test_nll")], sprintf "%s test nll %g" c m.[(c, "test_nll")])
        Assert.Equal(m.[("gmm", "true_test_nll")], m.[(c, "true_test_nll")])
    Directory.Delete(root, true)

let ``Issue 22: with several experiments in a script, a --set key applies to those that have it; a key none has is refused`` () =
    let script = Path.Combine(repoRoot (), "experiments", "likelihood_table_mnist.fsx")
    let code, _, err = cli [ "check"; script; "--set"; "timesteps=7"; "--set"; "iterations=2" ]
    Assert.True((code = 0), err)
    let code, _, err = cli [ "check"; script; "--set"; "timestep=7" ]
    Assert.Equal(1, code)
    Assert.Contains("unknown parameter 'timestep': did you mean 'timesteps'?", err)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.ZooTests" [
        Expecto.Tests.testCase "a zoo model's final evaluation is a progress task with a step per batch of 500: a MADE's test NLL, a DDPM's bound (on the ring's training points, its final split)" ``a zoo model's final evaluation is a progress task with a step per batch of 500: a MADE's test NLL, a DDPM's bound (on the ring's training points, its final split)``
        Expecto.Tests.testCase "Issue 22: every zoo value checks on data of its shape, and check names the wrong setting and the fix" ``Issue 22: every zoo value checks on data of its shape, and check names the wrong setting and the fix``
        Expecto.Tests.testCase "Issue 22: describe prints a zoo model's hyperparameters and --set changes them" ``Issue 22: describe prints a zoo model's hyperparameters and --set changes them``
        Expecto.Tests.testCase "Issue 22: NICE as a flow value has Model.nice's parameters and log-densities for one seed" ``Issue 22: NICE as a flow value has Model.nice's parameters and log-densities for one seed``
        Expecto.Tests.testCase "Issue 22: trained for 20 steps, NICE as a flow value reports Model.nice's NLL on the ring" ``Issue 22: trained for 20 steps, NICE as a flow value reports Model.nice's NLL on the ring``
        Expecto.Tests.testCase "Issue 22: a zoo model stopped after 2 of 6 steps and resumed with its script ends bit-identical to a straight run" ``Issue 22: a zoo model stopped after 2 of 6 steps and resumed with its script ends bit-identical to a straight run``
        Expecto.Tests.testCase "Issue 22: the zoo's flows, MADE-MoG and DDPM learn the ring in a few hundred steps, and gendsl sample draws points from them" ``Issue 22: the zoo's flows, MADE-MoG and DDPM learn the ring in a few hundred steps, and gendsl sample draws points from them``
        Expecto.Tests.testCase "Issue 22: MADE and PixelCNN learn binary MNIST in a few steps and sample binary images of its shape" ``Issue 22: MADE and PixelCNN learn binary MNIST in a few steps and sample binary images of its shape``
        Expecto.Tests.testCase "Issue 22: a DDPM on [0, 1] data reports the bound of y = 2x - 1 less D ln 2, the change of variables" ``Issue 22: a DDPM on [0, 1] data reports the bound of y = 2x - 1 less D ln 2, the change of variables``
        Expecto.Tests.testCase "Issue 22: dynamically binarised MNIST trains on fresh draws and is evaluated on one binarisation with seed 20260" ``Issue 22: dynamically binarised MNIST trains on fresh draws and is evaluated on one binarisation with seed 20260``
        Expecto.Tests.testCase "Issue 22: the MNIST likelihood table's Quick budget runs end to end, binary and dequantised figures in separate tables" ``Issue 22: the MNIST likelihood table's Quick budget runs end to end, binary and dequantised figures in separate tables``
        Expecto.Tests.testCase "Issue 22: the ring likelihood table's Quick budget runs end to end with every family beside the true density" ``Issue 22: the ring likelihood table's Quick budget runs end to end with every family beside the true density``
        Expecto.Tests.testCase "Issue 22: with several experiments in a script, a --set key applies to those that have it; a key none has is refused" ``Issue 22: with several experiments in a script, a --set key applies to those that have it; a key none has is refused``
    ]
