/// ShapeTests.fs: views, joins, slicing (negative indices), gather/scatter, masks and triangles, against PyTorch semantics.
module GenDsl.Tests.Core.ShapeTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private m23 () = t64 [ 2L; 3L ] [ 0.; 1.; 2.; 3.; 4.; 5. ]

let ``view reshape permute transpose unsqueeze squeeze expand flatten give PyTorch's shapes`` () =
    use x = t64 [ 2L; 3L; 4L ] [ for i in 0 .. 23 -> float i ]
    use v = x.View(6L, 4L) // (6, 4)
    Assert.Equal<int64 list>([ 6L; 4L ], shape v)
    use r = x.Reshape(-1L, 2L) // (12, 2)
    Assert.Equal<int64 list>([ 12L; 2L ], shape r)
    use p = x.Permute(2L, 0L, 1L) // (4, 2, 3)
    Assert.Equal<int64 list>([ 4L; 2L; 3L ], shape p)
    close 0.0 [ 0.; 4.; 8.; 12.; 16.; 20. ] (p.Select(0L, 0L))
    use t = x.Transpose(0L, 2L) // (4, 3, 2)
    Assert.Equal<int64 list>([ 4L; 3L; 2L ], shape t)
    use u = x.Unsqueeze(1L) // (2, 1, 3, 4)
    Assert.Equal<int64 list>([ 2L; 1L; 3L; 4L ], shape u)
    use s = u.Squeeze() // (2, 3, 4)
    Assert.Equal<int64 list>([ 2L; 3L; 4L ], shape s)
    use one = t64 [ 3L; 1L ] [ 1.; 2.; 3. ]
    use e = one.Expand(3L, 4L) // (3, 4), a view with stride 0
    Assert.Equal<int64[]>([| 1L; 0L |], e.Strides)
    close 0.0 [ 1.; 1.; 1.; 1.; 2.; 2.; 2.; 2.; 3.; 3.; 3.; 3. ] e
    use f = x.Flatten(1L) // (2, 12)
    Assert.Equal<int64 list>([ 2L; 12L ], shape f)

let ``contiguous(channels_last) keeps the values and gives NHWC strides, as PyTorch's memory_format`` () =
    use x = Torch.Arange(120.0).View(2L, 3L, 4L, 5L)
    Assert.True(x.IsContiguous() && not (x.IsContiguous(MemoryFormat.ChannelsLast)))
    use cl = x.Contiguous(MemoryFormat.ChannelsLast)
    Assert.Equal<int64[]>([| 60L; 1L; 15L; 3L |], cl.Strides)                  // torch: x.contiguous(memory_format=torch.channels_last).stride()
    Assert.True(cl.IsContiguous(MemoryFormat.ChannelsLast) && not (cl.IsContiguous()))
    Assert.Equal<float list>(vals x |> List.ofArray, vals cl |> List.ofArray)
    use back = cl.Contiguous(MemoryFormat.Contiguous)
    Assert.Equal<int64[]>([| 60L; 20L; 5L; 1L |], back.Strides)
    use y = (cl + 1.0).Relu()                                                 // elementwise ops keep the layout
    Assert.True(y.IsContiguous(MemoryFormat.ChannelsLast))
    let e = Assert.ThrowsAny<exn>(fun () -> x.Contiguous(enum<MemoryFormat> 7) |> ignore)
    Assert.Contains("memory format must be 0 (contiguous) or 1 (channels-last), got 7", e.Message)

let ``cat joins along a dim and stack adds one`` () =
    use a = m23 ()
    use b = m23 () + 10.0
    use c0 = Torch.Cat([| a; b |], 0L)
    Assert.Equal<int64 list>([ 4L; 3L ], shape c0)
    use c1 = Torch.Cat([| a; b |], -1L)
    Assert.Equal<int64 list>([ 2L; 6L ], shape c1)
    close 0.0 [ 0.; 1.; 2.; 10.; 11.; 12.; 3.; 4.; 5.; 13.; 14.; 15. ] c1
    use s = Torch.Stack([| a; b |], 1L)
    Assert.Equal<int64 list>([ 2L; 2L; 3L ], shape s)

let ``slicing with negative indices counts from the end, like x[-2:] and x[:, -1]`` () =
    use x = t64 [ 5L ] [ 0.; 1.; 2.; 3.; 4. ]
    close 0.0 [ 3.; 4. ] (x.Slice(0L, -2L, 5L))
    close 0.0 [ 0.; 2.; 4. ] (x.Slice(0L, 0L, 5L, 2L))
    close 0.0 [ 4. ] (x.Select(0L, -1L).Unsqueeze(0L))
    use m = m23 ()
    close 0.0 [ 2.; 5. ] (m.Select(1L, -1L))
    close 0.0 [ 3.; 4.; 5. ] (m.[1L])
    Assert.Equal(5.0, m.[1L, -1L].Item<float>())
    close 0.0 [ 1.; 2.; 4.; 5. ] (m.Narrow(1L, 1L, 2L))
    use idx = Torch.Tensor<int64>([| 2L; 0L |])
    close 0.0 [ 2.; 0.; 5.; 3. ] (m.IndexSelect(1L, idx))

let ``gather picks x[i, idx[i, j]] and scatter writes the inverse`` () =
    use m = m23 ()
    use idx = Torch.Tensor<int64>([| 2L; 0L; 1L; 1L |], 2L, 2L)
    close 0.0 [ 2.; 0.; 4.; 4. ] (m.Gather(1L, idx))
    use z = Torch.Zeros([| 2L; 3L |], ScalarType.Float64)
    use src = t64 [ 2L; 2L ] [ 7.; 8.; 9.; 9. ]
    use idx2 = Torch.Tensor<int64>([| 2L; 0L; 1L; 0L |], 2L, 2L)
    close 0.0 [ 8.; 0.; 7.; 9.; 9.; 0. ] (z.Scatter(1L, idx2, src))
    use idx3 = Torch.Tensor<int64>([| 0L; 0L; 1L; 1L |], 2L, 2L)
    close 0.0 [ 15.; 0.; 0.; 0.; 18.; 0. ] (z.ScatterAdd(1L, idx3, src))

let ``masked fill and select, where and boolean indexing follow the mask`` () =
    use m = m23 ()
    use mask = m.Gt(2.5)
    close 0.0 [ 0.; 1.; 2.; -1.; -1.; -1. ] (m.MaskedFill(mask, Scalar.op_Implicit -1.0))
    close 0.0 [ 3.; 4.; 5. ] (m.MaskedSelect(mask))
    close 0.0 [ 3.; 4.; 5. ] (m.Index([| mask |]))
    use neg = -m
    close 0.0 [ 0.; -1.; -2.; 3.; 4.; 5. ] (Torch.Where(mask, m, neg))
    use rows = Torch.Tensor<int64>([| 1L; 0L |])
    use cols = Torch.Tensor<int64>([| 0L; 2L |])
    close 0.0 [ 3.; 2. ] (m.Index([| rows; cols |]))

let ``triu and tril keep the upper and lower triangles with a diagonal offset`` () =
    use a = t64 [ 3L; 3L ] [ 1.; 2.; 3.; 4.; 5.; 6.; 7.; 8.; 9. ]
    close 0.0 [ 1.; 2.; 3.; 0.; 5.; 6.; 0.; 0.; 9. ] (a.Triu())
    close 0.0 [ 0.; 2.; 3.; 0.; 0.; 6.; 0.; 0.; 0. ] (a.Triu(1L))
    close 0.0 [ 1.; 0.; 0.; 4.; 5.; 0.; 7.; 8.; 9. ] (a.Tril())
    close 0.0 [ 0.; 0.; 0.; 4.; 0.; 0.; 7.; 8.; 0. ] (a.Tril(-1L))
    close 0.0 [ 1.; 5.; 9. ] (a.Diagonal())

let ``IndexSelectMapped: rows of a uint8 tensor through a 256-entry table equal table[x[rows]], and bad rows, sources or tables are refused by name`` () =
    use x = Torch.Tensor<byte>([| for i in 0 .. 23 -> byte (i * 11 % 256) |], [| 4L; 3L; 2L |])
    use table = Torch.Arange(256, ScalarType.Float64).Mul(0.5).Add(-3.0)   // table[v] = v / 2 - 3
    let rows = [| 3L; 0L; 3L |]
    use got = x.IndexSelectMapped(rows, table)
    Assert.Equal<int64[]>([| 3L; 3L; 2L |], got.Shape)
    Assert.Equal(ScalarType.Float64, got.Dtype)
    let xs = x.ToArray<byte>()
    let expected = [| for r in rows do for j in 0 .. 5 -> float xs.[int r * 6 + j] / 2.0 - 3.0 |]
    Assert.Equal<float[]>(expected, got.ToArray<float>())
    use none = x.IndexSelectMapped([||], table)
    Assert.Equal<int64[]>([| 0L; 3L; 2L |], none.Shape)
    let fails (f: unit -> Tensor) (part: string) = Assert.Contains(part, (Assert.ThrowsAny<exn>(fun () -> f () |> ignore)).Message)
    fails (fun () -> x.IndexSelectMapped([| 4L |], table)) "row 4 is outside 0..3"
    fails (fun () -> x.IndexSelectMapped([| -1L |], table)) "row -1 is outside 0..3"
    use short = Torch.Arange(255, ScalarType.Float64)
    fails (fun () -> x.IndexSelectMapped([| 0L |], short)) "256 entries"
    use ints = Torch.Arange(256, ScalarType.Int64)
    fails (fun () -> x.IndexSelectMapped([| 0L |], ints)) "floating"
    use xf = x.To(ScalarType.Float32)
    fails (fun () -> xf.IndexSelectMapped([| 0L |], table)) "uint8"

let ``Size(d) equals Shape's entry for every d in -ndim..ndim-1 and names the valid range otherwise`` () =
    use x = Torch.Zeros([| 2L; 0L; 5L; 1L |], System.Nullable ScalarType.Float64) // (2, 0, 5, 1)
    let s = x.Shape
    for d in -4 .. 3 do
        Assert.Equal(s.[(d + 4) % 4], x.Size d)
    let e = Assert.Throws<System.ArgumentOutOfRangeException>(fun () -> x.Size 4 |> ignore)
    Assert.Contains("-4..3", e.Message)
    Assert.Throws<System.ArgumentOutOfRangeException>(fun () -> x.Size -5 |> ignore) |> ignore
    use scalar = Torch.Scalar(1.0)
    Assert.Contains("0-d", (Assert.Throws<System.ArgumentOutOfRangeException>(fun () -> scalar.Size 0 |> ignore)).Message)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ShapeTests" [
        Expecto.Tests.testCase "view reshape permute transpose unsqueeze squeeze expand flatten give PyTorch's shapes" ``view reshape permute transpose unsqueeze squeeze expand flatten give PyTorch's shapes``
        Expecto.Tests.testCase "contiguous(channels_last) keeps the values and gives NHWC strides, as PyTorch's memory_format" ``contiguous(channels_last) keeps the values and gives NHWC strides, as PyTorch's memory_format``
        Expecto.Tests.testCase "cat joins along a dim and stack adds one" ``cat joins along a dim and stack adds one``
        Expecto.Tests.testCase "slicing with negative indices counts from the end, like x[-2:] and x[:, -1]" ``slicing with negative indices counts from the end, like x[-2:] and x[:, -1]``
        Expecto.Tests.testCase "gather picks x[i, idx[i, j]] and scatter writes the inverse" ``gather picks x[i, idx[i, j]] and scatter writes the inverse``
        Expecto.Tests.testCase "masked fill and select, where and boolean indexing follow the mask" ``masked fill and select, where and boolean indexing follow the mask``
        Expecto.Tests.testCase "triu and tril keep the upper and lower triangles with a diagonal offset" ``triu and tril keep the upper and lower triangles with a diagonal offset``
        Expecto.Tests.testCase "IndexSelectMapped: rows of a uint8 tensor through a 256-entry table equal table[x[rows]], and bad rows, sources or tables are refused by name" ``IndexSelectMapped: rows of a uint8 tensor through a 256-entry table equal table[x[rows]], and bad rows, sources or tables are refused by name``
        Expecto.Tests.testCase "Size(d) equals Shape's entry for every d in -ndim..ndim-1 and names the valid range otherwise" ``Size(d) equals Shape's entry for every d in -ndim..ndim-1 and names the valid range otherwise``
    ]
