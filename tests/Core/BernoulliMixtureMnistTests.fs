/// BernoulliMixtureMnistTests.fs: Bernoulli-mixture EM (ECE 8803 P2-P3) — the smoothed updates against plain loops, and EM and sampling on 1000 MNIST images.
module GenDsl.Tests.Core.BernoulliMixtureMnistTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// The first 1000 training images, statically binarised, (1000, 784).
let private mnist1000 (dtype: ScalarType) =
    use ds = MnistDataset.Load(MnistOptions(Subset = Nullable 1000, Pixels = PixelTreatment.StaticBinary, Dtype = dtype))
    ds.AllPixels()

// ---- the closed forms on a hand-sized example, by plain loops ----

let private xs = array2D [ [ 1.0; 0.0; 1.0 ]; [ 0.0; 0.0; 1.0 ]; [ 1.0; 1.0; 0.0 ]; [ 1.0; 0.0; 0.0 ] ]
let private pi0 = [| 0.3; 0.7 |]
let private p0 = array2D [ [ 0.2; 0.6; 0.9 ]; [ 0.7; 0.1; 0.4 ] ]

/// pi_k prod_d p^x (1-p)^(1-x) for image i, by the product itself.
let private joint (pi: float[]) (p: float[,]) i k =
    let mutable v = pi.[k]
    for d in 0 .. 2 do v <- v * (if xs.[i, d] = 1.0 then p.[k, d] else 1.0 - p.[k, d])
    v

let private loopLogLik (pi: float[]) (p: float[,]) = Seq.sum (seq { for i in 0 .. 3 -> log (joint pi p i 0 + joint pi p i 1) })

let ``ECE8803 P3: one EM step equals the seed's smoothed closed form p = (sum eta x + a1)/(N_k + a1 D), pi = (N_k + a2)/(N + a2 K), by plain loops`` () =
    let a1, a2 = 0.1, 0.2                                        // large, so that a wrong smoothing term shows
    let eta = Array2D.init 4 2 (fun i k -> joint pi0 p0 i k / (joint pi0 p0 i 0 + joint pi0 p0 i 1))
    let nk = Array.init 2 (fun k -> Seq.sum (seq { for i in 0 .. 3 -> eta.[i, k] }))
    let p1 = Array2D.init 2 3 (fun k d -> (Seq.sum (seq { for i in 0 .. 3 -> eta.[i, k] * xs.[i, d] }) + a1) / (nk.[k] + a1 * 3.0))
    let pi1 = Array.init 2 (fun k -> (nk.[k] + a2) / (Array.sum nk + a2 * 2.0))
    use x = t64 [ 4L; 3L ] [ for i in 0 .. 3 do for d in 0 .. 2 -> xs.[i, d] ]
    use m0 = new BernoulliMixture(vec (List.ofArray pi0), t64 [ 2L; 3L ] [ for k in 0 .. 1 do for d in 0 .. 2 -> p0.[k, d] ])
    let r = BernoulliMixture.Fit(x, BmmFitOptions(K = 2, Iterations = 1, Alpha1 = a1, Alpha2 = a2, Dtype = f64, InitialModel = m0))
    close 1e-12 [ for k in 0 .. 1 do for d in 0 .. 2 -> p1.[k, d] ] r.Model.Probs
    close 1e-12 pi1 r.Model.Weights
    // the curve: log P(X) before and after the step, against the loops
    closeScalar 1e-12 (loopLogLik pi0 p0) r.Curve.[0].LogLikelihood
    closeScalar 1e-12 (loopLogLik pi1 p1) r.Curve.[1].LogLikelihood
    closeScalar 1e-12 (loopLogLik pi1 p1 / 4.0) r.Curve.[1].MeanLogLikelihood
    // the standalone M-step agrees
    use etaT = t64 [ 4L; 2L ] [ for i in 0 .. 3 do for k in 0 .. 1 -> eta.[i, k] ]
    use m1 = BernoulliMixture.MStep(x, etaT, a1, a2)
    close 1e-12 [ for k in 0 .. 1 do for d in 0 .. 2 -> p1.[k, d] ] m1.Probs
    // the initial model is the caller's and stays usable
    close 0.0 pi0 m0.Weights

let ``ECE8803 P3: the seed's start (uniform rows scaled to unit length) puts every p below 0.07 on 784 pixels`` () =
    use g = new Generator(1UL)
    use m = BernoulliMixture.InitUnitLength(20, 784, g)
    close 1e-12 (List.replicate 20 1.0) (m.Probs.Norm(2.0, [| 1L |]))
    // u/||u|| with u ~ U(0,1)^784: ||u|| ~ sqrt(784/3) = 16.2, so p <= 1/16.2 ~ 0.062 up to the norm's spread (sd ~ 0.3)
    Assert.True((m.Probs.Max()).ToDouble() < 0.07)
    closeScalar 0.002 (0.5 / sqrt (784.0 / 3.0)) (m.Probs.Mean().ToDouble())

let ``ECE8803 P3: EM on 1000 MNIST images never lowers the log-likelihood, from the seed's start and from data means`` () =
    use x = mnist1000 f64
    for init in [ BmmInit.UnitLength; BmmInit.DataMeans ] do
        let steps = ResizeArray<BmmStep>()
        let r = BernoulliMixture.Fit(x, BmmFitOptions(K = 10, Iterations = 6, Init = init, Dtype = f64, Seed = 3UL), (fun s -> steps.Add s))
        Assert.Equal(7, steps.Count)
        Assert.Equal<BmmStep seq>(r.Curve, steps)
        for i in 1 .. steps.Count - 1 do
            // alpha = 1e-8 makes this MAP-EM; the prior moves log P(X) by far less than 1e-6
            if steps.[i].LogLikelihood < steps.[i - 1].LogLikelihood - 1e-6 then
                failwithf "%A: log-likelihood fell at step %d: %g -> %g" init i steps.[i - 1].LogLikelihood steps.[i].LogLikelihood
        Assert.True(steps.[6].MeanLogLikelihood > steps.[0].MeanLogLikelihood + 100.0, sprintf "%A: %A" init steps)
        // the reported curve is the model's own log-likelihood
        closeScalar 1e-6 (r.Model.LogLikelihood x) steps.[6].LogLikelihood
        r.Model.Dispose()

let ``ECE8803 P3: float32 EM follows float64 EM (log-likelihood per image within 1e-3 nats over 5 steps)`` () =
    use x64 = mnist1000 f64
    use x32 = mnist1000 ScalarType.Float32
    let o dt = BmmFitOptions(K = 10, Iterations = 5, Init = BmmInit.DataMeans, Seed = 4UL, Dtype = dt)
    let a = BernoulliMixture.Fit(x64, o f64)
    let b = BernoulliMixture.Fit(x32, o ScalarType.Float32)
    // float32 matmuls over 784 terms of size <= 40 err by ~1e-4 per image; EM's contraction keeps the paths together
    for i in 0 .. 5 do closeScalar 1e-3 a.Curve.[i].MeanLogLikelihood b.Curve.[i].MeanLogLikelihood

let ``ECE8803 P3d: component means stay strictly inside (0, 1), also for pixels that are 0 in every image`` () =
    use x = mnist1000 f64
    let r = BernoulliMixture.Fit(x, BmmFitOptions(K = 5, Iterations = 4, Seed = 5UL))
    use m = r.Model
    Assert.Equal<int64 list>([ 5L; 784L ], shape m.Means)
    let ps = vals m.Means
    Assert.True(ps |> Array.forall (fun p -> p > 0.0 && p < 1.0), sprintf "min %g max %g" (Array.min ps) (Array.max ps))
    // pixel (0, 0) is blank in all of MNIST: its p is the smoothing's alpha1 / (N_k + alpha1 D), tiny but positive
    Assert.True(ps.[0] < 1e-9)
    // and held-out images get a finite log-likelihood
    use test = MnistDataset.Load(MnistOptions(Split = MnistSplit.Test, Subset = Nullable 200, Pixels = PixelTreatment.StaticBinary))
    use ll = m.LogLikelihoodPerImage(test.AllPixels())
    Assert.True(vals ll |> Array.forall Double.IsFinite)

let ``ECE8803 P3e: ancestral samples' pixel means match sum_k pi_k p_k, and their components match pi, within 4.5 standard errors`` () =
    use x = mnist1000 f64
    let r = BernoulliMixture.Fit(x, BmmFitOptions(K = 5, Iterations = 3, Init = BmmInit.DataMeans, Seed = 6UL))
    use m = r.Model
    use g = new Generator(7UL)
    let n = 20_000
    let struct (xs, zs) = m.Sample(int64 n, g)
    // the marginal mean by loops over the parameters
    let pi, p = vals m.Weights, vals m.Probs
    let expected = Array.init 784 (fun d -> Seq.sum (seq { for k in 0 .. 4 -> pi.[k] * p.[k * 784 + d] }))
    close 1e-12 expected (m.MarginalMean())
    // 784 pixel means, each with SE sqrt(m(1-m)/n); 4.5 SE two-sided is p = 7e-6 each, 0.5% for any of 784
    let means = vals (xs.Mean(0L))
    for d in 0 .. 783 do
        let se = sqrt (expected.[d] * (1.0 - expected.[d]) / float n)
        if abs (means.[d] - expected.[d]) > 4.5 * se + 1e-12 then failwithf "pixel %d: sample mean %g vs %g (SE %g)" d means.[d] expected.[d] se
    let counts = Array.zeroCreate 5
    for z in zs.ToArray<int64>() do counts.[int z] <- counts.[int z] + 1
    for k in 0 .. 4 do
        let se = sqrt (pi.[k] * (1.0 - pi.[k]) / float n)
        if abs (float counts.[k] / float n - pi.[k]) > 4.5 * se then failwithf "component %d: frequency %g vs pi %g" k (float counts.[k] / float n) pi.[k]
    // each image is drawn from its own component: images of a component have that component's pixel means
    Assert.True(vals xs |> Array.forall (fun v -> v = 0.0 || v = 1.0))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BernoulliMixtureMnistTests" [
        Expecto.Tests.testCase "ECE8803 P3: one EM step equals the seed's smoothed closed form p = (sum eta x + a1)/(N_k + a1 D), pi = (N_k + a2)/(N + a2 K), by plain loops" ``ECE8803 P3: one EM step equals the seed's smoothed closed form p = (sum eta x + a1)/(N_k + a1 D), pi = (N_k + a2)/(N + a2 K), by plain loops``
        Expecto.Tests.testCase "ECE8803 P3: the seed's start (uniform rows scaled to unit length) puts every p below 0.07 on 784 pixels" ``ECE8803 P3: the seed's start (uniform rows scaled to unit length) puts every p below 0.07 on 784 pixels``
        Expecto.Tests.testCase "ECE8803 P3: EM on 1000 MNIST images never lowers the log-likelihood, from the seed's start and from data means" ``ECE8803 P3: EM on 1000 MNIST images never lowers the log-likelihood, from the seed's start and from data means``
        Expecto.Tests.testCase "ECE8803 P3: float32 EM follows float64 EM (log-likelihood per image within 1e-3 nats over 5 steps)" ``ECE8803 P3: float32 EM follows float64 EM (log-likelihood per image within 1e-3 nats over 5 steps)``
        Expecto.Tests.testCase "ECE8803 P3d: component means stay strictly inside (0, 1), also for pixels that are 0 in every image" ``ECE8803 P3d: component means stay strictly inside (0, 1), also for pixels that are 0 in every image``
        Expecto.Tests.testCase "ECE8803 P3e: ancestral samples' pixel means match sum_k pi_k p_k, and their components match pi, within 4.5 standard errors" ``ECE8803 P3e: ancestral samples' pixel means match sum_k pi_k p_k, and their components match pi, within 4.5 standard errors``
    ]
