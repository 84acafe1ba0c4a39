/// EnergyModelMutantTests.fs: the EBM's edges (DS-GA 1008 1.4-1.7) that mutation testing checks — a network of zeros leaves E = -|x|^2 / (2 s^2), whose log Z is known in 1-D and 2-D; the argument checks and messages.
module GenDsl.Tests.Core.EnergyModelMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Inference
open GenDsl.Distributions
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Data
open GenDsl.Torch.NN
open GenDsl.Tests.Support

/// An EBM whose network outputs 0 everywhere (all parameters zeroed), so E(x) = -|x|^2 / (2 s^2): a N(0, s^2 I) energy.
let private gaussianEbm (d: int) (s: float) =
    use g = new Generator(1UL)
    let m = EnergyModel.Mlp(d, 4L, 1, Nullable s, generator = g)
    use _ = Autograd.NoGrad()
    for p in m.Parameters() do p.Zero_() |> ignore
    m

let ``EBM with a zero network: E = -|x|^2 / (2 s^2), so log Z is D log(sqrt(2 pi) s) by 1-D Simpson (even n rounded up) and the 2-D midpoint rule`` () =
    use m1 = gaussianEbm 1 1.5
    close 1e-14 [ 0.0; -4.0 / 4.5 ] (m1.Energy(t64 [ 2L; 1L ] [ 0.0; 2.0 ]))
    // Simpson on 401 points of [-15, 15] (h = 0.075) is exact to ~1e-10 for this Gaussian; the tails beyond 10 s are 1e-23
    closeScalar 1e-8 (log (sqrt (2.0 * Math.PI) * 1.5)) (m1.LogPartitionQuadrature(-15.0, 15.0, 400L))
    use m2 = gaussianEbm 2 0.8
    closeScalar 1e-5 (log (2.0 * Math.PI * 0.64)) (m2.LogPartitionQuadrature(-8.0, 8.0, 400L))
    // log p = E - A
    close 1e-14 [ -1.0 - 0.25 ] (m2.LogProb(t64 [ 1L; 2L ] [ 0.8; 0.8 ], 0.25))
    use m3 = gaussianEbm 3 1.0
    throws<ArgumentException> "quadrature on a grid is for D = 1 or 2; this model has D = 3" (fun () -> box (m3.LogPartitionQuadrature(-1.0, 1.0)))

let ``EBM test log-likelihood of one point: E(x) - A with the standard error of A alone`` () =
    use m = gaussianEbm 1 1.0
    let e = m.TestLogLikelihood(t64 [ 1L; 1L ] [ 2.0 ], Estimate(0.5, 0.1, 100L))
    closeScalar 1e-14 (-2.0 - 0.5) e.Mean
    closeScalar 1e-15 0.1 e.StdErr
    // two points: sqrt(var(E) / 2 + se^2), E = (0, -2): var = 2
    let e2 = m.TestLogLikelihood(t64 [ 2L; 1L ] [ 0.0; 2.0 ], Estimate(0.5, 0.1, 100L))
    closeScalar 1e-14 (-1.0 - 0.5) e2.Mean
    closeScalar 1e-14 (sqrt (2.0 / 2.0 + 0.01)) e2.StdErr

let ``EBM refuses D < 1, a base scale that is not finite and positive, points of the wrong width, a network of the wrong output, too few IS draws and a proposal of another dimension`` () =
    use g = new Generator(2UL)
    throws<ArgumentException> "the dimension must be >= 1; got 0" (fun () -> box (new EnergyModel(Mlp.Create(2L, 4L, 1, 1L, generator = g), 0)))
    for b in [ 0.0; -1.0; Double.PositiveInfinity; Double.NaN ] do
        throws<ArgumentException> "baseScale must be finite and > 0, or null for none" (fun () -> box (EnergyModel.Mlp(2, 4L, 1, Nullable b, generator = g)))
    use m = EnergyModel.Mlp(2, 4L, generator = g)
    throws<ArgumentException> "points must be (N, 2); got shape [1, 3]" (fun () -> box (m.Energy(Torch.Zeros([| 1L; 3L |], ScalarType.Float64))))
    throws<ArgumentException> "got shape [2]" (fun () -> box (m.Energy(Torch.Zeros([| 2L |], ScalarType.Float64))))
    use wide = new EnergyModel(Mlp.Create(2L, 4L, 1, 2L, generator = g, dtype = ScalarType.Float64), 2)
    throws<ArgumentException> "the network must map (N, 2) to (N) or (N, 1); it returned [3, 2]" (fun () -> box (wide.Energy(Torch.Zeros([| 3L; 2L |], ScalarType.Float64))))
    let q = Density.Of(NormalMixture.Ring(3, 1.0))
    throws<ArgumentException> "need M >= 2 draws (the seed uses 5000); got 1" (fun () -> box (ImportanceSample.Draw(q, 1L, g)))
    use sample = ImportanceSample.Draw(q, 2L, g)
    use m1 = EnergyModel.Mlp(1, 4L, generator = g)
    throws<ArgumentException> "the proposal is 2-dimensional, the model 1-dimensional" (fun () -> box (m1.Objective(sample)))

let ``EBM objective with resample draws a fresh IS sample each step (logged log Z varies, each near the closed form); without it log Z repeats`` () =
    // E = -x^2 / 2 (zero network, s = 1), so A = log sqrt(2 pi); SGD with lr 0 keeps theta fixed across the 3 steps
    let logZs resample =
        use m = gaussianEbm 1 1.0
        use g = new Generator(9UL)
        use data = Torch.Randn([| 50L; 1L |], g, ScalarType.Float64)
        // q = N(0, 1.5^2): the weights' relative variance is s / sqrt(2 - 1/s^2) - 1 = 0.203, so with M = 2000 the
        // IS estimate of A has sd sqrt(0.203 / 2000) = 0.010; 5 sd = 0.05
        use sample = ImportanceSample.Draw(Density.Of(NormalMixture.OneD([| 1.0 |], [| 0.0 |], [| 1.5 |])), 2000L, g)
        use trainer = new Trainer(m, (fun ps -> upcast new SGD(ps, lr = 0.0)), (fun _ -> null), TrainOptions(Steps = 3L, BatchSize = 50, Seed = 4UL))
        let r = trainer.Fit(new TensorDataset(data), m.Objective(sample, resample))
        [ for k in 0 .. 2 -> r.StepRecords.[k].Metrics.["log_z"] ]
    let fresh = logZs true
    for a in fresh do closeScalar 0.05 (log (sqrt (2.0 * Math.PI))) a
    Assert.Equal(3, List.distinct fresh |> List.length)
    let fixedSample = logZs false
    Assert.Equal(1, List.distinct fixedSample |> List.length)

/// A 1-D proposal whose sampler returns (n + extra, width) points: a broken IDensity for the shape check.
type private BadProposal(extra: int64, width: int64) =
    interface IDensity with
        member _.D = 1
        member _.LogProb(x) = Torch.Zeros([| x.Size(0) |], ScalarType.Float64)
        member _.Sample(n, _) = Torch.Zeros([| n + extra; width |], ScalarType.Float64)

let ``EBM and its IS sample refuse null arguments and a proposal whose Sample(M) is not (M, D)`` () =
    use g = new Generator(3UL)
    use m = gaussianEbm 1 1.0
    use sample = ImportanceSample.Draw(Density.Of(NormalMixture.OneD([| 1.0 |], [| 0.0 |], [| 1.0 |])), 4L, g)
    let nulls : (unit -> obj) list =
        [ (fun () -> box (ImportanceSample.Draw(null, 4L, g)))
          (fun () -> box (new EnergyModel(null, 1)))
          (fun () -> box (m.Energy(null)))
          (fun () -> box (m.Loss(t64 [ 1L; 1L ] [ 0.0 ], null)))
          (fun () -> box (m.Objective(null)))
          (fun () -> box (EnergyModel.EffectiveSampleSize(null)))
          (fun () -> box (m.LogPartition(null: ImportanceSample))) ]
    for f in nulls do Assert.Throws<ArgumentNullException>(fun () -> f () |> ignore) |> ignore
    throws<ArgumentException> "the proposal's Sample(4) returned shape [5, 1], expected (4, 1)" (fun () -> box (ImportanceSample.Draw(BadProposal(1L, 1L), 4L, g)))
    throws<ArgumentException> "returned shape [4, 2], expected (4, 1)" (fun () -> box (ImportanceSample.Draw(BadProposal(0L, 2L), 4L, g)))

let ``EBM: Loss returns A^ = logsumexp(E(x_m) - log q(x_m)) - log M and -(mean E(data) - A^), both by hand`` () =
    use m = gaussianEbm 1 1.0
    use g = new Generator(5UL)
    use sample = ImportanceSample.Draw(Density.Of(NormalMixture.OneD([| 1.0 |], [| 0.0 |], [| 1.5 |])), 5L, g)
    let lw = Array.map2 (fun x lq -> -x * x / 2.0 - lq) (vals sample.X) (vals sample.LogQ)
    let mx = Array.max lw
    let a = mx + log (lw |> Array.sumBy (fun v -> exp (v - mx))) - log 5.0
    let struct (loss, _, logZ) = m.Loss(t64 [ 2L; 1L ] [ 1.0; 2.0 ], sample)
    closeScalar 1e-12 a logZ
    closeScalar 1e-12 (-((-0.5 - 2.0) / 2.0 - a)) (loss.ToDouble())

let ``EBM: log Z by IS keeps its standard error finite when log-weights span thousands of nats (q = N(0, 100^2) against E = -x^2 / 2)`` () =
    use m = gaussianEbm 1 1.0
    use g = new Generator(6UL)
    use sample = ImportanceSample.Draw(Density.Of(NormalMixture.OneD([| 1.0 |], [| 0.0 |], [| 100.0 |])), 200L, g)
    let lw = Array.map2 (fun x lq -> -x * x / 2.0 - lq) (vals sample.X) (vals sample.LogQ)
    Assert.True(Array.max lw - Array.min lw > 1000.0, "the log-weights must span more than exp can hold")
    // by hand: w relative to the largest, sd with ddof 1, SE = sd(w) / (sqrt M mean(w))
    let mx = Array.max lw
    let w = lw |> Array.map (fun v -> exp (v - mx))
    let mean = Array.average w
    let sd = sqrt ((w |> Array.sumBy (fun v -> (v - mean) ** 2.0)) / 199.0)
    let est = m.LogPartition(sample)
    closeScalar 1e-12 (mx + log mean) est.Mean
    closeScalar 1e-10 (sd / (sqrt 200.0 * mean)) est.StdErr

let ``EBM: 1-D quadrature rounds an even n up (n = 2: Simpson on 3 points of [-1, 1], by hand)`` () =
    use m = gaussianEbm 1 1.0
    closeScalar 1e-14 (log ((exp -0.5 + 4.0 + exp -0.5) / 3.0)) (m.LogPartitionQuadrature(-1.0, 1.0, 2L))

let ``EBM: energies come in the parameters' dtype (float64 points into float32 parameters), a parameterless net gives float64, and the default activation is Tanh`` () =
    use g = new Generator(7UL)
    use m32 = EnergyModel.Mlp(1, 3L, 1, generator = g, dtype = ScalarType.Float32)
    use e = m32.Energy(t64 [ 2L; 1L ] [ 0.5; -1.0 ])
    Assert.Equal(ScalarType.Float32, e.Dtype)
    Assert.True((Seq.item 1 (m32.Net :?> Sequential)) :? Tanh, "Tanh between the layers by default")
    // Identity on D = 1 is (N, 1) -> (N, 1): E = x - x^2 / 2 with no parameters at all
    use id = new EnergyModel(new Identity(), 1, Nullable 1.0)
    use e2 = id.Energy(t64 [ 2L; 1L ] [ 1.0; 2.0 ])
    Assert.Equal(ScalarType.Float64, e2.Dtype)
    close 1e-15 [ 0.5; 0.0 ] e2

let ``EBM: the activation factory is used when given, and log Z by IS stays finite with energies near 400 nats (E = 400 - x^2 / 2)`` () =
    use g = new Generator(10UL)
    use relu = EnergyModel.Mlp(1, 3L, 1, activation = (fun () -> upcast new ReLU()), generator = g)
    Assert.True((Seq.item 1 (relu.Net :?> Sequential)) :? ReLU, "the given activation")
    use m = gaussianEbm 1 1.0
    (Seq.last (m.Net :?> Sequential) :?> Linear).Bias.Detach().Fill_(Scalar.op_Implicit 400.0) |> ignore
    use sample = ImportanceSample.Draw(Density.Of(NormalMixture.OneD([| 1.0 |], [| 0.0 |], [| 1.5 |])), 100L, g)
    let est = m.LogPartition(sample)
    // A = 400 + log sqrt(2 pi); the IS SE is finite and small (relative weight variance 0.2 / 100 draws)
    closeScalar 0.25 (400.0 + log (sqrt (2.0 * Math.PI))) est.Mean
    Assert.True(Double.IsFinite est.StdErr && est.StdErr < 0.2, sprintf "SE %g" est.StdErr)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.EnergyModelMutantTests" [
        Expecto.Tests.testCase "EBM with a zero network: E = -|x|^2 / (2 s^2), so log Z is D log(sqrt(2 pi) s) by 1-D Simpson (even n rounded up) and the 2-D midpoint rule" ``EBM with a zero network: E = -|x|^2 / (2 s^2), so log Z is D log(sqrt(2 pi) s) by 1-D Simpson (even n rounded up) and the 2-D midpoint rule``
        Expecto.Tests.testCase "EBM test log-likelihood of one point: E(x) - A with the standard error of A alone" ``EBM test log-likelihood of one point: E(x) - A with the standard error of A alone``
        Expecto.Tests.testCase "EBM refuses D < 1, a base scale that is not finite and positive, points of the wrong width, a network of the wrong output, too few IS draws and a proposal of another dimension" ``EBM refuses D < 1, a base scale that is not finite and positive, points of the wrong width, a network of the wrong output, too few IS draws and a proposal of another dimension``
        Expecto.Tests.testCase "EBM objective with resample draws a fresh IS sample each step (logged log Z varies, each near the closed form); without it log Z repeats" ``EBM objective with resample draws a fresh IS sample each step (logged log Z varies, each near the closed form); without it log Z repeats``
        Expecto.Tests.testCase "EBM and its IS sample refuse null arguments and a proposal whose Sample(M) is not (M, D)" ``EBM and its IS sample refuse null arguments and a proposal whose Sample(M) is not (M, D)``
        Expecto.Tests.testCase "EBM: Loss returns A^ = logsumexp(E(x_m) - log q(x_m)) - log M and -(mean E(data) - A^), both by hand" ``EBM: Loss returns A^ = logsumexp(E(x_m) - log q(x_m)) - log M and -(mean E(data) - A^), both by hand``
        Expecto.Tests.testCase "EBM: log Z by IS keeps its standard error finite when log-weights span thousands of nats (q = N(0, 100^2) against E = -x^2 / 2)" ``EBM: log Z by IS keeps its standard error finite when log-weights span thousands of nats (q = N(0, 100^2) against E = -x^2 / 2)``
        Expecto.Tests.testCase "EBM: 1-D quadrature rounds an even n up (n = 2: Simpson on 3 points of [-1, 1], by hand)" ``EBM: 1-D quadrature rounds an even n up (n = 2: Simpson on 3 points of [-1, 1], by hand)``
        Expecto.Tests.testCase "EBM: energies come in the parameters' dtype (float64 points into float32 parameters), a parameterless net gives float64, and the default activation is Tanh" ``EBM: energies come in the parameters' dtype (float64 points into float32 parameters), a parameterless net gives float64, and the default activation is Tanh``
        Expecto.Tests.testCase "EBM: the activation factory is used when given, and log Z by IS stays finite with energies near 400 nats (E = 400 - x^2 / 2)" ``EBM: the activation factory is used when given, and log Z by IS stays finite with energies near 400 nats (E = 400 - x^2 / 2)``
    ]
