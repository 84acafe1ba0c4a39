/// FunctionalTests.fs: nn functional ops (conv, embedding, layer norm, dropout, losses) against closed forms.
module GenDsl.Tests.Core.FunctionalTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

type F = Functional

let ``conv2d with a 2x2 ones kernel sums each 2x2 window`` () =
    use x = t64 [ 1L; 1L; 4L; 4L ] [ for i in 1 .. 16 -> float i ] // (B, C, H, W)
    use w = Torch.Ones([| 1L; 1L; 2L; 2L |], ScalarType.Float64)
    use y = F.Conv2d(x, w)
    Assert.Equal<int64 list>([ 1L; 1L; 3L; 3L ], shape y)
    close 1e-12 [ 14.; 18.; 22.; 30.; 34.; 38.; 46.; 50.; 54. ] y
    use b = vec [ 1.0 ]
    use ys = F.Conv2d(x, w, b, stride = 2L, padding = 1L) // (1, 1, 3, 3): corners see one pixel
    close 1e-12 [ 2.; 6.; 5.; 15.; 35.; 21.; 14.; 30.; 17. ] ys

let ``conv_transpose2d spreads each input pixel over the kernel footprint`` () =
    use x = t64 [ 1L; 1L; 2L; 2L ] [ 1.; 2.; 3.; 4. ]
    use w = Torch.Ones([| 1L; 1L; 2L; 2L |], ScalarType.Float64)
    use y = F.ConvTranspose2d(x, w)
    Assert.Equal<int64 list>([ 1L; 1L; 3L; 3L ], shape y)
    close 1e-12 [ 1.; 3.; 2.; 4.; 10.; 6.; 3.; 7.; 4. ] y
    use y2 = F.ConvTranspose2d(x, w, stride = 2L) // no overlap: (1, 1, 4, 4)
    close 1e-12 [ 1.; 1.; 2.; 2.; 1.; 1.; 2.; 2.; 3.; 3.; 4.; 4.; 3.; 3.; 4.; 4. ] y2

let ``embedding picks rows and linear is x W^T + b`` () =
    use w = t64 [ 3L; 2L ] [ 0.; 1.; 10.; 11.; 20.; 21. ]
    use idx = Torch.Tensor<int64>([| 2L; 0L; 2L |], 1L, 3L)
    use e = F.Embedding(idx, w)
    Assert.Equal<int64 list>([ 1L; 3L; 2L ], shape e)
    close 0.0 [ 20.; 21.; 0.; 1.; 20.; 21. ] e
    use x = t64 [ 1L; 2L ] [ 1.; 2. ]
    use b = vec [ 0.5; 0.5; 0.5 ]
    close 1e-12 [ 2.5; 32.5; 62.5 ] (F.Linear(x, w, b))

let ``layer_norm standardises over the last dims with the biased variance`` () =
    use x = t64 [ 2L; 4L ] [ 1.; 2.; 3.; 4.; 2.; 2.; 2.; 6. ]
    use y = F.LayerNorm(x, [| 4L |])
    let sd1 = sqrt (1.25 + 1e-5) // row 1: mean 2.5, biased variance 1.25
    let sd2 = sqrt (3.0 + 1e-5) // row 2: mean 3, biased variance 3
    close 1e-9 [ -1.5 / sd1; -0.5 / sd1; 0.5 / sd1; 1.5 / sd1; -1. / sd2; -1. / sd2; -1. / sd2; 3. / sd2 ] y
    use g = vec [ 2.; 2.; 2.; 2. ]
    use b = vec [ 1.; 1.; 1.; 1. ]
    close 1e-9 (vals y |> Array.map (fun v -> 2. * v + 1.)) (F.LayerNorm(x, [| 4L |], g, b))

let ``dropout zeroes about p and scales survivors by 1/(1-p); eval mode is the identity`` () =
    use g = new Generator(7UL)
    use x = Torch.Ones([| 10000L |], ScalarType.Float64)
    use y = F.Dropout(x, 0.3, true, g)
    let v = vals y
    Assert.True(v |> Array.forall (fun a -> a = 0.0 || abs (a - 1.0 / 0.7) < 1e-12))
    // The zero fraction has standard error sqrt(0.3 * 0.7 / 10000) = 0.0046; 5 SE (0.023): false failure < 1e-6.
    let zeros = float (v |> Array.filter ((=) 0.0) |> Array.length) / 10000.0
    closeScalar 0.023 0.3 zeros
    close 0.0 (vals x) (F.Dropout(x, 0.3, false, g))

let ``nll and cross-entropy equal -log softmax at the target`` () =
    use logits = t64 [ 2L; 3L ] [ 1.; 2.; 3.; 1.; 1.; 1. ]
    use target = Torch.Tensor<int64>([| 2L; 0L |])
    let l1 = log (exp 1. + exp 2. + exp 3.) - 3.
    let l2 = log 3.
    closeScalar 1e-12 ((l1 + l2) / 2.) (F.CrossEntropy(logits, target).Item<float>())
    close 1e-12 [ l1; l2 ] (F.CrossEntropy(logits, target, reduction = Reduction.None))
    closeScalar 1e-12 (l1 + l2) (F.NllLoss(logits.LogSoftmax(1L), target, reduction = Reduction.Sum).Item<float>())

let ``bce with logits is max(x,0) - x y + log(1 + exp(-|x|)), mse is the mean squared error`` () =
    use x = vec [ 0.5; -1.0; 30.0 ]
    use y = vec [ 1.0; 0.0; 0.0 ]
    let bce (x: float) (y: float) = max x 0. - x * y + log (1. + exp (-(abs x)))
    closeScalar 1e-12 ((bce 0.5 1. + bce -1. 0. + bce 30. 0.) / 3.) (F.BinaryCrossEntropyWithLogits(x, y).Item<float>())
    closeScalar 1e-12 ((0.25 + 1.0 + 900.0) / 3.) (F.MseLoss(x, y).Item<float>())
    closeScalar 1e-12 (0.25 + 1.0 + 900.0) (F.MseLoss(x, y, Reduction.Sum).Item<float>())

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.FunctionalTests" [
        Expecto.Tests.testCase "conv2d with a 2x2 ones kernel sums each 2x2 window" ``conv2d with a 2x2 ones kernel sums each 2x2 window``
        Expecto.Tests.testCase "conv_transpose2d spreads each input pixel over the kernel footprint" ``conv_transpose2d spreads each input pixel over the kernel footprint``
        Expecto.Tests.testCase "embedding picks rows and linear is x W^T + b" ``embedding picks rows and linear is x W^T + b``
        Expecto.Tests.testCase "layer_norm standardises over the last dims with the biased variance" ``layer_norm standardises over the last dims with the biased variance``
        Expecto.Tests.testCase "dropout zeroes about p and scales survivors by 1/(1-p); eval mode is the identity" ``dropout zeroes about p and scales survivors by 1/(1-p); eval mode is the identity``
        Expecto.Tests.testCase "nll and cross-entropy equal -log softmax at the target" ``nll and cross-entropy equal -log softmax at the target``
        Expecto.Tests.testCase "bce with logits is max(x,0) - x y + log(1 + exp(-|x|)), mse is the mean squared error" ``bce with logits is max(x,0) - x y + log(1 + exp(-|x|)), mse is the mean squared error``
    ]
