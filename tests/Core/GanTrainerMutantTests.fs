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

let private ring () =
    use g = new Generator(5UL)
    new TensorDataset(Torch.Randn([| 64L; 2L |], g, Nullable f64) * 3.0)

let private paramsOf (m: GenDsl.Torch.NN.Module) = m.Parameters() |> Seq.collect vals |> Seq.toArray

[<Fact>]
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

[<Fact>]
let ``GanTrainer.Fit refuses data that is not (N, DataDim) vectors, and a disposed trainer; Dispose twice is harmless`` () =
    use gan = smallGan 1UL
    let t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 1L))
    Assert.Equal("data", Assert.Throws<ArgumentNullException>(fun () -> t.Fit(null) |> ignore).ParamName)
    for shape in [ [| 8L; 3L |]; [| 8L; 2L; 1L |]; [| 8L |] ] do
        let bad = new TensorDataset(Torch.Zeros(shape, f64))
        throws<ArgumentException> "GanTrainer.Fit: examples must be vectors of size 2; got shape [" (fun () -> box (t.Fit(bad)))
    t.Dispose()
    t.Dispose()
    Assert.Throws<ObjectDisposedException>(fun () -> t.Fit(ring ()) |> ignore) |> ignore

[<Fact>]
let ``TrainGenerator = false freezes G under both schemes while D trains; the records then carry no generator loss or norm`` () =
    for scheme in [ GdaScheme.Alternating; GdaScheme.Simultaneous ] do
        use gan = smallGan 2UL
        let g0, d0 = paramsOf gan.GeneratorNet, paramsOf gan.DiscriminatorNet
        use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 3L, BatchSize = 16, Scheme = scheme, TrainGenerator = false, ClipGradNorm = Nullable 100.0))
        use r = t.Fit(ring ())
        Assert.Equal<float[]>(g0, paramsOf gan.GeneratorNet)
        Assert.NotEqual<float[]>(d0, paramsOf gan.DiscriminatorNet)
        for s in r.StepRecords do
            Assert.True(s.DiscriminatorGradNorm.HasValue)
            Assert.False(s.GeneratorGradNorm.HasValue)
            if scheme = GdaScheme.Alternating then Assert.True(Double.IsNaN s.GeneratorLoss)

[<Fact>]
let ``Alternating with DiscriminatorSteps = k takes k real batches per generator step: two runs with k = 2 and k = 1 at twice the steps see D the same batches`` () =
    // the data order is shared: k = 2 for 2 steps draws real batches 1..4, as k = 1 for 4 steps does; with the generator
    // frozen and the same latent draws, D's trajectory is the same
    let run k steps =
        use gan = smallGan 3UL
        use t = new GanTrainer(gan, sgd 0.05, sgd 0.05, GanOptions(Steps = steps, BatchSize = 16, Seed = 7UL, DiscriminatorSteps = k, TrainGenerator = false))
        use r = t.Fit(ring ())
        Assert.Equal(int steps, r.StepRecords.Count)
        paramsOf gan.DiscriminatorNet
    Assert.Equal<float[]>(run 1 4L, run 2 2L)
    Assert.NotEqual<float[]>(run 1 4L, run 1 2L)

[<Fact>]
let ``snapshots: before step 1, every SnapshotEvery steps and after the last, all G(z) of one fixed z, in eval mode`` () =
    use gan = smallGan 4UL
    use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 5L, BatchSize = 16, Seed = 3UL, SnapshotEvery = 2L, SnapshotSize = 6))
    use r = t.Fit(ring ())
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
    use r0 = none.Fit(ring ())
    Assert.Empty(r0.Snapshots)

[<Fact>]
let ``a NaN loss stops the GAN at its step with TrainingDivergedException naming the player`` () =
    for scheme, who in [ GdaScheme.Simultaneous, "discriminator loss"; GdaScheme.Alternating, "discriminator loss" ] do
        use gan = smallGan 5UL
        use t = new GanTrainer(gan, sgd 0.1, sgd 0.1, GanOptions(Steps = 2L, BatchSize = 16, Scheme = scheme))
        let bad = new TensorDataset(Torch.Full([| 32L; 2L |], nan, f64))
        let e = Assert.Throws<TrainingDivergedException>(fun () -> t.Fit(bad) |> ignore)
        Assert.Equal(1L, e.Step)
        Assert.StartsWith(sprintf "the %s was NaN at step 1;" who, e.Message)
    // D's step overflows D (learning rate 1e200): L_D at step 1 was finite, the alternating scheme's L_G against the new D is not
    use gan = smallGan 6UL
    use t = new GanTrainer(gan, sgd 0.1, sgd 1e200, GanOptions(Steps = 1L, BatchSize = 16, Scheme = GdaScheme.Alternating))
    let e = Assert.Throws<TrainingDivergedException>(fun () -> t.Fit(ring ()) |> ignore)
    Assert.Equal(1L, e.Step)
    Assert.StartsWith("the generator loss was ", e.Message)
