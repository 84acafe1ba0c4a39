/// DiscreteFlowMutantTests.fs: the discrete flow (ECE 8803 P7 bonus) where mutation testing looks — P(x) by hand through one coupling, the smoothed base counts, the sampler's law, the argument checks and their messages.
module GenDsl.Tests.Core.DiscreteFlowMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private ints (shape: int64 list) (xs: int64 list) = Torch.Tensor<int64>(List.toArray xs, List.toArray shape)

let ``DiscreteFlow: with no coupling and smoothing a, the base is (count + a) / (N + K a) per coordinate, and P(x) multiplies the two marginals`` () =
    let flow = DiscreteFlow(3, 2, [])
    // column 0: values 0, 0, 2, 1 -> counts (2, 1, 1); column 1: 1, 1, 1, 0 -> counts (1, 3, 0)
    use x = ints [ 4L; 2L ] [ 0L; 1L; 0L; 1L; 2L; 1L; 1L; 0L ]
    let curve = flow.Fit(x, 0, 0.5)
    let p0 = [ 2.5 / 5.5; 1.5 / 5.5; 1.5 / 5.5 ]
    let p1 = [ 1.5 / 5.5; 3.5 / 5.5; 0.5 / 5.5 ]
    close 1e-14 (List.map log (p0 @ p1)) flow.BaseLogProbs
    // log P(2, 2) = log p0[2] + log p1[2]; the curve holds the mean training log-likelihood
    close 1e-14 [ log (p0.[2] * p1.[2]) ] (flow.LogProb(ints [ 1L; 2L ] [ 2L; 2L ]))
    let mean = [ (0, 1); (0, 1); (2, 1); (1, 0) ] |> List.averageBy (fun (a, b) -> log (p0.[a] * p1.[b]))
    Assert.Equal(1, curve.Count)
    closeScalar 1e-14 mean curve.[0]

let ``DiscreteFlow: through one coupling y1 = (x1 + Shift[x0]) mod K, P(x) = Base[0, x0] Base[1, y1] and the inverse subtracts the shift`` () =
    let flow = DiscreteFlow(4, 2, [ (0, 1) ])
    let shift = [| 1L; 3L; 0L; 2L |]
    Array.blit shift 0 flow.Layers.[0].Shift 0 4
    use x = ints [ 3L; 2L ] [ 0L; 0L; 1L; 2L; 3L; 3L ]
    // by hand: (0, 0 + 1) = (0, 1); (1, 2 + 3 = 5 mod 4 = 1); (3, 3 + 2 = 5 mod 4 = 1)
    use y = flow.Forward(x)
    Assert.Equal<int64[]>([| 0L; 1L; 1L; 1L; 3L; 1L |], y.ToArray<int64>())
    Assert.True(x.Equal(flow.Inverse(y)), "Inverse(Forward(x)) = x")
    // a base that is not uniform, so the coordinates read are visible: Base[0] = (.1, .2, .3, .4), Base[1] = (.4, .3, .2, .1)
    let b = [ 0.1; 0.2; 0.3; 0.4; 0.4; 0.3; 0.2; 0.1 ]
    flow.BaseLogProbs.Copy_(t64 [ 2L; 4L ] (List.map log b)) |> ignore
    close 1e-14 [ log (0.1 * 0.3); log (0.2 * 0.3); log (0.4 * 0.3) ] (flow.LogProb(x))
    closeScalar 1e-14 ((log 0.03 + log 0.06 + log 0.12) / 3.0) (flow.MeanLogLikelihood(x))

let ``DiscreteFlow: Sample draws x with frequencies P(x) (5000 draws, 4.5 binomial standard errors per cell)`` () =
    let flow = DiscreteFlow(3, 2, [ (0, 1) ])
    Array.blit [| 2L; 0L; 1L |] 0 flow.Layers.[0].Shift 0 3
    let b = [ 0.5; 0.3; 0.2; 0.6; 0.3; 0.1 ]
    flow.BaseLogProbs.Copy_(t64 [ 2L; 3L ] (List.map log b)) |> ignore
    use g = new Generator(7UL)
    let n = 5000
    use s = flow.Sample(int64 n, g)
    Assert.Equal<int64 list>([ int64 n; 2L ], shape s)
    let xs = s.ToArray<int64>()
    for a in 0L .. 2L do
        for c in 0L .. 2L do
            // P(a, c) = Base[0, a] Base[1, (c + Shift[a]) mod 3], by hand
            let shiftA = [| 2L; 0L; 1L |].[int a]
            let p = b.[int a] * b.[3 + int ((c + shiftA) % 3L)]
            let count = Seq.chunkBySize 2 xs |> Seq.filter (fun r -> r.[0] = a && r.[1] = c) |> Seq.length
            let se = sqrt (p * (1.0 - p) / float n)
            if abs (float count / float n - p) > 4.5 * se then failwithf "cell (%d, %d): frequency %g, P = %g" a c (float count / float n) p

let ``DiscreteFlow and its layers refuse equal coordinates, K < 2, D < 2, couplings outside 0..D-1, and data of the wrong dtype, shape or range`` () =
    throws<ArgumentException> "the conditioning and target coordinates must differ" (fun () -> box (ModularCouplingLayer(1, 1, 3)))
    throws<ArgumentOutOfRangeException> "need K >= 2 categories" (fun () -> box (ModularCouplingLayer(0, 1, 1)))
    Assert.Equal(2, ModularCouplingLayer(0, 1, 2).K)                                    // K = 2 is allowed
    throws<ArgumentOutOfRangeException> "a coupling flow needs D >= 2 coordinates" (fun () -> box (DiscreteFlow(3, 1, [])))
    for c, t in [ (-1, 0); (2, 0); (0, -1); (0, 2) ] do
        throws<ArgumentOutOfRangeException> (sprintf "coupling (%d -> %d) names a coordinate outside 0..1" c t) (fun () -> box (DiscreteFlow(3, 2, [ (c, t) ])))
    let flow = DiscreteFlow(3, 2, [ (1, 0) ])                                          // (1 -> 0) with D = 2 is inside
    throws<ArgumentException> "data must be int64 (N, 2), got Float64 [1, 2]" (fun () -> box (flow.Forward(Torch.Zeros([| 1L; 2L |], ScalarType.Float64))))
    throws<ArgumentException> "got Int64 [1, 3]" (fun () -> box (flow.Inverse(ints [ 1L; 3L ] [ 0L; 0L; 0L ])))
    throws<ArgumentException> "got Int64 [2]" (fun () -> box (flow.LogProb(ints [ 2L ] [ 0L; 0L ])))
    for bad in [ -1L; 3L ] do
        throws<ArgumentException> "values must lie in 0..2" (fun () -> box (flow.Fit(ints [ 1L; 2L ] [ 0L; bad ])))
    Assert.Equal(2L, flow.Forward(ints [ 1L; 2L ] [ 2L; 0L ]).Size(1))                     // 0 and K - 1 are in range

let ``DiscreteFlow: a new flow is uniform (log P = -D log K); after Fit the base is the empirical marginals of f(x) and the curve has sweeps + 1 entries ending at the final likelihood`` () =
    let flow = DiscreteFlow(3, 2, [ (0, 1) ])
    close 1e-15 [ -2.0 * log 3.0 ] (flow.LogProb(ints [ 1L; 2L ] [ 1L; 2L ]))
    use g = new Generator(8UL)
    use x1 = Torch.RandInt(0L, 3L, [| 300L; 1L |], g)
    use x = Torch.Cat([| x1; (x1 + 1L).Remainder(3L) |], 1L)          // x2 = x1 + 1 mod 3: one shift table makes it constant
    let curve = flow.Fit(x, 2)
    Assert.Equal(3, curve.Count)
    closeScalar 1e-12 (flow.MeanLogLikelihood(x)) curve.[2]
    // the MLE base given f: per coordinate, the frequencies of f(x), counted here
    let y = flow.Forward(x).ToArray<int64>()
    let freq dim v = float (y |> Array.indexed |> Array.filter (fun (i, a) -> i % 2 = dim && a = v) |> Array.length) / 300.0
    let expected = [ for dim in 0 .. 1 do for v in 0L .. 2L -> let f = freq dim v in if f = 0.0 then -infinity else log f ]
    let actual = vals flow.BaseLogProbs
    List.iteri (fun i e -> if not (e = actual.[i] || abs (e - actual.[i]) < 1e-12) then failwithf "base[%d]: %g vs %g" i actual.[i] e) expected

let ``DiscreteFlow.Fit refits the base to the shift it keeps, also when a later candidate shift was tried last`` () =
    // x2 = 0 everywhere: zero shifts already make f(x)_2 constant, so every shift table entry keeps 0 (ties go to the first
    // candidate); the last candidate tried for x1 = 2 is shift 2, which moves those rows' f(x)_2 to 2. The base must be
    // the marginals of f(x) at the kept shifts: coordinate 1 = (2, 3, 2) / 7, coordinate 2 all at 0.
    let flow = DiscreteFlow(3, 2, [ (0, 1) ])
    use x = ints [ 7L; 2L ] [ 0L; 0L; 1L; 0L; 2L; 0L; 1L; 0L; 0L; 0L; 2L; 0L; 1L; 0L ]
    flow.Fit(x, 1) |> ignore
    Assert.Equal<int64[]>(Array.zeroCreate 7, flow.Forward(x).Select(1L, 1L).Contiguous().ToArray<int64>())
    let expected = [| log (2.0 / 7.0); log (3.0 / 7.0); log (2.0 / 7.0); 0.0; -infinity; -infinity |]
    let actual = vals flow.BaseLogProbs
    Assert.Equal(6, actual.Length)
    Array.iteri2 (fun i e a -> if not (e = a || abs (e - a) < 1e-12) then failwithf "base[%d]: %g vs %g" i a e) expected actual

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.DiscreteFlowMutantTests" [
        Expecto.Tests.testCase "DiscreteFlow: with no coupling and smoothing a, the base is (count + a) / (N + K a) per coordinate, and P(x) multiplies the two marginals" ``DiscreteFlow: with no coupling and smoothing a, the base is (count + a) / (N + K a) per coordinate, and P(x) multiplies the two marginals``
        Expecto.Tests.testCase "DiscreteFlow: through one coupling y1 = (x1 + Shift[x0]) mod K, P(x) = Base[0, x0] Base[1, y1] and the inverse subtracts the shift" ``DiscreteFlow: through one coupling y1 = (x1 + Shift[x0]) mod K, P(x) = Base[0, x0] Base[1, y1] and the inverse subtracts the shift``
        Expecto.Tests.testCase "DiscreteFlow: Sample draws x with frequencies P(x) (5000 draws, 4.5 binomial standard errors per cell)" ``DiscreteFlow: Sample draws x with frequencies P(x) (5000 draws, 4.5 binomial standard errors per cell)``
        Expecto.Tests.testCase "DiscreteFlow and its layers refuse equal coordinates, K < 2, D < 2, couplings outside 0..D-1, and data of the wrong dtype, shape or range" ``DiscreteFlow and its layers refuse equal coordinates, K < 2, D < 2, couplings outside 0..D-1, and data of the wrong dtype, shape or range``
        Expecto.Tests.testCase "DiscreteFlow: a new flow is uniform (log P = -D log K); after Fit the base is the empirical marginals of f(x) and the curve has sweeps + 1 entries ending at the final likelihood" ``DiscreteFlow: a new flow is uniform (log P = -D log K); after Fit the base is the empirical marginals of f(x) and the curve has sweeps + 1 entries ending at the final likelihood``
        Expecto.Tests.testCase "DiscreteFlow.Fit refits the base to the shift it keeps, also when a later candidate shift was tried last" ``DiscreteFlow.Fit refits the base to the shift it keeps, also when a later candidate shift was tried last``
    ]
