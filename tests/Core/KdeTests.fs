/// KdeTests.fs: the Gaussian KDE of DS-GA 1008 final 1.3 against double loops, its bandwidth rules and validation search, normalisation, blocking and sampling.
module GenDsl.Tests.Core.KdeTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Inference
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private rows (t: Tensor) = let a = vals t in let d = int (t.Size 1) in Array.init (a.Length / d) (fun i -> a.[i * d .. i * d + d - 1])

/// log p^(q) = log[(1/N) sum_i (2 pi h^2)^(-D/2) exp(-|q - x_i|^2 / (2 h^2))], written as loops over plain floats
/// (the sum shifted by its largest exponent, so a query far from every point still gets a finite value).
let private directLogDensity (points: float[][]) (h: float) (q: float[]) =
    let d = float q.Length
    let exps = points |> Array.map (fun x ->
        let mutable r2 = 0.0
        for j in 0 .. q.Length - 1 do r2 <- r2 + (q.[j] - x.[j]) ** 2.0
        -r2 / (2.0 * h * h))
    let top = Array.max exps
    let mutable s = 0.0
    for e in exps do s <- s + exp (e - top)
    top + log s - log (float points.Length) - d / 2.0 * log (2.0 * Math.PI * h * h)

let ``DS-GA 1008 1.3: KDE log-density equals a direct float64 double loop (D = 1, 2, 3, and a query far from every point)`` () =
    use g = new Generator(31UL)
    for d, h in [ 1L, 0.4; 2L, 0.7; 3L, 1.3 ] do
        use data = Torch.Randn([| 60L; d |], g, f64) * 2.0 + 5.0
        use queries = Torch.Randn([| 25L; d |], g, f64) * 3.0 + 5.0
        use kde = new KernelDensity(data, h)
        use lp = kde.LogProb(queries)
        let expected = rows queries |> Array.map (directLogDensity (rows data) h)
        // values are O(1-10) nats; float64 rounding of 60 terms stays below 1e-12
        close 1e-11 expected lp
    // a query 60 from the data with h = 0.4: every kernel underflows (exp(-60^2 / 0.32)); the log-density is still exact
    use data = Torch.Randn([| 30L; 2L |], g, f64)
    use far = t64 [ 2L; 2L ] [ 60.0; 0.0; 0.5; 0.5 ]
    use kde = new KernelDensity(data, 0.4)
    let expected = rows far |> Array.map (directLogDensity (rows data) 0.4)
    Assert.True(expected.[0] < -10000.0, sprintf "the far query's log-density %g should be hugely negative" expected.[0])
    // relative 1e-13 of ~1.1e4 nats
    close 2e-9 expected (kde.LogProb far)

let ``DS-GA 1008 1.3: blockwise log-densities equal the unblocked ones, and the blocks respect the memory budget`` () =
    use g = new Generator(32UL)
    use data = Torch.Randn([| 301L; 2L |], g, f64) * 4.0
    use queries = Torch.Randn([| 97L; 2L |], g, f64) * 4.0
    use kde = new KernelDensity(data, 0.3)
    use whole = kde.LogProb(queries, 97L, 301L)
    use blocked = kde.LogProb(queries, 7L, 13L)          // 14 query blocks x 24 point blocks, ragged ends
    close 1e-12 (vals whole) blocked
    use tiny = new KernelDensity(data, 0.3, MemoryBudgetBytes = 24L * 500L)
    let struct (bq, bn) = tiny.BlockSizes(97L)
    Assert.True(bq * bn * 24L <= 24L * 500L, sprintf "blocks %d x %d exceed a 500-cell budget" bq bn)
    Assert.True(bn < 301L, "a 500-cell budget must split the points")
    close 1e-12 (vals whole) (tiny.LogProb(queries))

let ``DS-GA 1008 1.3: Scott's and Silverman's bandwidths on known inputs equal their formulas`` () =
    // 1-D: x = 1..5, unbiased variance 2.5; Scott n^(-1/5), Silverman (n (1 + 2) / 4)^(-1/5) = (15/4)^(-1/5)
    use x1 = t64 [ 5L; 1L ] [ 1.0; 2.0; 3.0; 4.0; 5.0 ]
    closeScalar 1e-14 (5.0 ** -0.2 * sqrt 2.5) (KernelDensity.RuleOfThumb(x1, BandwidthRule.Scott))
    closeScalar 1e-14 (3.75 ** -0.2 * sqrt 2.5) (KernelDensity.RuleOfThumb(x1, BandwidthRule.Silverman))
    // 2-D: (0,0), (2,0), (0,4), (2,4): variances 4/3 and 16/3, mean 10/3; Scott 4^(-1/6), Silverman (4 * 4 / 4)^(-1/6)
    use x2 = t64 [ 4L; 2L ] [ 0.0; 0.0; 2.0; 0.0; 0.0; 4.0; 2.0; 4.0 ]
    closeScalar 1e-14 (sqrt (10.0 / 3.0)) (KernelDensity.DataScale x2)
    closeScalar 1e-14 (4.0 ** (-1.0 / 6.0) * sqrt (10.0 / 3.0)) (KernelDensity.RuleOfThumb(x2, BandwidthRule.Scott))
    closeScalar 1e-14 (4.0 ** (-1.0 / 6.0) * sqrt (10.0 / 3.0)) (KernelDensity.RuleOfThumb(x2, BandwidthRule.Silverman))
    // D = 3, n = 1000: the factors alone (scikit-learn's bandwidth='scott' / 'silverman')
    closeScalar 1e-15 (1000.0 ** (-1.0 / 7.0)) (KernelDensity.ScottFactor(1000L, 3))
    closeScalar 1e-15 ((1000.0 * 5.0 / 4.0) ** (-1.0 / 7.0)) (KernelDensity.SilvermanFactor(1000L, 3))

let ``DS-GA 1008 1.3: the bandwidth chosen on validation is the grid's argmax of independently computed validation log-likelihoods`` () =
    use ring = GaussianMixture.Ring(10, 10.0)
    use g = new Generator(33UL)
    let struct (train, _) = ring.Sample(150L, g)
    let struct (valid, _) = ring.Sample(80L, g)
    let grid = KernelDensity.LogGrid(0.05, 8.0, 15)
    let search = KernelDensity.SelectBandwidth(train, valid, grid)
    let tr, va = rows train, rows valid
    let expected = grid |> Array.map (fun h -> va |> Array.averageBy (directLogDensity tr h))
    Seq.iteri (fun i e -> closeScalar 1e-10 e search.ValidationLogLikelihood.[i]) expected
    let argmax = expected |> Array.mapi (fun i v -> i, v) |> Array.maxBy snd |> fst
    Assert.Equal(argmax, search.BestIndex)
    Assert.Equal(grid.[argmax], search.Best)
    // on unit-variance clusters the best bandwidth is interior: too small overfits, too large blurs the ring
    Assert.True(argmax > 0 && argmax < grid.Length - 1, sprintf "argmax %d at the grid's edge" argmax)

let ``DS-GA 1008 1.3: the KDE integrates to 1 in 1-D (Simpson) and 2-D (midpoint rule)`` () =
    use g = new Generator(34UL)
    use d1 = Torch.Randn([| 40L; 1L |], g, f64) * 2.0
    use kde1 = new KernelDensity(d1, 0.5)
    // data within |x| < 8, kernels of sd 0.5: the box [-14, 14] leaves < 1e-20 outside; Simpson error ~ (h/0.5)^4 tiny
    let i1 = Quadrature.IntegrateScalar((fun x -> kde1.LogProb(x.Unsqueeze(1L)).Exp()), -14.0, 14.0, 4001L)
    closeScalar 1e-9 1.0 i1
    use ring = GaussianMixture.Ring(10, 3.0)
    let struct (d2, _) = ring.Sample(60L, g)
    use kde2 = new KernelDensity(d2, 0.6)
    // midpoint rule with cells 0.05 (h / 12): relative error of order (cell / h)^2 / 24 ~ 3e-4 per kernel, smaller in sum
    use logI = Quadrature.LogIntegrate2d((fun x -> kde2.LogProb(x)), -12.0, 12.0, 480L)
    closeScalar 1e-5 0.0 (logI.ToDouble())

let ``DS-GA 1008 1.3: KDE samples have the data's mean and the data's covariance plus h^2 I (within 4 standard errors)`` () =
    use g = new Generator(35UL)
    use data = Torch.Randn([| 50L; 2L |], g, f64) * 3.0 + 1.0
    let h = 1.5
    use kde = new KernelDensity(data, h)
    let n = 40000L
    use s = kde.Sample(n, g)
    Assert.Equal<int64 list>([ n; 2L ], shape s)
    let mean = vals (data.Mean(0L))
    let var = vals (data.Var(0L, correction = 0L)) |> Array.map (fun v -> v + h * h)   // mixture variance per coordinate
    let sm = vals (s.Mean(0L))
    for j in 0 .. 1 do
        // SE of a sample mean: sqrt(var / n) ~ 0.017; 4 SE
        let se = sqrt (var.[j] / float n)
        if abs (sm.[j] - mean.[j]) > 4.0 * se then failwithf "coordinate %d: sample mean %g vs %g (4 SE = %g)" j sm.[j] mean.[j] (4.0 * se)
    let sv = vals (s.Var(0L, correction = 1L))
    for j in 0 .. 1 do
        // SE of a sample variance ~ var sqrt(2 / n) (near-Gaussian tails); 5 SE allows the mixture's extra kurtosis
        let se = var.[j] * sqrt (2.0 / float n)
        if abs (sv.[j] - var.[j]) > 5.0 * se then failwithf "coordinate %d: sample variance %g vs %g (5 SE = %g)" j sv.[j] var.[j] (5.0 * se)

let ``Native ops for the KDE: Exp_ is exp in place and Mm(b, out) writes a times b into the given tensor`` () =
    use a = t64 [ 2L; 3L ] [ 1.0; 2.0; 0.0; -1.0; 0.5; 3.0 ]
    use b = t64 [ 3L; 2L ] [ 1.0; 0.0; 0.0; 1.0; 2.0; -2.0 ]
    use out = Torch.Zeros([| 2L; 2L |], f64)
    let r = a.Mm(b, out)
    Assert.True(Object.ReferenceEquals(r, out), "Mm(b, out) returns out")
    // (1 2 0; -1 0.5 3) (1 0; 0 1; 2 -2) = (1 2; 5 -5.5), by hand
    close 0.0 [ 1.0; 2.0; 5.0; -5.5 ] out
    out.Exp_() |> ignore
    close 1e-12 ([ 1.0; 2.0; 5.0; -5.5 ] |> List.map exp) out   // exp(5) = 148.4: a few ulps are ~1e-14

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.KdeTests" [
        Expecto.Tests.testCase "DS-GA 1008 1.3: KDE log-density equals a direct float64 double loop (D = 1, 2, 3, and a query far from every point)" ``DS-GA 1008 1.3: KDE log-density equals a direct float64 double loop (D = 1, 2, 3, and a query far from every point)``
        Expecto.Tests.testCase "DS-GA 1008 1.3: blockwise log-densities equal the unblocked ones, and the blocks respect the memory budget" ``DS-GA 1008 1.3: blockwise log-densities equal the unblocked ones, and the blocks respect the memory budget``
        Expecto.Tests.testCase "DS-GA 1008 1.3: Scott's and Silverman's bandwidths on known inputs equal their formulas" ``DS-GA 1008 1.3: Scott's and Silverman's bandwidths on known inputs equal their formulas``
        Expecto.Tests.testCase "DS-GA 1008 1.3: the bandwidth chosen on validation is the grid's argmax of independently computed validation log-likelihoods" ``DS-GA 1008 1.3: the bandwidth chosen on validation is the grid's argmax of independently computed validation log-likelihoods``
        Expecto.Tests.testCase "DS-GA 1008 1.3: the KDE integrates to 1 in 1-D (Simpson) and 2-D (midpoint rule)" ``DS-GA 1008 1.3: the KDE integrates to 1 in 1-D (Simpson) and 2-D (midpoint rule)``
        Expecto.Tests.testCase "DS-GA 1008 1.3: KDE samples have the data's mean and the data's covariance plus h^2 I (within 4 standard errors)" ``DS-GA 1008 1.3: KDE samples have the data's mean and the data's covariance plus h^2 I (within 4 standard errors)``
        Expecto.Tests.testCase "Native ops for the KDE: Exp_ is exp in place and Mm(b, out) writes a times b into the given tensor" ``Native ops for the KDE: Exp_ is exp in place and Mm(b, out) writes a times b into the given tensor``
    ]
