/// KdeMutantTests.fs: the KDE's edges that mutation testing checks — argument checks and their messages, the block-size rule, the log grid, ties in the bandwidth search.
module GenDsl.Tests.Core.KdeMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

let ``KDE refuses data not (N, D) with N, D >= 1, a bandwidth that is not finite and positive, non-finite data and queries of the wrong width`` () =
    throws<ArgumentException> "data must be (N, D) with N, D >= 1; got shape [3]" (fun () -> box (new KernelDensity(vec [ 1.0; 2.0; 3.0 ], 1.0)))
    throws<ArgumentException> "got shape [0, 2]" (fun () -> box (new KernelDensity(Torch.Zeros([| 0L; 2L |], f64), 1.0)))
    throws<ArgumentException> "got shape [2, 0]" (fun () -> box (new KernelDensity(Torch.Zeros([| 2L; 0L |], f64), 1.0)))
    use one = t64 [ 1L; 1L ] [ 0.0 ]
    use k1 = new KernelDensity(one, 1.0)                                      // N = D = 1 is allowed
    closeScalar 1e-15 (-0.5 * log (2.0 * Math.PI)) (k1.LogProb(t64 [ 1L; 1L ] [ 0.0 ]).ToDouble())
    for h in [ 0.0; -1.0; Double.PositiveInfinity; Double.NaN ] do
        throws<ArgumentException> "the bandwidth must be finite and > 0" (fun () -> box (new KernelDensity(one, h)))
    throws<ArgumentException> "data contains NaN or infinite values" (fun () -> box (new KernelDensity(t64 [ 2L; 1L ] [ 0.0; Double.NaN ], 1.0)))
    use data = t64 [ 3L; 2L ] [ 0.0; 0.0; 1.0; 0.0; 0.0; 1.0 ]
    use kde = new KernelDensity(data, 0.5)
    throws<ArgumentException> "queries must be (Q, 2) for this 2-dimensional estimator; got shape [1, 3]" (fun () -> box (kde.LogProb(Torch.Zeros([| 1L; 3L |], f64))))
    throws<ArgumentException> "got shape [2]" (fun () -> box (kde.LogProb(vec [ 0.0; 0.0 ])))
    throws<ArgumentException> "block sizes must be >= 1; got queryBlock = 0, pointBlock = 5" (fun () -> box (kde.LogProb(Torch.Zeros([| 1L; 2L |], f64), 0L, 5L)))
    throws<ArgumentException> "pointBlock = 0" (fun () -> box (kde.LogProb(Torch.Zeros([| 1L; 2L |], f64), 5L, 0L)))
    throws<ArgumentException> "n must be >= 0; got -1" (fun () -> box (kde.Sample(-1L)))
    Assert.Equal<int64 list>([ 0L; 2L ], shape (kde.Sample(0L)))

let ``KDE block sizes: all N points with up to cells / N queries when N <= cells / 64, else cells / 64 points`` () =
    use g = new Generator(3UL)
    use data = Torch.Randn([| 301L; 2L |], g, f64)
    // the default 16 MiB over 3 float64 buffers: cells = 2^24 / 24 = 699050; N = 301 fits whole, Bq = min(Q, 699050 / 301)
    use kde = new KernelDensity(data, 0.3)
    Assert.Equal(struct (97L, 301L), kde.BlockSizes(97L))
    Assert.Equal(struct (699050L / 301L, 301L), kde.BlockSizes(100000L))
    Assert.Equal(struct (1L, 301L), kde.BlockSizes(0L))
    // 500 cells: Bn = 500 / 64 = 7 points, Bq = 500 / 7 = 71 queries
    use small = new KernelDensity(data, 0.3, MemoryBudgetBytes = 24L * 500L)
    Assert.Equal(struct (71L, 7L), small.BlockSizes(97L))
    // a budget below one cell still gives 1 x 1 blocks
    use tiny = new KernelDensity(data, 0.3, MemoryBudgetBytes = 1L)
    Assert.Equal(struct (1L, 1L), tiny.BlockSizes(97L))

let ``KDE log grid: n values from lo to hi with constant ratio (hi / lo)^(1 / (n - 1)); bad ranges and n < 2 are refused`` () =
    let grid = KernelDensity.LogGrid(0.1, 10.0, 5)
    Assert.Equal(5, grid.Length)
    Array.iteri2 (fun i e a -> closeScalar (1e-14 * e) e a) [| 0.1; 0.1 * sqrt 10.0; 1.0; sqrt 10.0; 10.0 |] grid
    Assert.Equal(2, KernelDensity.LogGrid(1.0, 2.0, 2).Length)
    throws<ArgumentException> "need 0 < lo < hi < inf; got [0, 1]" (fun () -> box (KernelDensity.LogGrid(0.0, 1.0, 5)))
    throws<ArgumentException> "got [2, 1]" (fun () -> box (KernelDensity.LogGrid(2.0, 1.0, 5)))
    throws<ArgumentException> "got [1, 1]" (fun () -> box (KernelDensity.LogGrid(1.0, 1.0, 5)))
    throws<ArgumentException> "need 0 < lo < hi < inf" (fun () -> box (KernelDensity.LogGrid(1.0, Double.PositiveInfinity, 5)))
    throws<ArgumentException> "need at least 2 values; got 1" (fun () -> box (KernelDensity.LogGrid(1.0, 2.0, 1)))

let ``KDE bandwidth rules need n >= 1 and D >= 1, the data scale N >= 2; the search needs a grid and keeps the first of equal scores`` () =
    throws<ArgumentException> "bandwidth rules need n >= 1 points and D >= 1; got n = 0, D = 1" (fun () -> box (KernelDensity.ScottFactor(0L, 1)))
    throws<ArgumentException> "got n = 5, D = 0" (fun () -> box (KernelDensity.SilvermanFactor(5L, 0)))
    closeScalar 0.0 1.0 (KernelDensity.ScottFactor(1L, 1))
    throws<ArgumentException> "data must be (N, D) with N >= 2; got shape [1, 2]" (fun () -> box (KernelDensity.DataScale(Torch.Zeros([| 1L; 2L |], f64))))
    throws<ArgumentException> "got shape [4]" (fun () -> box (KernelDensity.DataScale(Torch.Zeros([| 4L |], f64))))
    closeScalar 1e-15 (sqrt 2.0) (KernelDensity.DataScale(t64 [ 2L; 1L ] [ 0.0; 2.0 ]))   // N = 2 is enough: s^2 = 2
    let nul = Unchecked.defaultof<Tensor>
    Assert.Throws<ArgumentNullException>(fun () -> new KernelDensity(nul, 1.0) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> KernelDensity.DataScale(nul) |> ignore) |> ignore
    use kd = new KernelDensity(t64 [ 2L; 1L ] [ 0.0; 2.0 ], 1.0)
    Assert.Throws<ArgumentNullException>(fun () -> kd.LogProb(nul) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> KernelDensity.SelectBandwidth(t64 [ 2L; 1L ] [ 0.0; 2.0 ], t64 [ 1L; 1L ] [ 0.0 ], null) |> ignore) |> ignore
    use train = t64 [ 2L; 1L ] [ -1.0; 1.0 ]
    use valid = t64 [ 1L; 1L ] [ 0.0 ]
    throws<ArgumentException> "the grid is empty" (fun () -> box (KernelDensity.SelectBandwidth(train, valid, [||])))
    // two equal bandwidths: equal scores, the first is kept; a worse third does not win
    let r = KernelDensity.SelectBandwidth(train, valid, [| 1.0; 1.0; 0.01 |])
    Assert.Equal(0, r.BestIndex)
    closeScalar 0.0 1.0 r.Best
    // the score of h at 0 with points -1, 1: log N(0; 1, h^2), independent of the sign
    closeScalar 1e-14 (-0.5 - 0.5 * log (2.0 * Math.PI)) r.ValidationLogLikelihood.[0]
    // h = 1.5 scores better than h = 1 and 0.5 at 0: the maximiser of -1/(2h^2) - log h is h = 1, so the better of
    // 0.5 (-2 + 0.69) and 1.5 (-0.22 - 0.41) is 1.5, and it must win from the middle of the grid
    let r2 = KernelDensity.SelectBandwidth(train, valid, [| 0.5; 1.5; 0.3 |])
    Assert.Equal(1, r2.BestIndex)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.KdeMutantTests" [
        Expecto.Tests.testCase "KDE refuses data not (N, D) with N, D >= 1, a bandwidth that is not finite and positive, non-finite data and queries of the wrong width" ``KDE refuses data not (N, D) with N, D >= 1, a bandwidth that is not finite and positive, non-finite data and queries of the wrong width``
        Expecto.Tests.testCase "KDE block sizes: all N points with up to cells / N queries when N <= cells / 64, else cells / 64 points" ``KDE block sizes: all N points with up to cells / N queries when N <= cells / 64, else cells / 64 points``
        Expecto.Tests.testCase "KDE log grid: n values from lo to hi with constant ratio (hi / lo)^(1 / (n - 1)); bad ranges and n < 2 are refused" ``KDE log grid: n values from lo to hi with constant ratio (hi / lo)^(1 / (n - 1)); bad ranges and n < 2 are refused``
        Expecto.Tests.testCase "KDE bandwidth rules need n >= 1 and D >= 1, the data scale N >= 2; the search needs a grid and keeps the first of equal scores" ``KDE bandwidth rules need n >= 1 and D >= 1, the data scale N >= 2; the search needs a grid and keeps the first of equal scores``
    ]
