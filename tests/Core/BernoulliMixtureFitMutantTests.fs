/// BernoulliMixtureFitMutantTests.fs: the Bernoulli-mixture EM driver (ECE 8803 P3) on hand-sized data — its starts, stopping rule, data paths, legacy form and option checks.
module GenDsl.Tests.Core.BernoulliMixtureFitMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// Four 3-pixel images and a start, as in BernoulliMixtureMnistTests.
let private xs = array2D [ [ 1.0; 0.0; 1.0 ]; [ 0.0; 0.0; 1.0 ]; [ 1.0; 1.0; 0.0 ]; [ 1.0; 0.0; 0.0 ] ]
let private data () = t64 [ 4L; 3L ] [ for i in 0 .. 3 do for d in 0 .. 2 -> xs.[i, d] ]
let private start () = new BernoulliMixture(vec [ 0.3; 0.7 ], t64 [ 2L; 3L ] [ 0.2; 0.6; 0.9; 0.7; 0.1; 0.4 ])

/// log P(X) = sum_i log sum_k pi_k prod_d p^x (1-p)^(1-x), by loops over the model's parameters.
let private loopLogLik (m: BernoulliMixture) =
    let pi, p = vals m.Weights, vals m.Probs
    let d = int m.D
    Seq.sum (seq {
        for i in 0 .. 3 ->
            log (Seq.sum (seq {
                for k in 0 .. int m.K - 1 ->
                    let mutable v = pi.[k]
                    for j in 0 .. d - 1 do v <- v * (if xs.[i, j] = 1.0 then p.[k * d + j] else 1.0 - p.[k * d + j])
                    v })) })

let ``InitUnitLength: weights exactly 1/K and every row of p of unit Euclidean length`` () =
    use g = new Generator(2UL)
    use m = BernoulliMixture.InitUnitLength(3, 5, g)
    close 1e-15 [ 1.0 / 3.0; 1.0 / 3.0; 1.0 / 3.0 ] m.Weights
    let p = vals m.Probs
    for k in 0 .. 2 do closeScalar 1e-12 1.0 (sqrt (Seq.sum (seq { for d in 0 .. 4 -> p.[5 * k + d] ** 2.0 })))
    Assert.True(p |> Array.forall (fun v -> v > 0.0 && v < 1.0))

let ``InitDataMeans: with one-hot images and N = K x images, each p_k is (1 - s) times the mean of its own images plus s / 2, the images split between components`` () =
    // x = I_6: an image's pixels say which image it is, so (p_k - s/2) / (1 - s) * images is the indicator of the images
    // component k averaged; with N = K x images every image is used exactly once, whatever the permutation drawn.
    use x = Torch.Eye(6L, Nullable(), Nullable f64)
    use g = new Generator(3UL)
    let s = 0.2
    use m = BernoulliMixture.InitDataMeans(x, 2, 3, s, g)
    close 1e-15 [ 0.5; 0.5 ] m.Weights
    let p = vals m.Probs
    let ind = p |> Array.map (fun v -> (v - s / 2.0) / (1.0 - s) * 3.0)
    Assert.True(ind |> Array.forall (fun v -> abs v < 1e-12 || abs (v - 1.0) < 1e-12), sprintf "%A" ind)
    for k in 0 .. 1 do closeScalar 1e-12 3.0 (Array.sum ind.[6 * k .. 6 * k + 5])
    for d in 0 .. 5 do closeScalar 1e-12 1.0 (ind.[d] + ind.[6 + d])
    // the ends of the shrink range are allowed: s = 1 puts every p at 0.5, s = 0 leaves the plain means
    use half = BernoulliMixture.InitDataMeans(x, 2, 3, 1.0, g)
    close 0.0 (List.replicate 12 0.5) half.Probs
    use plain = BernoulliMixture.InitDataMeans(x, 3, 2, 0.0, g)
    Assert.True(vals plain.Probs |> Array.forall (fun v -> v = 0.0 || v = 0.5))

let ``InitDataMeans: data (N, D), 1 <= images with K x images <= N and a shrink in [0, 1] are required, each with its message`` () =
    use x = Torch.Eye(6L, Nullable(), Nullable f64)
    use g = new Generator(3UL)
    let init (x: Tensor) k images s = fun () -> box (BernoulliMixture.InitDataMeans(x, k, images, s, g))
    throws<ArgumentException> "InitDataMeans: data must be (N, D), got [6]" (init (x.Reshape(-1L).Narrow(0L, 0L, 6L)) 2 3 0.5)
    throws<ArgumentException> "InitDataMeans: data must be (N, D), got [6, 3, 2]" (init (x.Reshape(6L, 3L, 2L)) 2 3 0.5)
    throws<ArgumentException> "InitDataMeans: 2 components x 4 images need that many rows, the data has 6; lower InitImages" (init x 2 4 0.5)
    throws<ArgumentException> "InitDataMeans: 2 components x 0 images need that many rows" (init x 2 0 0.5)
    for s in [ -0.1; 1.5; nan ] do
        throws<ArgumentException> (sprintf "InitDataMeans: shrink must be in [0, 1], got %s" (s.ToString())) (init x 2 3 s)
    // one image per component is allowed
    use one = BernoulliMixture.InitDataMeans(x, 6, 1, 0.0, g)
    Assert.Equal(6L, one.K)

let ``Fit's starts are InitUnitLength and InitDataMeans with the generator seeded by Seed; Iterations = 0 returns the start and log P(X) at it`` () =
    use x = data ()
    for init in [ BmmInit.UnitLength; BmmInit.DataMeans ] do
        let r = BernoulliMixture.Fit(x, BmmFitOptions(K = 2, Iterations = 0, Init = init, InitImages = 2, InitShrink = 0.3, Seed = 7UL, Dtype = f64))
        use m = r.Model
        use g = new Generator(7UL)
        use expected = if init = BmmInit.UnitLength then BernoulliMixture.InitUnitLength(2, 3, g) else BernoulliMixture.InitDataMeans(x, 2, 2, 0.3, g)
        close 0.0 (vals expected.Probs) m.Probs
        close 0.0 (vals expected.Weights) m.Weights
        Assert.Equal(1, r.Curve.Count)
        Assert.Equal(0, r.Iterations)
        Assert.False(r.Converged)
        closeScalar 1e-12 (loopLogLik expected) r.Curve.[0].LogLikelihood
        closeScalar 1e-12 (loopLogLik expected / 4.0) r.Curve.[0].MeanLogLikelihood

let ``Fit: Tol stops EM at the first iteration whose per-image change is strictly below it, and onIteration sees the curve`` () =
    use x = data ()
    use m0 = start ()
    let fit tol = BernoulliMixture.Fit(x, BmmFitOptions(K = 2, Iterations = 4, Tol = tol, Dtype = f64, InitialModel = m0))
    let free = fit 0.0
    free.Model.Dispose()
    Assert.Equal<int list>([ 0; 1; 2; 3; 4 ], [ for s in free.Curve -> s.Iteration ])
    Assert.False(free.Converged)
    Assert.Equal(4, free.Iterations)
    let change = abs (free.Curve.[1].MeanLogLikelihood - free.Curve.[0].MeanLogLikelihood)
    // the rule is on the change, not the sum (|l_1 + l_0| is about 4 nats per image here)
    Assert.True(change > 1e-6 && change < 0.5 * abs (free.Curve.[1].MeanLogLikelihood + free.Curve.[0].MeanLogLikelihood))
    let stopped = fit (change * 1.01)
    use sm = stopped.Model
    Assert.True(stopped.Converged)
    Assert.Equal(1, stopped.Iterations)
    Assert.Equal(2, stopped.Curve.Count)
    // the model returned is the one point 1 was evaluated at
    closeScalar 1e-12 stopped.Curve.[1].LogLikelihood (loopLogLik sm)
    for tol in [ change; change * 0.99 ] do
        let goes = fit tol
        goes.Model.Dispose()
        Assert.True(goes.Curve.Count > 2, sprintf "Tol %g stopped at %d" tol goes.Curve.Count)
    let seen = Collections.Generic.List<BmmStep>()
    let r = BernoulliMixture.Fit(x, BmmFitOptions(K = 2, Iterations = 2, Dtype = f64, InitialModel = m0), (fun s -> seen.Add s))
    use _ = r.Model
    Assert.Equal<BmmStep seq>(r.Curve, seen)
    Assert.Equal(3, seen.Count)

let ``Fit: float32 data under Dtype = Float64 gives float64's curve; float64 data under Float32 follows it to float32 rounding`` () =
    // 0/1 data are exact in float32, so converting them to float64 first must give the float64 run bit for bit (1e-12);
    // float32 matmuls over 3 pixels of logs of size <= 3 err by ~1e-6 per image.
    use x = data ()
    use x32 = x.Float()
    use m0 = start ()
    let run (x: Tensor) dt = BernoulliMixture.Fit(x, BmmFitOptions(K = 2, Iterations = 3, Dtype = dt, InitialModel = m0))
    let a, b, c = run x f64, run x32 f64, run x ScalarType.Float32
    for r in [ a; b; c ] do r.Model.Dispose()
    for i in 0 .. 3 do
        closeScalar 1e-12 a.Curve.[i].LogLikelihood b.Curve.[i].LogLikelihood
        closeScalar 1e-5 a.Curve.[i].LogLikelihood c.Curve.[i].LogLikelihood

let ``Fit on a data set flattens its examples to rows and equals Fit on the tensor`` () =
    use x = data ()
    use images = x.Reshape(4L, 1L, 3L)                       // (N, 1, 3) "images"
    let ds = TensorDataset(images)
    use m0 = start ()
    let o = BmmFitOptions(K = 2, Iterations = 2, Dtype = f64, InitialModel = m0)
    let a = BernoulliMixture.Fit(ds, o)
    let b = BernoulliMixture.Fit(x, o)
    use _ = a.Model
    use _ = b.Model
    for i in 0 .. 2 do closeScalar 1e-12 b.Curve.[i].LogLikelihood a.Curve.[i].LogLikelihood
    close 1e-12 (vals b.Model.Probs) a.Model.Probs

let ``the pre-options Fit: a given start is used and left to the caller; without one it starts from InitUnitLength with the generator`` () =
    use x = data ()
    use m0 = start ()
    let struct (model, lls) = BernoulliMixture.Fit(x, 2, 1, null, 0.1, 0.2, m0)
    use _ = model
    Assert.Equal(2, lls.Count)
    closeScalar 1e-12 (loopLogLik m0) lls.[0]
    closeScalar 1e-12 (loopLogLik model) lls.[1]
    close 0.0 [ 0.3; 0.7 ] m0.Weights                        // the caller's start is still alive and unchanged
    use g1 = new Generator(11UL)
    let struct (fresh, lls2) = BernoulliMixture.Fit(x, 2, 0, g1)
    use _ = fresh
    use g2 = new Generator(11UL)
    use expected = BernoulliMixture.InitUnitLength(2, 3, g2)
    close 0.0 (vals expected.Probs) fresh.Probs
    closeScalar 1e-12 (loopLogLik expected) lls2.[0]

let ``the pre-options Fit checks its arguments as the options form does, naming the option`` () =
    use x = data ()
    throws<ArgumentException> "BmmFitOptions.K: the number of components must be at least 1 (got 0)" (fun () -> box (BernoulliMixture.Fit(x, 0, 1)))
    throws<ArgumentException> "BmmFitOptions.Iterations: must be >= 0 (got -1)" (fun () -> box (BernoulliMixture.Fit(x, 2, -1)))
    throws<ArgumentException> "BmmFitOptions.Alpha1: the smoothing parameters must be >= 0 (got -1, 1E-08)" (fun () -> box (BernoulliMixture.Fit(x, 2, 1, null, -1.0)))

let ``Fit on a single image: one EM step gives p = (x + a1) / (1 + a1 D) and weight 1 (K = 1)`` () =
    // N = 1 is the smallest data set Fit accepts; with K = 1 every responsibility is 1, so N_1 = 1 and sum_i x_i = x
    use x1 = t64 [ 1L; 3L ] [ 1.0; 0.0; 1.0 ]
    let r = BernoulliMixture.Fit(x1, BmmFitOptions(K = 1, Iterations = 1, Alpha1 = 0.1, Alpha2 = 0.2, Dtype = f64))
    use m = r.Model
    let p = [ 1.1 / 1.3; 0.1 / 1.3; 1.1 / 1.3 ]
    close 1e-12 p m.Probs
    close 1e-12 [ 1.0 ] m.Weights
    closeScalar 1e-12 (log p.[0] + log (1.0 - p.[1]) + log p.[2]) r.Curve.[1].LogLikelihood

let ``BmmFitOptions: bad options, data and a mismatched initial model are refused with messages naming them; the edges are allowed`` () =
    use x = data ()
    let fit (x: Tensor) o = fun () -> box (BernoulliMixture.Fit(x, o))
    throws<ArgumentException> "BmmFitOptions.K: the number of components must be at least 1 (got 0)" (fit x (BmmFitOptions(K = 0)))
    throws<ArgumentException> "BmmFitOptions.Iterations: must be >= 0 (got -1)" (fit x (BmmFitOptions(K = 2, Iterations = -1)))
    for tol in [ -1.0; nan ] do
        throws<ArgumentException> "BmmFitOptions.Tol: must be >= 0; 0 runs every iteration (got" (fit x (BmmFitOptions(K = 2, Tol = tol)))
    throws<ArgumentException> "BmmFitOptions.Alpha1: the smoothing parameters must be >= 0 (got -1, 1E-08)" (fit x (BmmFitOptions(K = 2, Alpha1 = -1.0)))
    throws<ArgumentException> "BmmFitOptions.Alpha1: the smoothing parameters must be >= 0 (got 1E-08, -1)" (fit x (BmmFitOptions(K = 2, Alpha2 = -1.0)))
    throws<ArgumentException> "BmmFitOptions.Dtype: must be Float32 or Float64 (got Int64)" (fit x (BmmFitOptions(K = 2, Dtype = ScalarType.Int64)))
    throws<ArgumentException> "BernoulliMixture.Fit: data must be a non-empty (N, D) matrix of 0/1 values, got [12]; flatten images first" (fit (x.Reshape(-1L)) (BmmFitOptions(K = 2)))
    throws<ArgumentException> "got [0, 3]" (fit (x.Narrow(0L, 0L, 0L)) (BmmFitOptions(K = 2)))
    Assert.Throws<ArgumentNullException>(fun () -> BernoulliMixture.Fit(Unchecked.defaultof<Tensor>, BmmFitOptions()) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> BernoulliMixture.Fit(x, Unchecked.defaultof<BmmFitOptions>) |> ignore) |> ignore
    use m0 = start ()
    throws<ArgumentException> "BmmFitOptions.InitialModel: K = 2, D = 3, but the fit needs K = 3, D = 3" (fit x (BmmFitOptions(K = 3, InitialModel = m0)))
    use x4 = Torch.Zeros([| 4L; 4L |], f64)
    throws<ArgumentException> "BmmFitOptions.InitialModel: K = 2, D = 3, but the fit needs K = 2, D = 4" (fit x4 (BmmFitOptions(K = 2, InitialModel = m0)))
    // allowed: K = 1, Iterations = 0, no smoothing (alpha = 0) on a pixel that is 0 in every image, float32 and float64
    for o in [ BmmFitOptions(K = 1, Iterations = 2, Alpha1 = 0.0, Alpha2 = 0.0, Dtype = f64)
               BmmFitOptions(K = 1, Iterations = 0, Dtype = ScalarType.Float32) ] do
        use x0 = t64 [ 3L; 2L ] [ 1.0; 0.0; 0.0; 0.0; 1.0; 0.0 ]
        let r = BernoulliMixture.Fit(x0, o)
        use m = r.Model
        Assert.True(Double.IsFinite r.Curve.[r.Curve.Count - 1].LogLikelihood)
    // K = 1, no smoothing, one EM step: p = the pixel means (2/3, 0), log P(X) = 3 log(2/3 ... ) by hand
    use x0 = t64 [ 3L; 2L ] [ 1.0; 0.0; 0.0; 0.0; 1.0; 0.0 ]
    let r = BernoulliMixture.Fit(x0, BmmFitOptions(K = 1, Iterations = 1, Alpha1 = 0.0, Alpha2 = 0.0, Dtype = f64))
    use m = r.Model
    close 1e-12 [ 2.0 / 3.0; 0.0 ] m.Probs
    closeScalar 1e-12 (2.0 * log (2.0 / 3.0) + log (1.0 / 3.0)) r.Curve.[1].LogLikelihood

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BernoulliMixtureFitMutantTests" [
        Expecto.Tests.testCase "InitUnitLength: weights exactly 1/K and every row of p of unit Euclidean length" ``InitUnitLength: weights exactly 1/K and every row of p of unit Euclidean length``
        Expecto.Tests.testCase "InitDataMeans: with one-hot images and N = K x images, each p_k is (1 - s) times the mean of its own images plus s / 2, the images split between components" ``InitDataMeans: with one-hot images and N = K x images, each p_k is (1 - s) times the mean of its own images plus s / 2, the images split between components``
        Expecto.Tests.testCase "InitDataMeans: data (N, D), 1 <= images with K x images <= N and a shrink in [0, 1] are required, each with its message" ``InitDataMeans: data (N, D), 1 <= images with K x images <= N and a shrink in [0, 1] are required, each with its message``
        Expecto.Tests.testCase "Fit's starts are InitUnitLength and InitDataMeans with the generator seeded by Seed; Iterations = 0 returns the start and log P(X) at it" ``Fit's starts are InitUnitLength and InitDataMeans with the generator seeded by Seed; Iterations = 0 returns the start and log P(X) at it``
        Expecto.Tests.testCase "Fit: Tol stops EM at the first iteration whose per-image change is strictly below it, and onIteration sees the curve" ``Fit: Tol stops EM at the first iteration whose per-image change is strictly below it, and onIteration sees the curve``
        Expecto.Tests.testCase "Fit: float32 data under Dtype = Float64 gives float64's curve; float64 data under Float32 follows it to float32 rounding" ``Fit: float32 data under Dtype = Float64 gives float64's curve; float64 data under Float32 follows it to float32 rounding``
        Expecto.Tests.testCase "Fit on a data set flattens its examples to rows and equals Fit on the tensor" ``Fit on a data set flattens its examples to rows and equals Fit on the tensor``
        Expecto.Tests.testCase "the pre-options Fit: a given start is used and left to the caller; without one it starts from InitUnitLength with the generator" ``the pre-options Fit: a given start is used and left to the caller; without one it starts from InitUnitLength with the generator``
        Expecto.Tests.testCase "the pre-options Fit checks its arguments as the options form does, naming the option" ``the pre-options Fit checks its arguments as the options form does, naming the option``
        Expecto.Tests.testCase "Fit on a single image: one EM step gives p = (x + a1) / (1 + a1 D) and weight 1 (K = 1)" ``Fit on a single image: one EM step gives p = (x + a1) / (1 + a1 D) and weight 1 (K = 1)``
        Expecto.Tests.testCase "BmmFitOptions: bad options, data and a mismatched initial model are refused with messages naming them; the edges are allowed" ``BmmFitOptions: bad options, data and a mismatched initial model are refused with messages naming them; the edges are allowed``
    ]
