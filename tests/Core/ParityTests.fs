/// ParityTests.fs: PyTorch semantics the wrapper layer must keep (issue 14): scalar type promotion, dtype inference, padding rows, transposes.
module GenDsl.Tests.Core.ParityTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private s (v: float) = Scalar.op_Implicit v
let private si (v: int64) = Scalar.op_Implicit v
let private ints = [ -3L; -1L; 0L; 2L; 5L; 7L ]
let private longs () = Torch.Tensor<int64>(List.toArray ints, [| 2L; 3L |])
let private asFloat = List.map float ints

// float32 results against float64 closed forms: |values| <= 30, so a float32 rounding error is below 30 * 2^-24 < 2e-6.
let private f32tol = 1e-5

let ``issue 14: Atan2 of an int64 tensor and 0.5 is float32 atan2(x, 0.5), not atan2(x, 0)`` () =
    use x = longs ()
    use r = x.Atan2(s 0.5)
    Assert.Equal(ScalarType.Float32, r.Dtype)
    Assert.Equal<int64 list>([ 2L; 3L ], shape r)
    // PyTorch: [-1.4056, -1.1071, 0, 1.3258, 1.4711, 1.4995]
    close f32tol [ for v in asFloat -> Math.Atan2(v, 0.5) ] r

let ``issue 14: Atan2 of an int64 tensor and an int scalar promotes to float32 (atan2 is a float op)`` () =
    use x = longs ()
    use r = x.Atan2(si 2L)
    Assert.Equal(ScalarType.Float32, r.Dtype)
    close f32tol [ for v in asFloat -> Math.Atan2(v, 2.0) ] r

let ``an int64 tensor with a float scalar gives float32 and the exact float result for every scalar op`` () =
    use sc = Scope.Begin()
    let x = longs ()
    let nz = Torch.Tensor<int64>([| -3L; -1L; 2L; 5L |])            // no zero: b / x
    let nzf = [ -3.0; -1.0; 2.0; 5.0 ]
    let check name (t: Tensor) (expected: float list) =
        if t.Dtype <> ScalarType.Float32 then failwithf "%s: dtype %A, PyTorch gives Float32" name t.Dtype
        try close f32tol expected t with e -> failwithf "%s: %s" name e.Message
    check "Add" (x.Add(s 0.5)) [ for v in asFloat -> v + 0.5 ]
    check "Sub" (x.Sub(s 0.5)) [ for v in asFloat -> v - 0.5 ]
    check "Mul" (x.Mul(s 0.5)) [ for v in asFloat -> v * 0.5 ]
    check "Div" (x.Div(s 0.5)) [ for v in asFloat -> v / 0.5 ]
    check "Pow" (x.Abs().Pow(s 0.5)) [ for v in asFloat -> sqrt (abs v) ]
    check "Remainder" (x.Remainder(s 2.5)) [ for v in asFloat -> v - floor (v / 2.5) * 2.5 ]   // Python's sign rule
    check "FloorDivide" (x.FloorDivide(s 2.5)) [ for v in asFloat -> floor (v / 2.5) ]
    check "Maximum" (x.Maximum(s 0.5)) [ for v in asFloat -> max v 0.5 ]
    check "Minimum" (x.Minimum(s 0.5)) [ for v in asFloat -> min v 0.5 ]
    check "RSub" (x.RSub(s 0.5)) [ for v in asFloat -> 0.5 - v ]
    check "RDiv" (nz.RDiv(s 0.5)) [ for v in nzf -> 0.5 / v ]
    check "RPow" (x.RPow(s 0.5)) [ for v in asFloat -> 0.5 ** v ]
    check "operator +" (x + 0.5) [ for v in asFloat -> v + 0.5 ]
    check "operator -" (0.5 - x) [ for v in asFloat -> 0.5 - v ]
    check "operator /" (0.5 / nz) [ for v in nzf -> 0.5 / v ]
    // comparisons compare against 0.5 itself, not a truncated 0
    let lt = x.Lt(s 0.5)
    Assert.Equal(ScalarType.Bool, lt.Dtype)
    Assert.Equal<bool[]>([| for v in asFloat -> v < 0.5 |], lt.ToArray<bool>())
    Assert.Equal<bool[]>([| for v in asFloat -> v = 0.5 |], x.Eq(s 0.5).ToArray<bool>())

let ``an int64 tensor with an int scalar stays int64, except true division`` () =
    use sc = Scope.Begin()
    let x = longs ()
    let keep name (t: Tensor) (expected: int64 list) =
        if t.Dtype <> ScalarType.Int64 then failwithf "%s: dtype %A, PyTorch gives Int64" name t.Dtype
        Assert.Equal<int64[]>(List.toArray expected, t.ToArray<int64>())
    keep "Add" (x.Add(si 2L)) [ for v in ints -> v + 2L ]
    keep "Mul" (x.Mul(si 2L)) [ for v in ints -> v * 2L ]
    keep "Remainder" (x.Remainder(si 3L)) [ for v in ints -> ((v % 3L) + 3L) % 3L ]
    keep "FloorDivide" (x.FloorDivide(si 2L)) [ for v in ints -> int64 (floor (float v / 2.0)) ]
    keep "Pow" (x.Pow(si 2L)) [ for v in ints -> v * v ]
    keep "RSub" (x.RSub(si 1L)) [ for v in ints -> 1L - v ]
    use d = x.Div(si 2L)
    Assert.Equal(ScalarType.Float32, d.Dtype)
    close f32tol [ for v in asFloat -> v / 2.0 ] d

let ``issue 14: Clamp and ClampMin with integer bounds keep an int64 tensor int64`` () =
    use x = longs ()
    use c = x.Clamp(-1L, 2L)
    Assert.Equal(ScalarType.Int64, c.Dtype)
    Assert.Equal<int64[]>([| -1L; -1L; 0L; 2L; 2L; 2L |], c.ToArray<int64>())
    use m = x.ClampMin(0L)
    Assert.Equal(ScalarType.Int64, m.Dtype)
    Assert.Equal<int64[]>([| 0L; 0L; 0L; 2L; 5L; 7L |], m.ToArray<int64>())
    use mx = x.ClampMax(1L)
    Assert.Equal(ScalarType.Int64, mx.Dtype)
    Assert.Equal<int64[]>([| -3L; -1L; 0L; 1L; 1L; 1L |], mx.ToArray<int64>())

let ``issue 14: Clamp_ on int64 with integer bounds works in place`` () =
    use x = longs ()
    let r = x.Clamp_(-1L, 2L)
    Assert.Same(x, r)
    Assert.Equal(ScalarType.Int64, x.Dtype)
    Assert.Equal<int64[]>([| -1L; -1L; 0L; 2L; 2L; 2L |], x.ToArray<int64>())

let ``Clamp with float bounds promotes int64 to float32 and keeps float64 float64`` () =
    use x = longs ()
    use c = x.Clamp(-0.5, 2.5)
    Assert.Equal(ScalarType.Float32, c.Dtype)
    close f32tol [ for v in asFloat -> min 2.5 (max -0.5 v) ] c
    use y = vec [ -2.0; 0.25; 3.0 ]
    use cy = y.Clamp(-1L, 1L)
    Assert.Equal(ScalarType.Float64, cy.Dtype)
    close 0.0 [ -1.0; 0.25; 1.0 ] cy
    let e = Assert.Throws<ArgumentException>(fun () -> y.Clamp() |> ignore)
    Assert.Contains("at least one bound", e.Message)

let ``issue 14: Full infers its dtype from the value like torch.full (int -> Int64, bool -> Bool, float -> Float32)`` () =
    use i = Torch.Full([| 2L; 2L |], si 1L)
    Assert.Equal(ScalarType.Int64, i.Dtype)
    Assert.Equal<int64[]>([| 1L; 1L; 1L; 1L |], i.ToArray<int64>())
    use b = Torch.Full([| 3L |], Scalar.op_Implicit true)
    Assert.Equal(ScalarType.Bool, b.Dtype)
    Assert.Equal<bool[]>([| true; true; true |], b.ToArray<bool>())
    use f = Torch.Full([| 2L |], s 0.25)
    Assert.Equal(ScalarType.Float32, f.Dtype)
    close 0.0 [ 0.25; 0.25 ] f
    use explicitDtype = Torch.Full([| 2L |], si 3L, ScalarType.Float64)
    Assert.Equal(ScalarType.Float64, explicitDtype.Dtype)

/// The gradient of sum(Embedding(idx, w)) with respect to w: row r gets count(idx = r) ones, except a padding row.
let private embeddingGrad (paddingIdx: Nullable<int64>) =
    use sc = Scope.Begin()
    let w = Torch.Randn([| 4L; 3L |], new Generator(14UL), ScalarType.Float64).RequiresGrad_()
    let idx = Torch.Tensor<int64>([| 0L; 3L; 3L; 1L |])
    let e = if paddingIdx.HasValue then Functional.Embedding(idx, w, paddingIdx) else Functional.Embedding(idx, w)
    e.Sum().Backward()
    vals w.Grad

let ``issue 14: Embedding paddingIdx -1 is the last row (it gets no gradient); null means no padding`` () =
    // row 3 is looked up twice: without padding its gradient is 2 in every column
    Assert.Equal<float[]>([| 1.; 1.; 1.; 1.; 1.; 1.; 0.; 0.; 0.; 2.; 2.; 2. |], embeddingGrad (Nullable()))
    Assert.Equal<float[]>([| 1.; 1.; 1.; 1.; 1.; 1.; 0.; 0.; 0.; 0.; 0.; 0. |], embeddingGrad (Nullable -1L))
    Assert.Equal<float[]>([| 1.; 1.; 1.; 0.; 0.; 0.; 0.; 0.; 0.; 2.; 2.; 2. |], embeddingGrad (Nullable 1L))
    use w = Torch.Zeros([| 4L; 3L |])
    use idx = Torch.Tensor<int64>([| 0L |])
    let e = Assert.Throws<ArgumentException>(fun () -> Functional.Embedding(idx, w, Nullable -5L) |> ignore)
    Assert.Contains("paddingIdx -5", e.Message)

let ``issue 14: MT swaps the last two dims of a batch; T transposes 2-D, keeps 1-D and refuses 3-D naming MT`` () =
    use sc = Scope.Begin()
    let x = Torch.Arange(si 24L).Reshape(2L, 3L, 4L)                 // (2, 3, 4)
    let mt = x.MT                                                    // (2, 4, 3)
    Assert.Equal<int64 list>([ 2L; 4L; 3L ], shape mt)
    // mt[b, j, i] = x[b, i, j] = 12 b + 4 i + j
    Assert.Equal<int64[]>([| for b in 0L .. 1L do for j in 0L .. 3L do for i in 0L .. 2L -> 12L * b + 4L * i + j |],
                          mt.Contiguous().ToArray<int64>())
    let e = Assert.Throws<ArgumentException>(fun () -> x.T |> ignore)
    Assert.Contains(".MT", e.Message)
    let m = Torch.Arange(si 6L).Reshape(2L, 3L)                      // (2, 3)
    Assert.Equal<int64 list>([ 3L; 2L ], shape m.T)
    Assert.Equal<int64[]>([| 0L; 3L; 1L; 4L; 2L; 5L |], m.T.Contiguous().ToArray<int64>())
    Assert.True(m.T.Equal(m.MT))
    let v = Torch.Arange(si 3L)
    Assert.Equal<int64 list>([ 3L ], shape v.T)
    Assert.Throws<ArgumentException>(fun () -> v.MT |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ParityTests" [
        Expecto.Tests.testCase "issue 14: Atan2 of an int64 tensor and 0.5 is float32 atan2(x, 0.5), not atan2(x, 0)" ``issue 14: Atan2 of an int64 tensor and 0.5 is float32 atan2(x, 0.5), not atan2(x, 0)``
        Expecto.Tests.testCase "issue 14: Atan2 of an int64 tensor and an int scalar promotes to float32 (atan2 is a float op)" ``issue 14: Atan2 of an int64 tensor and an int scalar promotes to float32 (atan2 is a float op)``
        Expecto.Tests.testCase "an int64 tensor with a float scalar gives float32 and the exact float result for every scalar op" ``an int64 tensor with a float scalar gives float32 and the exact float result for every scalar op``
        Expecto.Tests.testCase "an int64 tensor with an int scalar stays int64, except true division" ``an int64 tensor with an int scalar stays int64, except true division``
        Expecto.Tests.testCase "issue 14: Clamp and ClampMin with integer bounds keep an int64 tensor int64" ``issue 14: Clamp and ClampMin with integer bounds keep an int64 tensor int64``
        Expecto.Tests.testCase "issue 14: Clamp_ on int64 with integer bounds works in place" ``issue 14: Clamp_ on int64 with integer bounds works in place``
        Expecto.Tests.testCase "Clamp with float bounds promotes int64 to float32 and keeps float64 float64" ``Clamp with float bounds promotes int64 to float32 and keeps float64 float64``
        Expecto.Tests.testCase "issue 14: Full infers its dtype from the value like torch.full (int -> Int64, bool -> Bool, float -> Float32)" ``issue 14: Full infers its dtype from the value like torch.full (int -> Int64, bool -> Bool, float -> Float32)``
        Expecto.Tests.testCase "issue 14: Embedding paddingIdx -1 is the last row (it gets no gradient); null means no padding" ``issue 14: Embedding paddingIdx -1 is the last row (it gets no gradient); null means no padding``
        Expecto.Tests.testCase "issue 14: MT swaps the last two dims of a batch; T transposes 2-D, keeps 1-D and refuses 3-D naming MT" ``issue 14: MT swaps the last two dims of a batch; T transposes 2-D, keeps 1-D and refuses 3-D naming MT``
    ]
