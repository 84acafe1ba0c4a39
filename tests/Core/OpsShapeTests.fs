/// OpsShapeTests.fs: the shape and indexing ops of issue 14 (tensor_split, movedim, broadcasting, unflatten, roll, tile, take_along_dim, index_add/copy, scatter_reduce, where, meshgrid, tril/triu_indices) against arrangements worked by hand.
module GenDsl.Tests.Core.OpsShapeTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private longs (xs: int64 list) = Torch.Tensor<int64>(List.toArray xs)
let private ints (t: Tensor) = List.ofArray (t.ToArray<int64>())
let private ar (n: int64) = Torch.Arange(Scalar.op_Implicit n)

let ``TensorSplit gives exactly n pieces, the first len % n one longer, or cuts at the given indices`` () =
    use sc = Scope.Begin()
    let x = ar 7L
    Assert.Equal<int64 list list>([ [ 0L; 1L; 2L ]; [ 3L; 4L ]; [ 5L; 6L ] ], [ for p in x.TensorSplit(3L) -> ints p ])
    // more sections than elements: empty pieces at the end, still n of them
    Assert.Equal<int64 list>([ 1L; 1L; 0L ], [ for p in (ar 2L).TensorSplit(3L) -> p.NumEl ])
    Assert.Equal<int64 list list>([ [ 0L ]; [ 1L; 2L; 3L ]; [ 4L; 5L; 6L ] ], [ for p in x.TensorSplit([| 1L; 4L |]) -> ints p ])
    let m = (ar 12L).Reshape(3L, 4L)
    Assert.Equal<int64 list list>([ [ 3L; 2L ]; [ 3L; 2L ] ], [ for p in m.TensorSplit(2L, 1L) -> shape p ])

let ``MoveDim, SwapAxes, BroadcastTo, BroadcastTensors and Unflatten rearrange shapes as PyTorch`` () =
    use sc = Scope.Begin()
    let x = (ar 24L).Reshape(2L, 3L, 4L)
    let mv = x.MoveDim(0L, -1L)                                   // (3, 4, 2)
    Assert.Equal<int64 list>([ 3L; 4L; 2L ], shape mv)
    Assert.Equal<int64 list>(ints (x.Permute(1L, 2L, 0L).Contiguous()), ints (mv.Contiguous()))
    Assert.Equal<int64 list>([ 4L; 2L; 3L ], shape (x.MoveDim([| 1L; 2L |], [| 2L; 0L |])))
    Assert.Equal<int64 list>([ 4L; 3L; 2L ], shape (x.SwapAxes(0L, 2L)))
    let b = (longs [ 1L; 2L; 3L ]).BroadcastTo(2L, 3L)
    Assert.Equal<int64 list>([ 1L; 2L; 3L; 1L; 2L; 3L ], ints (b.Contiguous()))
    let bt = Torch.BroadcastTensors((ar 3L).Reshape(3L, 1L), ar 2L)
    Assert.Equal<int64 list list>([ [ 3L; 2L ]; [ 3L; 2L ] ], [ for t in bt -> shape t ])
    Assert.Equal<int64 list>([ 0L; 0L; 1L; 1L; 2L; 2L ], ints (bt.[0].Contiguous()))
    Assert.Equal<int64 list>([ 2L; 3L; 2L; 2L ], shape (x.Unflatten(2L, 2L, 2L)))
    Assert.Equal<int64 list>([ 2L; 3L; 2L; 2L ], shape (x.Unflatten(-1L, -1L, 2L)))

let ``Roll wraps elements round, Tile repeats with leading 1s, TakeAlongDim picks along a dim`` () =
    use sc = Scope.Begin()
    Assert.Equal<int64 list>([ 3L; 4L; 0L; 1L; 2L ], ints ((ar 5L).Roll(2L, 0L)))
    let m = (ar 6L).Reshape(2L, 3L)
    Assert.Equal<int64 list>([ 2L; 0L; 1L; 5L; 3L; 4L ], ints (m.Roll(1L, 1L)))
    Assert.Equal<int64 list>([ 5L; 0L; 1L; 2L; 3L; 4L ], ints (m.Roll([| 1L |])))              // flattened, shape kept
    Assert.Equal<int64 list>([ 5L; 3L; 4L; 2L; 0L; 1L ], ints (m.Roll([| 1L; 1L |], [| 0L; 1L |])))
    Assert.Equal<int64 list>([ 0L; 1L; 0L; 1L; 0L; 1L ], ints ((ar 2L).Tile(3L)))
    let t = (ar 2L).Tile(2L, 2L)                                                             // (2,) -> (1, 2) -> (2, 4)
    Assert.Equal<int64 list>([ 2L; 4L ], shape t)
    let x = t64 [ 2L; 3L ] [ 10.; 30.; 20.; 60.; 40.; 50. ]
    let idx = x.ArgSort(1L)
    close 0.0 [ 10.; 20.; 30.; 40.; 50.; 60. ] (x.TakeAlongDim(idx, 1L))
    close 0.0 [ 60. ] (x.TakeAlongDim(x.ArgMax()))                                          // flattened

let ``IndexAdd accumulates repeated indices, IndexCopy replaces rows, and both have in-place forms`` () =
    use sc = Scope.Begin()
    let x = Torch.Zeros([| 3L; 2L |], ScalarType.Float64)
    let src = t64 [ 3L; 2L ] [ 1.; 2.; 3.; 4.; 5.; 6. ]
    let idx = longs [ 0L; 2L; 0L ]
    close 0.0 [ 12.; 16.; 0.; 0.; 6.; 8. ] (x.IndexAdd(0L, idx, src, 2.0))                  // row 0 gets 2 (r0 + r2)
    close 0.0 [ 0.; 0.; 0.; 0.; 0.; 0. ] x
    x.IndexAdd_(0L, idx, src) |> ignore
    close 0.0 [ 6.; 8.; 0.; 0.; 3.; 4. ] x
    let y = Torch.Zeros([| 3L; 2L |], ScalarType.Float64)
    close 0.0 [ 3.; 4.; 0.; 0.; 1.; 2. ] (y.IndexCopy(0L, longs [ 2L; 0L ], t64 [ 2L; 2L ] [ 1.; 2.; 3.; 4. ]))
    y.IndexCopy_(1L, longs [ 1L ], t64 [ 3L; 1L ] [ 7.; 8.; 9. ]) |> ignore
    close 0.0 [ 0.; 7.; 0.; 8.; 0.; 9. ] y

let ``ScatterReduce combines with sum, prod, mean, amax and amin, with or without the input's values`` () =
    use sc = Scope.Begin()
    let x = vec [ 1.; 2.; 3. ]
    let src = vec [ 5.; 6.; 7.; 8. ]
    let idx = longs [ 0L; 0L; 2L; 2L ]
    close 0.0 [ 12.; 2.; 18. ] (x.ScatterReduce(0L, idx, src, "sum"))
    close 0.0 [ 11.; 2.; 15. ] (x.ScatterReduce(0L, idx, src, "sum", includeSelf = false))
    close 0.0 [ 30.; 2.; 168. ] (x.ScatterReduce(0L, idx, src, "prod"))
    close 1e-12 [ 4.; 2.; 6. ] (x.ScatterReduce(0L, idx, src, "mean"))                     // (1 + 5 + 6) / 3, (3 + 7 + 8) / 3
    close 0.0 [ 6.; 2.; 8. ] (x.ScatterReduce(0L, idx, src, "amax"))
    close 0.0 [ 1.; 2.; 3. ] (x.ScatterReduce(0L, idx, src, "amin"))
    Assert.Throws<ArgumentException>(fun () -> x.ScatterReduce(0L, idx, src, "max") |> ignore) |> ignore

let ``One-argument Where gives the nonzero indices per dim, Meshgrid builds ij and xy grids`` () =
    use sc = Scope.Begin()
    let c = t64 [ 2L; 3L ] [ 0.; 1.; 0.; 2.; 0.; 3. ]
    let w = Torch.Where(c.Ne(0.0))
    Assert.Equal(2, w.Length)
    Assert.Equal<int64 list>([ 0L; 1L; 1L ], ints w.[0])
    Assert.Equal<int64 list>([ 1L; 0L; 2L ], ints w.[1])
    close 0.0 [ 1.; 2.; 3. ] (c.Index(w |> Array.map Some |> Array.map Option.toObj))
    let g = Torch.Meshgrid([| longs [ 1L; 2L ]; longs [ 7L; 8L; 9L ] |])
    Assert.Equal<int64 list>([ 2L; 3L ], shape g.[0])
    Assert.Equal<int64 list>([ 1L; 1L; 1L; 2L; 2L; 2L ], ints (g.[0].Contiguous()))
    Assert.Equal<int64 list>([ 7L; 8L; 9L; 7L; 8L; 9L ], ints (g.[1].Contiguous()))
    let xy = Torch.Meshgrid([| longs [ 1L; 2L ]; longs [ 7L; 8L; 9L ] |], "xy")
    Assert.Equal<int64 list>([ 3L; 2L ], shape xy.[0])
    Assert.Throws<ArgumentException>(fun () -> Torch.Meshgrid([| longs [ 1L ] |], "yx") |> ignore) |> ignore

let ``TrilIndices and TriuIndices list the triangle's coordinates row by row`` () =
    use sc = Scope.Begin()
    let l = Torch.TrilIndices(3L, 3L)
    Assert.Equal<int64 list>([ 2L; 6L ], shape l)
    Assert.Equal<int64 list>([ 0L; 1L; 1L; 2L; 2L; 2L; 0L; 0L; 1L; 0L; 1L; 2L ], ints l)
    let u = Torch.TriuIndices(2L, 3L, 1L)
    Assert.Equal<int64 list>([ 0L; 0L; 1L; 1L; 2L; 2L ], ints u)
    // they index exactly the triangle that Tril keeps: the sum of a matrix's lower triangle
    let m = t64 [ 3L; 3L ] [ 1.; 2.; 3.; 4.; 5.; 6.; 7.; 8.; 9. ]
    let ij = l.Unbind(0L)
    close 0.0 [ 1. + 4. + 5. + 7. + 8. + 9. ] (m.Index(ij.[0], ij.[1]).Sum())

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsShapeTests" [
        Expecto.Tests.testCase "TensorSplit gives exactly n pieces, the first len % n one longer, or cuts at the given indices" ``TensorSplit gives exactly n pieces, the first len % n one longer, or cuts at the given indices``
        Expecto.Tests.testCase "MoveDim, SwapAxes, BroadcastTo, BroadcastTensors and Unflatten rearrange shapes as PyTorch" ``MoveDim, SwapAxes, BroadcastTo, BroadcastTensors and Unflatten rearrange shapes as PyTorch``
        Expecto.Tests.testCase "Roll wraps elements round, Tile repeats with leading 1s, TakeAlongDim picks along a dim" ``Roll wraps elements round, Tile repeats with leading 1s, TakeAlongDim picks along a dim``
        Expecto.Tests.testCase "IndexAdd accumulates repeated indices, IndexCopy replaces rows, and both have in-place forms" ``IndexAdd accumulates repeated indices, IndexCopy replaces rows, and both have in-place forms``
        Expecto.Tests.testCase "ScatterReduce combines with sum, prod, mean, amax and amin, with or without the input's values" ``ScatterReduce combines with sum, prod, mean, amax and amin, with or without the input's values``
        Expecto.Tests.testCase "One-argument Where gives the nonzero indices per dim, Meshgrid builds ij and xy grids" ``One-argument Where gives the nonzero indices per dim, Meshgrid builds ij and xy grids``
        Expecto.Tests.testCase "TrilIndices and TriuIndices list the triangle's coordinates row by row" ``TrilIndices and TriuIndices list the triangle's coordinates row by row``
    ]
