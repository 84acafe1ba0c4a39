/// OpsReduceTests.fs: the reductions of issue 14 (median, quantile, nan-aware sums, var_mean, logcumsumexp, argsort, kthvalue, unique, bincount, searchsorted, count_nonzero, dtype arguments) against values worked by hand.
module GenDsl.Tests.Core.OpsReduceTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private longs (xs: int64 list) = Torch.Tensor<int64>(List.toArray xs)
let private ints (t: Tensor) = List.ofArray (t.ToArray<int64>())

let ``Median takes the lower middle value for an even count, and Quantile interpolates at q (n - 1)`` () =
    use sc = Scope.Begin()
    let x = vec [ 4.; 1.; 3.; 2. ]
    close 0.0 [ 2. ] (x.Median())                                  // sorted 1 2 3 4: lower middle 2 (NumPy would say 2.5)
    let m = t64 [ 2L; 3L ] [ 5.; 1.; 3.; 9.; 7.; 8. ]
    let struct (v, i) = m.Median(1L)
    close 0.0 [ 3.; 8. ] v
    Assert.Equal<int64 list>([ 2L; 2L ], ints i)
    close 0.0 [ 2. ] ((vec [ 1.; Double.NaN; 2.; 3. ]).NanMedian())
    // linear: position q (n - 1) = 0.3 * 3 = 0.9 between 1 and 2 -> 1.9; lower 1, higher 2, nearest 2, midpoint 1.5
    close 1e-12 [ 1.9 ] (x.Quantile(0.3))
    close 0.0 [ 1. ] (x.Quantile(0.3, interpolation = "lower"))
    close 0.0 [ 2. ] (x.Quantile(0.3, interpolation = "higher"))
    close 0.0 [ 2. ] (x.Quantile(0.3, interpolation = "nearest"))
    close 0.0 [ 1.5 ] (x.Quantile(0.3, interpolation = "midpoint"))
    let qs = m.Quantile(vec [ 0.0; 0.5; 1.0 ], 1L)                  // (3, 2): quantiles along each row
    Assert.Equal<int64 list>([ 3L; 2L ], shape qs)
    close 1e-12 [ 1.; 7.; 3.; 8.; 5.; 9. ] qs
    Assert.Throws<ArgumentException>(fun () -> x.Quantile(0.5, interpolation = "cubic") |> ignore) |> ignore

let ``NanMean and NanSum skip NaNs, VarMean and StdMean agree with Var, Std and Mean`` () =
    use sc = Scope.Begin()
    let x = t64 [ 2L; 3L ] [ 1.; Double.NaN; 3.; Double.NaN; Double.NaN; 6. ]
    close 1e-12 [ 10. / 3. ] (x.NanMean())
    close 1e-12 [ 2.; 6. ] (x.NanMean([| 1L |]))
    close 1e-12 [ 10. ] (x.NanSum())
    close 1e-12 [ 1.; 0.; 9. ] (x.NanSum([| 0L |]))
    let y = t64 [ 2L; 3L ] [ 1.; 2.; 6.; 4.; 4.; 4. ]
    let struct (var, mean) = y.VarMean([| 1L |])
    close 1e-12 [ 3.; 4. ] mean
    close 1e-12 [ ((1. - 3.) ** 2. + (2. - 3.) ** 2. + (6. - 3.) ** 2.) / 2.; 0. ] var   // Bessel: / (n - 1)
    let struct (sd, mu) = y.StdMean(correction = 0L)
    close 1e-12 [ 3.5 ] mu
    close 1e-12 [ sqrt (((1. - 3.5) ** 2. + (2. - 3.5) ** 2. + (6. - 3.5) ** 2. + 3. * 0.25) / 6.) ] sd

let ``LogCumSumExp is the running log-sum-exp, stable at 1000, with a softmax-weighted gradient`` () =
    use sc = Scope.Begin()
    let x = vec [ 1000.; 1000.; 0. ]
    close 1e-9 [ 1000.; 1000. + log 2.; 1000. + log 2. ] (x.LogCumSumExp(0L))
    let z = vec [ 0.5; -1.0; 2.0 ]
    z.RequiresGrad <- true
    z.LogCumSumExp(0L).Sum().Backward()
    // d/dz_j sum_i lse(z_0..z_i) = sum_{i >= j} softmax(z_0..z_i)_j
    let e = [ exp 0.5; exp -1.0; exp 2.0 ]
    let s k = List.sum (List.take (k + 1) e)
    let g j = List.sum [ for i in j .. 2 -> e.[j] / s i ]
    close 1e-12 [ g 0; g 1; g 2 ] z.Grad

let ``ArgSort, KthValue and CumMax order values; a stable argsort keeps ties in input order`` () =
    use sc = Scope.Begin()
    let x = vec [ 3.; 1.; 2.; 1.; 5. ]
    Assert.Equal<int64 list>([ 1L; 3L; 2L; 0L; 4L ], ints (x.ArgSort(stable = true)))
    Assert.Equal<int64 list>([ 4L; 0L; 2L; 1L; 3L ], ints (x.ArgSort(descending = true, stable = true)))
    let struct (kv, ki) = x.KthValue(3L)
    close 0.0 [ 2. ] kv
    Assert.Equal<int64 list>([ 2L ], [ ki.Item<int64>() ])
    let struct (cv, ci) = (vec [ 1.; 3.; 2.; 4. ]).CumMax(0L)
    close 0.0 [ 1.; 3.; 3.; 4. ] cv
    Assert.Equal<int64 list>([ 0L; 1L; 1L; 3L ], ints ci)

let ``Unique returns sorted values, inverse indices and counts; by dim it finds distinct rows`` () =
    use sc = Scope.Begin()
    let x = longs [ 3L; 1L; 3L; 2L; 1L; 3L ]
    let struct (values, inverse, counts) = x.Unique()
    Assert.Equal<int64 list>([ 1L; 2L; 3L ], ints values)
    Assert.Equal<int64 list>([ 2L; 0L; 2L; 1L; 0L; 2L ], ints inverse)
    Assert.Equal<int64 list>([ 2L; 1L; 3L ], ints counts)
    Assert.Equal(ScalarType.Int64, values.Dtype)
    let rows = Torch.Tensor<int64>([| 1L; 2L; 0L; 0L; 1L; 2L |], 3L, 2L)
    let struct (rv, ri, rc) = rows.Unique(dim = 0L)
    Assert.Equal<int64 list>([ 0L; 0L; 1L; 2L ], ints rv)
    Assert.Equal<int64 list>([ 1L; 0L; 1L ], ints ri)
    Assert.Equal<int64 list>([ 1L; 2L ], ints rc)

let ``BinCount counts (or sums weights), SearchSorted finds insertion points, CountNonzero counts`` () =
    use sc = Scope.Begin()
    let x = longs [ 0L; 2L; 2L; 5L ]
    Assert.Equal<int64 list>([ 1L; 0L; 2L; 0L; 0L; 1L ], ints (x.BinCount()))
    Assert.Equal<int64 list>([ 1L; 0L; 2L; 0L; 0L; 1L; 0L; 0L ], ints (x.BinCount(minlength = 8L)))
    let w = x.BinCount(vec [ 0.5; 1.; 2.; 4. ])
    Assert.Equal(f64, w.Dtype)
    close 0.0 [ 0.5; 0.; 3.; 0.; 0.; 4. ] w
    let s = vec [ 1.; 3.; 3.; 7. ]
    Assert.Equal<int64 list>([ 0L; 1L; 1L; 4L; 3L ], ints (s.SearchSorted(vec [ 0.; 2.; 3.; 8.; 5. ])))
    Assert.Equal<int64 list>([ 0L; 1L; 3L; 4L; 3L ], ints (s.SearchSorted(vec [ 0.; 2.; 3.; 8.; 5. ], right = true)))
    Assert.Equal(ScalarType.Int32, (s.SearchSorted(vec [ 2. ], outInt32 = true)).Dtype)
    let m = t64 [ 2L; 3L ] [ 0.; 1.; 2.; 0.; 0.; 3. ]
    Assert.Equal(3L, m.CountNonzero().Item<int64>())
    Assert.Equal<int64 list>([ 2L; 1L ], ints (m.CountNonzero(1L)))

let ``dtype arguments cast before reducing: int64 means, float64 softmax and cumsum from float32`` () =
    use sc = Scope.Begin()
    let i = longs [ 1L; 2L; 4L ]
    // PyTorch refuses mean of int64 without a dtype, and computes it in the dtype given
    Assert.Throws<TorchException>(fun () -> i.Mean() |> ignore) |> ignore
    let m = i.Mean(null, false, f64)
    Assert.Equal(f64, m.Dtype)
    close 1e-15 [ 7. / 3. ] m
    let x = Torch.Tensor<float32>([| 1.0f; 2.0f; 3.0f |])
    let sm = x.Softmax(0L, f64)
    Assert.Equal(f64, sm.Dtype)
    let z = exp 1. + exp 2. + exp 3.
    close 1e-15 [ exp 1. / z; exp 2. / z; exp 3. / z ] sm
    close 1e-15 [ 1. - log z; 2. - log z; 3. - log z ] (x.LogSoftmax(0L, f64))
    let cs = x.CumSum(0L, f64)
    Assert.Equal(f64, cs.Dtype)
    close 0.0 [ 1.; 3.; 6. ] cs
    Assert.Equal(ScalarType.Int64, i.CumProd(0L, ScalarType.Int64).Dtype)
    Assert.Equal(ScalarType.Int64, (Torch.Tensor<int>([| 1; 2 |])).Sum().Dtype)      // int32 sums accumulate in int64

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsReduceTests" [
        Expecto.Tests.testCase "Median takes the lower middle value for an even count, and Quantile interpolates at q (n - 1)" ``Median takes the lower middle value for an even count, and Quantile interpolates at q (n - 1)``
        Expecto.Tests.testCase "NanMean and NanSum skip NaNs, VarMean and StdMean agree with Var, Std and Mean" ``NanMean and NanSum skip NaNs, VarMean and StdMean agree with Var, Std and Mean``
        Expecto.Tests.testCase "LogCumSumExp is the running log-sum-exp, stable at 1000, with a softmax-weighted gradient" ``LogCumSumExp is the running log-sum-exp, stable at 1000, with a softmax-weighted gradient``
        Expecto.Tests.testCase "ArgSort, KthValue and CumMax order values; a stable argsort keeps ties in input order" ``ArgSort, KthValue and CumMax order values; a stable argsort keeps ties in input order``
        Expecto.Tests.testCase "Unique returns sorted values, inverse indices and counts; by dim it finds distinct rows" ``Unique returns sorted values, inverse indices and counts; by dim it finds distinct rows``
        Expecto.Tests.testCase "BinCount counts (or sums weights), SearchSorted finds insertion points, CountNonzero counts" ``BinCount counts (or sums weights), SearchSorted finds insertion points, CountNonzero counts``
        Expecto.Tests.testCase "dtype arguments cast before reducing: int64 means, float64 softmax and cumsum from float32" ``dtype arguments cast before reducing: int64 means, float64 softmax and cumsum from float32``
    ]
