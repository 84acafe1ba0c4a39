/// EbmTests.fs: the energy-based model of DS-GA 1008 final 1.4-1.7 — IS gradient ascent to the known MLE, IS vs quadrature gradients and log Z, the ESS formula.
module GenDsl.Tests.Core.EbmTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Distributions
open GenDsl.Models
open GenDsl.Inference
open GenDsl.Training
open GenDsl.Data
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// E_theta(x) = theta x - x^2 / 2: p_theta = N(theta, 1), Z(theta) = sqrt(2 pi) exp(theta^2 / 2), and the MLE of theta is the sample mean.
type private GaussianEnergy(theta0: float) as this =
    inherit Module()
    let theta = this.RegisterParameter("theta", Torch.Tensor<float>([| theta0 |], [| 1L |]))
    member _.Theta = theta.ToDouble()
    override _.Forward(x: Tensor) = (x * theta - x.Square() * 0.5).Squeeze(1L)   // (N, 1) -> (N)

/// q = N(0, 3^2) as a 1-D density over (N, 1) points.
let private wideNormal () = Density.Of(NormalMixture.OneD([| 1.0 |], [| 0.0 |], [| 3.0 |]))

let ``DS-GA 1008 1.6: IS gradient ascent on E = theta x - x^2/2 converges to the sample mean (the MLE) within 4 standard errors`` () =
    use g = new Generator(41UL)
    use data = Torch.Randn([| 1000L; 1L |], g, f64) + 1.5
    let xbar = data.Mean().ToDouble()
    use ebm = new EnergyModel(new GaussianEnergy(-1.0), 1)
    use sample = ImportanceSample.Draw(wideNormal (), 5000L, g)
    use trainer = new Trainer(ebm, (fun ps -> upcast new SGD(ps, lr = 0.5)), (fun _ -> null),
                              TrainOptions(Steps = 60L, BatchSize = 1000, Shuffle = false, Seed = 1UL))
    let result = trainer.Fit(new TensorDataset(data), ebm.Objective(sample))
    let theta = (ebm.Net :?> GaussianEnergy).Theta
    // at the fixed point x-bar = sum_m w_m x_m, the IS estimate of E_theta[x] = theta; so theta - x-bar is that
    // estimate's error, whose delta-method SE (sqrt(sum w~^2 (x - F^)^2)) bounds it: 4 SE, false failure ~ 6e-5
    use x = sample.X.Squeeze(1L)
    let est = ImportanceSampling.SelfNormalizedEstimate(x, ebm.Energy(sample.X), sample.LogQ)
    if abs (theta - xbar) > 4.0 * est.StdErr then failwithf "theta %g vs sample mean %g: more than 4 SE (%g)" theta xbar est.StdErr
    Assert.True(abs (theta - xbar) < 0.1, "the ascent must have moved theta from -1 to the sample mean")
    let ess = result.StepRecords |> Seq.last |> fun r -> r.Metrics.["ess"]
    Assert.True(ess > 500.0 && ess < 5000.0, sprintf "ESS %g of q = N(0, 9) for p = N(1.5, 1) should be in the hundreds to thousands" ess)

let ``DS-GA 1008 1.6: the effective sample size is (sum w)^2 / sum w^2 on known weights and as logged per step`` () =
    use lw = Torch.Tensor<float>([| 0.0; 0.0; log 2.0; log 4.0 |])
    closeScalar 1e-12 (64.0 / 22.0) (EnergyModel.EffectiveSampleSize lw)
    use eq = Torch.Full([| 7L |], Scalar.op_Implicit -3.0, f64)
    closeScalar 1e-12 7.0 (EnergyModel.EffectiveSampleSize eq)
    // the metric a Trainer step logs, from the weights at the pre-step theta, computed here by loops
    use g = new Generator(42UL)
    use data = Torch.Randn([| 100L; 1L |], g, f64)
    use ebm = new EnergyModel(new GaussianEnergy(0.7), 1)
    use sample = ImportanceSample.Draw(wideNormal (), 300L, g)
    let xs, lq = vals sample.X, vals sample.LogQ
    let w = Array.map2 (fun x l -> exp (0.7 * x - x * x / 2.0 - l)) xs lq
    let expected = (Array.sum w) ** 2.0 / (w |> Array.sumBy (fun v -> v * v))
    use trainer = new Trainer(ebm, (fun ps -> upcast new SGD(ps, lr = 0.1)), (fun _ -> null), TrainOptions(Steps = 1L, BatchSize = 100))
    let r = trainer.Fit(new TensorDataset(data), ebm.Objective(sample))
    closeScalar 1e-9 expected r.StepRecords.[0].Metrics.["ess"]

let ``DS-GA 1008 1.7: log Z by IS covers the closed form sqrt(2 pi) exp(theta^2/2); quadrature and the test log-likelihood match closed forms`` () =
    use g = new Generator(43UL)
    use ebm = new EnergyModel(new GaussianEnergy(1.2), 1)
    let exact = 0.5 * log (2.0 * Math.PI) + 1.2 * 1.2 / 2.0
    let est = ebm.LogPartition(wideNormal (), 5000L, g)
    // delta-method SE of log Z^ ~ 0.01 here; 4 SE
    if not (est.Covers(exact, 4.0)) then failwithf "log Z^ = %O vs %g" est exact
    Assert.True(est.StdErr > 0.0 && est.StdErr < 0.05, sprintf "SE %g" est.StdErr)
    // Simpson on [-12, 12], 2001 points: error far below 1e-10
    closeScalar 1e-10 exact (ebm.LogPartitionQuadrature(-12.0, 12.0, 2001L))
    // with the exact log Z, the test log-likelihood is the mean of log N(x; 1.2, 1)
    use x = Torch.Randn([| 200L; 1L |], g, f64)
    let ll = ebm.TestLogLikelihood(x, Estimate(exact, 0.0, 1L))
    let expected = vals x |> Array.averageBy (fun v -> -0.5 * log (2.0 * Math.PI) - (v - 1.2) ** 2.0 / 2.0)
    closeScalar 1e-12 expected ll.Mean

/// A small 2-D MLP energy with a confining term (s = 2) so that exp(E) is integrable on the quadrature box.
let private mlpEnergy seed =
    use g = new Generator(seed)
    EnergyModel.Mlp(2, 8L, 1, Nullable 2.0, generator = g)

/// A broad ring proposal (sd 2.5 around radius 3): its tails are heavier than exp(E) ~ exp(-|x|^2 / 8), so the weights have finite variance.
let private broadRing () = Density.Of(NormalMixture.Ring(10, 3.0, 2.5))

let ``DS-GA 1008 1.6: the surrogate loss's gradient is the IS estimate of grad A, within 4 SE of the quadrature gradient (2-D MLP)`` () =
    use ebm = mlpEnergy 44UL
    use g = new Generator(45UL)
    use data = Torch.Randn([| 64L; 2L |], g, f64)
    use sample = ImportanceSample.Draw(broadRing (), 5000L, g)
    let ps = ebm.Parameters() |> Seq.toArray
    // IS: grad A^ = grad loss + grad mean E(data)
    let gradOf (t: Tensor) = Autograd.Grad([| t |], ps) |> Array.collect vals
    let struct (loss, _, _) = ebm.Loss(data, sample)
    let gIs = Array.map2 (+) (gradOf loss) (gradOf (ebm.Energy(data).Mean()))
    // quadrature: grad of log integral exp(E) on [-14, 14]^2 (mass outside ~ exp(-14^2/8) negligible), 280^2 cells
    let gQuad = gradOf (Quadrature.LogIntegrate2d((fun x -> ebm.Energy x), -14.0, 14.0, 280L))
    for k in 0 .. 2 do
        let v = vals (Torch.Randn([| int64 gIs.Length |], g, f64)) |> fun a -> let n = sqrt (Array.sumBy (fun x -> x * x) a) in Array.map (fun x -> x / n) a
        // f_m = v . grad E(x_m) per draw, by central differences in parameter space (h = 1e-5: error ~ 1e-10)
        let shift (h: float) =
            use _ = Autograd.NoGrad()
            let mutable off = 0
            for p in ps do
                let n = int p.NumEl
                use dv = Torch.Tensor<float>(v.[off .. off + n - 1], p.Shape)
                p.Add_(dv * h) |> ignore
                off <- off + n
        shift 1e-5
        let up = vals (ebm.Energy sample.X)
        shift -2e-5
        let down = vals (ebm.Energy sample.X)
        shift 1e-5
        use f = Torch.Tensor<float>(Array.map2 (fun a b -> (a - b) / 2e-5) up down)
        let est = ImportanceSampling.SelfNormalizedEstimate(f, ebm.Energy(sample.X).Detach(), sample.LogQ)
        let proj (a: float[]) = Array.fold2 (fun s x y -> s + x * y) 0.0 a v
        // the surrogate's gradient is exactly the self-normalised sum (up to the differences' error)
        closeScalar 1e-6 est.Mean (proj gIs)
        // and a 4-SE match with the quadrature gradient (3 directions: false failure ~ 2e-4)
        if not (est.Covers(proj gQuad, 4.0)) then failwithf "direction %d: IS %O vs quadrature %g" k est (proj gQuad)

let ``DS-GA 1008 1.7: log Z by IS with its SE covers log Z by 2-D quadrature (2-D MLP)`` () =
    use ebm = mlpEnergy 46UL
    use g = new Generator(47UL)
    let est = ebm.LogPartition(broadRing (), 5000L, g)
    let quad = ebm.LogPartitionQuadrature(-14.0, 14.0, 280L)
    if not (est.Covers(quad, 4.0)) then failwithf "IS %O vs quadrature %g" est quad
    // the midpoint rule converges: a finer grid moves log Z by less than 1e-4
    closeScalar 1e-4 quad (ebm.LogPartitionQuadrature(-14.0, 14.0, 400L))

let ``DS-GA 1008 1.7: an MLP EBM trained by IS with q = the true ring (R = 10) beats the best single Gaussian on test likelihood`` () =
    use ring = GaussianMixture.Ring(10, 10.0)
    use g = new Generator(48UL)
    let struct (train, _) = ring.Sample(1000L, g)
    let struct (test, _) = ring.Sample(1000L, g)
    // confining scale s = 4: wider (s = 12) lets p_theta keep mass beyond the ring where q never samples, and IS
    // then underestimates log Z by about 1 nat against quadrature (the check below would fail)
    use ebm = EnergyModel.Mlp(2, 32L, 1, Nullable 4.0, generator = g)
    use sample = ImportanceSample.Draw(Density.Of ring, 5000L, g)
    use trainer = new Trainer(ebm, (fun ps -> upcast new Adam(ps, lr = 0.02)), (fun _ -> null),
                              TrainOptions(Steps = 400L, BatchSize = 1000, Seed = 2UL))
    trainer.Fit(new TensorDataset(train), ebm.Objective(sample)) |> ignore
    use fresh = ImportanceSample.Draw(Density.Of ring, 5000L, g)
    let logZ = ebm.LogPartition fresh
    let ll = ebm.TestLogLikelihood(test, logZ)
    // a Gaussian fitted to the ring has variance ~ R^2/2 + 1 = 51 per coordinate: test LL ~ -log(2 pi 51) - 1 = -6.77;
    // the true mixture scores about -log(2 pi e) - log 10 = -5.14. The bar -6.0 is ~ 8 SE (SE ~ 0.09) above the Gaussian.
    if ll.Mean < -6.0 then failwithf "EBM test log-likelihood %O is not above -6.0" ll
    // log Z by IS (q = the ring) within 4 SE of the quadrature on [-25, 25]^2 (beyond it exp(-25^2 / 32) is negligible)
    let quad = ebm.LogPartitionQuadrature(-25.0, 25.0, 400L)
    if not (logZ.Covers(quad, 4.0)) then failwithf "log Z by IS %O vs quadrature %g" logZ quad

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.EbmTests" [
        Expecto.Tests.testCase "DS-GA 1008 1.6: IS gradient ascent on E = theta x - x^2/2 converges to the sample mean (the MLE) within 4 standard errors" ``DS-GA 1008 1.6: IS gradient ascent on E = theta x - x^2/2 converges to the sample mean (the MLE) within 4 standard errors``
        Expecto.Tests.testCase "DS-GA 1008 1.6: the effective sample size is (sum w)^2 / sum w^2 on known weights and as logged per step" ``DS-GA 1008 1.6: the effective sample size is (sum w)^2 / sum w^2 on known weights and as logged per step``
        Expecto.Tests.testCase "DS-GA 1008 1.7: log Z by IS covers the closed form sqrt(2 pi) exp(theta^2/2); quadrature and the test log-likelihood match closed forms" ``DS-GA 1008 1.7: log Z by IS covers the closed form sqrt(2 pi) exp(theta^2/2); quadrature and the test log-likelihood match closed forms``
        Expecto.Tests.testCase "DS-GA 1008 1.6: the surrogate loss's gradient is the IS estimate of grad A, within 4 SE of the quadrature gradient (2-D MLP)" ``DS-GA 1008 1.6: the surrogate loss's gradient is the IS estimate of grad A, within 4 SE of the quadrature gradient (2-D MLP)``
        Expecto.Tests.testCase "DS-GA 1008 1.7: log Z by IS with its SE covers log Z by 2-D quadrature (2-D MLP)" ``DS-GA 1008 1.7: log Z by IS with its SE covers log Z by 2-D quadrature (2-D MLP)``
        Expecto.Tests.testCase "DS-GA 1008 1.7: an MLP EBM trained by IS with q = the true ring (R = 10) beats the best single Gaussian on test likelihood" ``DS-GA 1008 1.7: an MLP EBM trained by IS with q = the true ring (R = 10) beats the best single Gaussian on test likelihood``
    ]
