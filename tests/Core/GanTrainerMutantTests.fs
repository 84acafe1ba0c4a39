/// GanTrainerMutantTests.fs: the two-player loop's contract beyond GanTests — option and argument checks with their messages,
/// a frozen generator, discriminator steps per generator step, snapshots, the noise streams, the NaN guard, Dispose.
module GenDsl.Tests.Core.GanTrainerMutantTests

open System
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.Optim
open GenDsl.Models
open GenDsl.Training
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private sgd lr = Func<seq<Tensor>, Optimizer>(fun ps -> upcast new SGD(ps, lr = lr))

let private smallGan seed =
    use g = new Generator(seed)
    Gan.Mlp(2, 2, 8L, 1, g, f64)

/// 64 points of N(0, 9 I) in 2-D, fixed by seed 5: the real data of every test here.
let private pointsTensor () =
    use g = new Generator(5UL)
    Torch.Randn([| 64L; 2L |], g, Nullable f64) * 3.0

let private points () = new TensorDataset(pointsTensor ())

let private paramsOf (m: GenDsl.Torch.NN.Module) = m.Parameters() |> Seq.collect vals |> Seq.toArray

let ``GanOptions: every bad option is refused with a message naming it; the edges are allowed`` () =
    use gan = smallGan 1UL
    let make o = fun () -> box (new GanTrainer(gan, sgd 0.1, sgd 0.1, o))
    throws<ArgumentException> "GanOptions.Steps: the number of generator steps must be at least 1 (got 0)" (make (GanOptions(Steps = 0L)))
    throws<ArgumentException> "GanOptions.BatchSize: the batch size must be at least 1 (got 0)" (make (GanOptions(Steps = 1L, BatchSize = 0)))
    throws<ArgumentException> "GanOptions.DiscriminatorSteps: must be at least 1 (got 0)" (make (GanOptions(Steps = 1L, DiscriminatorSteps = 0)))
    throws<ArgumentException> "GanOptions.DiscriminatorSteps: simultaneous updates take one step of each player from the same parameters; use 1 or Scheme = Alternating (got 2)"
        (make (GanOptions(Steps = 1L, Scheme = GdaScheme.Simultaneous, DiscriminatorSteps = 2)))
    for c in [ 0.0; -1.0; infinity; nan ] do
        throws<ArgumentException> "GanOptions.ClipGradNorm: must be finite and > 0, or null (got" (make (GanOptions(Steps = 1L, ClipGradNorm = Nullable c)))
    throws<ArgumentException> "GanOptions.SnapshotEvery: must be >= 0 (got -1)" (make (GanOptions(Steps = 1L, SnapshotEvery = -1L)))
    throws<ArgumentException> "GanOptions.SnapshotSize: must be at least 1 (got 0)" (make (GanOptions(Steps = 1L, SnapshotSize = 0)))
    for o in [ GanOptions(Steps = 1L, BatchSize = 1, SnapshotSize = 1, SnapshotEvery = 0L, ClipGradNorm = Nullable 1e-300)
               GanOptions(Steps = 1L, Scheme = GdaScheme.Alternating, DiscriminatorSteps = 2) ] do
        use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, o)
        Assert.Equal(o, t.Options)
    Assert.Equal("gan", Assert.Throws<ArgumentNullException>(fun () -> new GanTrainer(null, sgd 0.1, sgd 0.1, GanOptions(Steps = 1L)) |> ignore).ParamName)
    Assert.Equal("makeGeneratorOptimizer", Assert.Throws<ArgumentNullException>(fun () -> new GanTrainer(gan, null, sgd 0.1, GanOptions(Steps = 1L)) |> ignore).ParamName)
    Assert.Equal("makeDiscriminatorOptimizer", Assert.Throws<ArgumentNullException>(fun () -> new GanTrainer(gan, sgd 0.1, null, GanOptions(Steps = 1L)) |> ignore).ParamName)
    Assert.Equal("options", Assert.Throws<ArgumentNullException>(fun () -> new GanTrainer(gan, sgd 0.1, sgd 0.1, Unchecked.defaultof<GanOptions>) |> ignore).ParamName)

let ``GanTrainer.Fit refuses data that is not (N, DataDim) vectors, and a disposed trainer; Dispose twice is harmless`` () =
    use gan = smallGan 1UL
    let t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 1L))
    Assert.Equal("data", Assert.Throws<ArgumentNullException>(fun () -> t.Fit(null) |> ignore).ParamName)
    for shape in [ [| 8L; 3L |]; [| 8L; 2L; 1L |]; [| 8L |] ] do
        let bad = new TensorDataset(Torch.Zeros(shape, f64))
        throws<ArgumentException> ("GanTrainer.Fit: examples must be vectors of size 2; got shape [" + String.Join(", ", shape.[1..]) + "]") (fun () -> box (t.Fit(bad)))
    t.Dispose()
    t.Dispose()
    Assert.Throws<ObjectDisposedException>(fun () -> t.Fit(points ()) |> ignore) |> ignore

let ``TrainGenerator = false freezes G under both schemes while D trains; the records then carry no generator loss or norm`` () =
    for scheme in [ GdaScheme.Alternating; GdaScheme.Simultaneous ] do
        use gan = smallGan 2UL
        let g0, d0 = paramsOf gan.GeneratorNet, paramsOf gan.DiscriminatorNet
        use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 3L, BatchSize = 16, Scheme = scheme, TrainGenerator = false, ClipGradNorm = Nullable 100.0))
        use r = t.Fit(points ())
        Assert.Equal<float[]>(g0, paramsOf gan.GeneratorNet)
        Assert.NotEqual<float[]>(d0, paramsOf gan.DiscriminatorNet)
        for s in r.StepRecords do
            Assert.True(s.DiscriminatorGradNorm.HasValue)
            Assert.False(s.GeneratorGradNorm.HasValue)
            if scheme = GdaScheme.Alternating then Assert.True(Double.IsNaN s.GeneratorLoss)

let ``Alternating with DiscriminatorSteps = k takes k real batches per generator step: two runs with k = 2 and k = 1 at twice the steps see D the same batches`` () =
    // the data order is shared: k = 2 for 2 steps draws real batches 1..4, as k = 1 for 4 steps does; with the generator
    // frozen and the same latent draws, D's trajectory is the same
    let run k steps =
        use gan = smallGan 3UL
        use t = new GanTrainer(gan, sgd 0.05, sgd 0.05, GanOptions(Steps = steps, BatchSize = 16, Seed = 7UL, DiscriminatorSteps = k, TrainGenerator = false))
        use r = t.Fit(points ())
        Assert.Equal(int steps, r.StepRecords.Count)
        paramsOf gan.DiscriminatorNet
    Assert.Equal<float[]>(run 1 4L, run 2 2L)
    Assert.NotEqual<float[]>(run 1 4L, run 1 2L)

let ``snapshots: before step 1, every SnapshotEvery steps and after the last, all G(z) of one fixed z, in eval mode`` () =
    use gan = smallGan 4UL
    use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 5L, BatchSize = 16, Seed = 3UL, SnapshotEvery = 2L, SnapshotSize = 6))
    use r = t.Fit(points ())
    Assert.Equal<int64 list>([ 0L; 2L; 4L; 5L ], [ for s in r.Snapshots -> s.Step ])
    Assert.True(gan.Training)
    // the last snapshot is G at the end applied to the snapshot noise, drawn from a generator of its own
    use g = new Generator(EpochOrder.Mix(3UL, -2L))
    use z = gan.Latent(6L, g)
    gan.Eval() |> ignore
    let expected = using (Autograd.NoGrad()) (fun _ -> vals (gan.Generate(z)))
    gan.Train() |> ignore
    close 0.0 expected r.Snapshots.[3].Samples
    Assert.Equal(f64, r.Snapshots.[0].Samples.Dtype)
    Assert.Equal<int64[]>([| 6L; 2L |], r.Snapshots.[0].Samples.Shape)
    use none = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 2L, BatchSize = 16))
    use r0 = none.Fit(points ())
    Assert.Empty(r0.Snapshots)

let ``a NaN loss stops the GAN at its step with TrainingDivergedException naming the player`` () =
    // NaN real data: both schemes check L_D first
    for scheme in [ GdaScheme.Simultaneous; GdaScheme.Alternating ] do
        use gan = smallGan 5UL
        use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 2L, BatchSize = 16, Scheme = scheme))
        let bad = new TensorDataset(Torch.Full([| 32L; 2L |], nan, f64))
        let e = Assert.Throws<TrainingDivergedException>(fun () -> t.Fit(bad) |> ignore)
        Assert.Equal(1L, e.Step)
        Assert.StartsWith("the discriminator loss was NaN at step 1;", e.Message)
    // D's step overflows D (learning rate 1e200): L_D at step 1 was finite, the alternating scheme's L_G against the new D is not
    use gan = smallGan 6UL
    use t = new GanTrainer(gan, sgd 0.1, sgd 1e200, GanOptions(Steps = 1L, BatchSize = 16, Scheme = GdaScheme.Alternating))
    let e = Assert.Throws<TrainingDivergedException>(fun () -> t.Fit(points ()) |> ignore)
    Assert.Equal(1L, e.Step)
    Assert.StartsWith("the generator loss was ", e.Message)

let ``a simultaneous step is one SGD step of each player on its own loss at the same parameters: two steps against a hand loop`` () =
    // the run's draws: z from Generator(Mix(seed, -1)), then the real batch (positions (s - 1) B .. s B - 1 of epoch 0's
    // permutation, randperm(64) from Generator(Mix(seed, 0))); gradients by autograd, updates p - lr g by hand
    let lr, b = 0.1, 16L
    use data = pointsTensor ()
    use ganA = smallGan 7UL
    use t = new GanTrainer(ganA, sgd lr, sgd lr, GanOptions(Steps = 2L, BatchSize = int b, Seed = 0UL, Scheme = GdaScheme.Simultaneous, ClipGradNorm = Nullable 100.0))
    let steps = ResizeArray<int64>()
    t.OnStep <- Action<GanStepRecord>(fun r -> steps.Add r.Step)
    use r = t.Fit(new TensorDataset(data))
    Assert.Equal<int64 list>([ 1L; 2L ], List.ofSeq steps)
    for sr in r.StepRecords do
        Assert.True(sr.DiscriminatorGradNorm.Value < 100.0 && sr.GeneratorGradNorm.Value < 100.0, "the clip must not bind here")
    use ganB = smallGan 7UL
    use rg = new Generator(EpochOrder.Mix(0UL, -1L))
    use pg = new Generator(EpochOrder.Mix(0UL, 0L))
    let perm = Torch.RandPerm(64L, pg).ToArray<int64>()
    let gps = Seq.toArray (ganB.GeneratorNet.Parameters())
    let dps = Seq.toArray (ganB.DiscriminatorNet.Parameters())
    for s in 1 .. 2 do
        let fake = ganB.Generate(ganB.Latent(b, rg))
        use idx = Torch.Tensor<int64>(perm.[(s - 1) * int b .. s * int b - 1], [| b |])
        let real = data.IndexSelect(0L, idx)
        let ld = ganB.DiscriminatorLoss(real, fake.Detach())
        let lg = ganB.GeneratorLoss(fake)
        let gd = Autograd.Grad([| ld |], dps)
        let gg = Autograd.Grad([| lg |], gps)
        using (Autograd.NoGrad()) (fun _ ->
            Array.iter2 (fun (p: Tensor) (g: Tensor) -> p.Sub_(g * lr) |> ignore) dps gd
            Array.iter2 (fun (p: Tensor) (g: Tensor) -> p.Sub_(g * lr) |> ignore) gps gg)
    // float64, the same operations in the same order up to the optimizer's own arithmetic: 1e-12 is far above rounding
    close 1e-12 (paramsOf ganB.GeneratorNet) (Torch.Tensor<float>(paramsOf ganA.GeneratorNet))
    close 1e-12 (paramsOf ganB.DiscriminatorNet) (Torch.Tensor<float>(paramsOf ganA.DiscriminatorNet))

let ``alternating steps report both gradient norms under clipping; fewer examples than BatchSize still train (no dropLast); Fit puts an eval-mode GAN in training mode`` () =
    use gan = smallGan 8UL
    gan.Eval() |> ignore
    use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 2L, BatchSize = 16, ClipGradNorm = Nullable 100.0))
    use few = (use g = new Generator(1UL) in Torch.Randn([| 10L; 2L |], g, Nullable f64))
    use r = t.Fit(new TensorDataset(few))
    Assert.Equal(2, r.StepRecords.Count)
    for sr in r.StepRecords do
        Assert.True(sr.DiscriminatorGradNorm.HasValue && sr.GeneratorGradNorm.HasValue)
        Assert.True(Double.IsFinite sr.GeneratorLoss)
    Assert.True(gan.Training)

let ``snapshots are taken in eval mode: a generator with dropout gives its eval-mode output, and the GAN trains in training mode again after`` () =
    use g = new Generator(9UL)
    let gen = new GenDsl.Torch.NN.Sequential(new GenDsl.Torch.NN.Linear(2L, 2L, generator = g, dtype = Nullable f64), new GenDsl.Torch.NN.Dropout(0.5))
    let disc = new GenDsl.Torch.NN.Linear(2L, 1L, generator = g, dtype = Nullable f64)
    use gan = new Gan(gen, disc, 2, 2)
    use t = new GanTrainer(gan, sgd 0.0, sgd 0.0, GanOptions(Steps = 1L, BatchSize = 8, Seed = 2UL, SnapshotEvery = 1L, SnapshotSize = 50))
    use r = t.Fit(points ())
    use ng = new Generator(EpochOrder.Mix(2UL, -2L))
    use z = gan.Latent(50L, ng)
    gan.Eval() |> ignore
    let expected = using (Autograd.NoGrad()) (fun _ -> vals (gan.Generate(z)))
    gan.Train() |> ignore
    for snap in r.Snapshots do close 0.0 expected snap.Samples
    Assert.True(gan.Training)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GanTrainerMutantTests" [
        Expecto.Tests.testCase "GanOptions: every bad option is refused with a message naming it; the edges are allowed" ``GanOptions: every bad option is refused with a message naming it; the edges are allowed``
        Expecto.Tests.testCase "GanTrainer.Fit refuses data that is not (N, DataDim) vectors, and a disposed trainer; Dispose twice is harmless" ``GanTrainer.Fit refuses data that is not (N, DataDim) vectors, and a disposed trainer; Dispose twice is harmless``
        Expecto.Tests.testCase "TrainGenerator = false freezes G under both schemes while D trains; the records then carry no generator loss or norm" ``TrainGenerator = false freezes G under both schemes while D trains; the records then carry no generator loss or norm``
        Expecto.Tests.testCase "Alternating with DiscriminatorSteps = k takes k real batches per generator step: two runs with k = 2 and k = 1 at twice the steps see D the same batches" ``Alternating with DiscriminatorSteps = k takes k real batches per generator step: two runs with k = 2 and k = 1 at twice the steps see D the same batches``
        Expecto.Tests.testCase "snapshots: before step 1, every SnapshotEvery steps and after the last, all G(z) of one fixed z, in eval mode" ``snapshots: before step 1, every SnapshotEvery steps and after the last, all G(z) of one fixed z, in eval mode``
        Expecto.Tests.testCase "a NaN loss stops the GAN at its step with TrainingDivergedException naming the player" ``a NaN loss stops the GAN at its step with TrainingDivergedException naming the player``
        Expecto.Tests.testCase "a simultaneous step is one SGD step of each player on its own loss at the same parameters: two steps against a hand loop" ``a simultaneous step is one SGD step of each player on its own loss at the same parameters: two steps against a hand loop``
        Expecto.Tests.testCase "alternating steps report both gradient norms under clipping; fewer examples than BatchSize still train (no dropLast); Fit puts an eval-mode GAN in training mode" ``alternating steps report both gradient norms under clipping; fewer examples than BatchSize still train (no dropLast); Fit puts an eval-mode GAN in training mode``
        Expecto.Tests.testCase "snapshots are taken in eval mode: a generator with dropout gives its eval-mode output, and the GAN trains in training mode again after" ``snapshots are taken in eval mode: a generator with dropout gives its eval-mode output, and the GAN trains in training mode again after``
    ]
