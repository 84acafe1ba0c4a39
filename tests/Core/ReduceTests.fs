/// ReduceTests.fs: reductions with dims and keepdim, logsumexp, softmax, var with correction, cumsum, argmax.
module GenDsl.Tests.Core.ReduceTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private m23 () = t64 [ 2L; 3L ] [ 1.; 5.; 3.; 4.; 2.; 6. ]

let ``sum and mean reduce the named dims; keepdim keeps them as size 1`` () =
    use m = m23 ()
    Assert.Equal(21.0, m.Sum().Item<float>())
    close 0.0 [ 5.; 7.; 9. ] (m.Sum(0L))
    use k = m.Sum(1L, keepdim = true)
    Assert.Equal<int64 list>([ 2L; 1L ], shape k)
    close 0.0 [ 9.; 12. ] k
    close 1e-12 [ 3.; 4. ] (m.Mean(-1L))
    use all = m.Sum([| 0L; 1L |], keepdim = true)
    Assert.Equal<int64 list>([ 1L; 1L ], shape all)
    use i = Torch.Tensor<int64>([| 1L; 2L |])
    Assert.Equal(ScalarType.Int64, i.Sum().Dtype) // PyTorch: the sum of ints is int64

let ``max and argmax return values and first indices along a dim`` () =
    use m = m23 ()
    let struct (v, ix) = m.Max(1L)
    close 0.0 [ 5.; 6. ] v
    Assert.Equal<int64[]>([| 1L; 2L |], ix.ToArray<int64>())
    Assert.Equal<int64[]>([| 1L; 0L; 1L |], m.ArgMax(0L).ToArray<int64>())
    Assert.Equal(5L, m.ArgMax().Item<int64>()) // flattened
    Assert.Equal(1.0, m.Min().Item<float>())
    Assert.Equal<int64 list>([ 2L; 1L ], shape (m.ArgMax(1L, keepdim = true)))

let ``logsumexp is log(sum(exp x)) and stays finite where exp overflows`` () =
    use m = m23 ()
    close 1e-12 [ log (exp 1. + exp 5. + exp 3.); log (exp 4. + exp 2. + exp 6.) ] (m.LogSumExp(1L))
    use big = vec [ 1000.; 1000. ]
    closeScalar 1e-9 (1000. + log 2.) (big.LogSumExp(0L).Item<float>())

let ``softmax rows sum to 1 and log_softmax is its log`` () =
    use m = m23 ()
    use s = m.Softmax(1L)
    close 1e-12 [ 1.; 1. ] (s.Sum(1L))
    let z = exp 1. + exp 5. + exp 3.
    close 1e-12 [ exp 1. / z; exp 5. / z; exp 3. / z ] (s.[0L])
    close 1e-12 (vals (s.Log())) (m.LogSoftmax(1L))

let ``var and std use Bessel's correction by default and the MLE with correction 0`` () =
    use x = vec [ 1.; 2.; 3.; 4. ] // mean 2.5, sum of squares 5
    closeScalar 1e-12 (5. / 3.) (x.Var().Item<float>())
    closeScalar 1e-12 1.25 (x.Var(correction = 0L).Item<float>())
    closeScalar 1e-12 (sqrt (5. / 3.)) (x.Std().Item<float>())
    use m = m23 ()
    close 1e-12 [ 4.; 4. ] (m.Var(1L)) // rows (1,5,3) and (4,2,6): sample variance 4
    Assert.Equal<int64 list>([ 1L; 3L ], shape (m.Var(0L, keepdim = true)))

let ``cumsum and cumprod accumulate along a dim`` () =
    use m = m23 ()
    close 0.0 [ 1.; 6.; 9.; 4.; 6.; 12. ] (m.CumSum(1L))
    close 0.0 [ 1.; 5.; 3.; 5.; 7.; 9. ] (m.CumSum(0L))
    close 0.0 [ 1.; 5.; 15.; 4.; 8.; 48. ] (m.CumProd(1L))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ReduceTests" [
        Expecto.Tests.testCase "sum and mean reduce the named dims; keepdim keeps them as size 1" ``sum and mean reduce the named dims; keepdim keeps them as size 1``
        Expecto.Tests.testCase "max and argmax return values and first indices along a dim" ``max and argmax return values and first indices along a dim``
        Expecto.Tests.testCase "logsumexp is log(sum(exp x)) and stays finite where exp overflows" ``logsumexp is log(sum(exp x)) and stays finite where exp overflows``
        Expecto.Tests.testCase "softmax rows sum to 1 and log_softmax is its log" ``softmax rows sum to 1 and log_softmax is its log``
        Expecto.Tests.testCase "var and std use Bessel's correction by default and the MLE with correction 0" ``var and std use Bessel's correction by default and the MLE with correction 0``
        Expecto.Tests.testCase "cumsum and cumprod accumulate along a dim" ``cumsum and cumprod accumulate along a dim``
    ]
