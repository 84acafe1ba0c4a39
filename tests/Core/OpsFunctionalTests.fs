/// OpsFunctionalTests.fs: the torch.nn.functional ops and losses of issue 14 against closed forms and hand-worked arrangements, with gradients against central differences.
module GenDsl.Tests.Core.OpsFunctionalTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private ar (n: int64) = Torch.Arange(Scalar.op_Implicit 0L, Scalar.op_Implicit n, dtype = Nullable f64)

/// d/dx_i sum f(x) by autograd against central differences in float64 (h = 1e-6: error ~1e-10, tolerance 1e-6).
let private gradMatchesFd (f: Tensor -> Tensor) (xs: float list) =
    use sc = Scope.Begin()
    let x = vec xs
    x.RequiresGrad <- true
    f(x).Sum().Backward()
    let h = 1e-6
    let at i d = vec (xs |> List.mapi (fun j v -> if j = i then v + d else v))
    let fd = [ for i in 0 .. xs.Length - 1 -> ((f (at i h)).Sum().ToDouble() - (f (at i -h)).Sum().ToDouble()) / (2.0 * h) ]
    close 1e-6 fd x.Grad

let ``Elu, Selu, Celu, tanh-Gelu, Hardtanh, Glu and Softmin follow their formulas`` () =
    use sc = Scope.Begin()
    let xs = [ -2.0; -0.5; 0.0; 1.5 ]
    let x = vec xs
    close 1e-12 [ for v in xs -> if v > 0.0 then v else 0.7 * (exp v - 1.0) ] (Functional.Elu(x, 0.7))
    let a, s = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    close 1e-12 [ for v in xs -> s * (if v > 0.0 then v else a * (exp v - 1.0)) ] (Functional.Selu(x))
    close 1e-12 [ for v in xs -> max 0.0 v + min 0.0 (2.0 * (exp (v / 2.0) - 1.0)) ] (Functional.Celu(x, 2.0))
    close 1e-12 [ for v in xs -> 0.5 * v * (1.0 + tanh (sqrt (2.0 / Math.PI) * (v + 0.044715 * v ** 3.0))) ] (Functional.Gelu(x, "tanh"))
    close 1e-12 (vals (Functional.Gelu(x))) (Functional.Gelu(x, "none"))
    Assert.Throws<ArgumentException>(fun () -> Functional.Gelu(x, "erf") |> ignore) |> ignore
    close 0.0 [ -1.0; -0.5; 0.0; 1.0 ] (Functional.Hardtanh(x, -1.0, 1.0))
    // glu over the last dim: (a, b) = ([-2, -0.5], [0, 1.5]) -> a * sigmoid(b)
    let sg v = 1.0 / (1.0 + exp -v)
    close 1e-12 [ -2.0 * sg 0.0; -0.5 * sg 1.5 ] (Functional.Glu(x))
    let z = exp 2.0 + exp 0.5 + exp 0.0 + exp -1.5
    close 1e-12 [ exp 2.0 / z; exp 0.5 / z; 1.0 / z; exp -1.5 / z ] (Functional.Softmin(x, 0L))

let ``Normalize makes unit rows and keeps zero rows zero, CosineSimilarity is the cosine of the angle`` () =
    use sc = Scope.Begin()
    let x = t64 [ 2L; 2L ] [ 3.; 4.; 0.; 0. ]
    close 1e-12 [ 0.6; 0.8; 0.; 0. ] (Functional.Normalize(x))
    close 1e-12 [ 3. / 7.; 4. / 7.; 0.; 0. ] (Functional.Normalize(x, 1.0))
    close 1e-12 [ 1.; 0.; 0.; 1. ] (Functional.Normalize(t64 [ 2L; 2L ] [ 2.; 0.; 0.; 5. ], dim = 0L))
    let a = t64 [ 2L; 2L ] [ 1.; 0.; 1.; 1. ]
    let b = t64 [ 1L; 2L ] [ 0.; 2. ]
    close 1e-12 [ 0.; 1. / sqrt 2. ] (Functional.CosineSimilarity(a, b))          // broadcasts b over rows

let ``GroupNorm standardises each group of channels, Conv1d slides its kernel, adaptive pools cover the input`` () =
    use sc = Scope.Begin()
    // one sample, 4 channels of 2 values, 2 groups: group 0 = {0, 1, 2, 3}, group 1 = {10, 20, 30, 40}
    let x = t64 [ 1L; 4L; 2L ] [ 0.; 1.; 2.; 3.; 10.; 20.; 30.; 40. ]
    let g = Functional.GroupNorm(x, 2L, eps = 0.0)
    let z = [ -1.5; -0.5; 0.5; 1.5 ] |> List.map (fun d -> d / sqrt 1.25)             // (v - mean) / sqrt(biased var)
    close 1e-12 (z @ z) g
    let gw = Functional.GroupNorm(x, 2L, vec [ 1.; 2.; 1.; 1. ], vec [ 0.; 0.; 0.; 5. ], eps = 0.0)
    close 1e-12 ([ z.[0]; z.[1]; 2. * z.[2]; 2. * z.[3] ] @ [ z.[0]; z.[1]; z.[2] + 5.; z.[3] + 5. ]) gw
    Assert.Throws<ArgumentException>(fun () -> Functional.GroupNorm(x, 3L) |> ignore) |> ignore
    // conv1d with kernel [1, -1] is a first difference; padding 1 and stride 2 as PyTorch's output length formula says
    let s = t64 [ 1L; 1L; 5L ] [ 1.; 4.; 9.; 16.; 25. ]
    let w = t64 [ 1L; 1L; 2L ] [ 1.; -1. ]
    close 1e-12 [ -3.; -5.; -7.; -9. ] (Functional.Conv1d(s, w))
    close 1e-12 [ -1.; -5.; -9. ] (Functional.Conv1d(s, w, padding = 1L, stride = 2L))
    close 1e-12 [ -2.; -4.; -6.; -8. ] (Functional.Conv1d(s, w, vec [ 1. ]) )
    // adaptive windows of 5 into 3: [0, 2), [1, 4), [3, 5)
    close 1e-12 [ 0.5; 2.0; 3.5 ] (Functional.AdaptiveAvgPool1d((ar 5L).Reshape(1L, 1L, 5L), 3L))
    close 1e-12 [ 1.0; 3.0; 4.0 ] (Functional.AdaptiveMaxPool1d((ar 5L).Reshape(1L, 1L, 5L), 3L))
    let img = (ar 16L).Reshape(1L, 1L, 4L, 4L)
    close 1e-12 [ 2.5; 4.5; 10.5; 12.5 ] (Functional.AdaptiveAvgPool2d(img, 2L))
    close 1e-12 [ 5.; 7.; 13.; 15. ] (Functional.AdaptiveMaxPool2d(img, 2L))
    close 1e-12 [ 7.5 ] (Functional.AdaptiveAvgPool2d(img, 1L))

let ``Interpolate resizes by nearest or bilinear with half-pixel centres; MNIST 28x28 becomes 32x32`` () =
    use sc = Scope.Begin()
    let x = t64 [ 1L; 1L; 2L; 2L ] [ 0.; 1.; 2.; 3. ]
    close 0.0 [ 0.; 0.; 1.; 1.; 0.; 0.; 1.; 1.; 2.; 2.; 3.; 3.; 2.; 2.; 3.; 3. ] (Functional.Interpolate(x, scaleFactor = Nullable 2.0))
    // bilinear, align_corners false: a row [0, 1] sampled at x = (j + 0.5) / 2 - 0.5 clamped -> 0, 0.25, 0.75, 1
    close 1e-12 [ 0.; 0.25; 0.75; 1.; 0.5; 0.75; 1.25; 1.5; 1.5; 1.75; 2.25; 2.5; 2.; 2.25; 2.75; 3. ]
        (Functional.Interpolate(x, size = [| 4L; 4L |], mode = "bilinear"))
    // nearest downsampling 3 -> 2 picks src floor(dst * 3 / 2) = 0, 1
    close 0.0 [ 0.; 1.; 3.; 4. ] (Functional.Interpolate((ar 9L).Reshape(1L, 1L, 3L, 3L), size = [| 2L; 2L |]))
    // align_corners true maps corners to corners: 2 -> 3 gives the midpoint in the middle
    close 1e-12 [ 0.; 0.5; 1. ] (Functional.Interpolate(t64 [ 1L; 1L; 1L; 2L ] [ 0.; 1. ], size = [| 1L; 3L |], mode = "bilinear", alignCorners = Nullable true))
    let mnist = Torch.Rand([| 2L; 1L; 28L; 28L |], new Generator(1UL))
    Assert.Equal<int64 list>([ 2L; 1L; 32L; 32L ], shape (Functional.Interpolate(mnist, size = [| 32L; 32L |], mode = "bilinear")))
    Assert.Throws<ArgumentException>(fun () -> Functional.Interpolate(x) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> Functional.Interpolate(x, scaleFactor = Nullable 2.0, mode = "bicubic") |> ignore) |> ignore

let ``PixelShuffle interleaves channels into space and PixelUnshuffle undoes it; Fold inverts Unfold for disjoint blocks`` () =
    use sc = Scope.Begin()
    // 4 channels of one pixel each -> one 2x2 channel in channel order
    let x = t64 [ 1L; 4L; 1L; 1L ] [ 1.; 2.; 3.; 4. ]
    let y = Functional.PixelShuffle(x, 2L)
    Assert.Equal<int64 list>([ 1L; 1L; 2L; 2L ], shape y)
    close 0.0 [ 1.; 2.; 3.; 4. ] y
    let big = (ar 32L).Reshape(1L, 8L, 2L, 2L)
    close 0.0 (vals big) (Functional.PixelUnshuffle(Functional.PixelShuffle(big, 2L), 2L))
    let img = (ar 16L).Reshape(1L, 1L, 4L, 4L)
    let cols = Functional.Unfold(img, 2L, stride = 2L)                     // (1, 4, 4): 4 blocks of 2x2
    Assert.Equal<int64 list>([ 1L; 4L; 4L ], shape cols)
    close 0.0 [ 0.; 2.; 8.; 10. ] (cols.Select(1L, 0L))                    // each block's top-left
    close 0.0 (vals img) (Functional.Fold(cols, [| 4L; 4L |], 2L, stride = 2L))
    // overlapping blocks (stride 1): Fold sums, so Fold(Unfold(ones)) counts how many blocks cover each pixel
    let ones = Torch.Ones([| 1L; 1L; 3L; 3L |], f64)
    close 0.0 [ 1.; 2.; 1.; 2.; 4.; 2.; 1.; 2.; 1. ] (Functional.Fold(Functional.Unfold(ones, 2L), [| 3L; 3L |], 2L))

let ``GumbelSoftmax draws from the generator: soft samples sum to 1, hard ones are one-hot and their argmax follows softmax(logits)`` () =
    use sc = Scope.Begin()
    let logits = (vec [ 0.0; 1.0; 2.0 ]).Expand(4000L, 3L)
    let y = Functional.GumbelSoftmax(logits, 0.5, generator = new Generator(3UL))
    close 1e-12 (List.replicate 4000 1.0) (y.Sum(1L))
    let y2 = Functional.GumbelSoftmax(logits, 0.5, generator = new Generator(3UL))
    Assert.True(y.Equal(y2))                                              // same seed, same draws
    let h = Functional.GumbelSoftmax(logits, hard = true, generator = new Generator(4UL))
    close 0.0 (List.replicate 4000 1.0) (h.Sum(1L))
    Assert.Equal(4000L * 2L, h.Eq(0.0).Sum().Item<int64>())
    // Gumbel-max: P(argmax = k) = softmax(logits)_k; 4000 draws, sd sqrt(p (1 - p) / 4000) <= 0.0079, 4 sd = 0.032
    let z = 1.0 + exp 1.0 + exp 2.0
    close 0.032 [ 1.0 / z; exp 1.0 / z; exp 2.0 / z ] (h.Mean([| 0L |]))
    // straight-through: the hard sample's gradient is the soft sample's
    let l = (vec [ 0.0; 1.0; 2.0 ])
    l.RequiresGrad <- true
    let hs = Functional.GumbelSoftmax(l, hard = true, generator = new Generator(5UL))
    (hs * vec [ 1.0; 2.0; 3.0 ]).Sum().Backward()
    Assert.True(l.Grad.Abs().Sum().ToDouble() > 0.0)

let ``KlDiv, L1Loss, SmoothL1Loss, HuberLoss and GaussianNllLoss give the values worked by hand`` () =
    use sc = Scope.Begin()
    let p = t64 [ 2L; 2L ] [ 0.5; 0.5; 0.9; 0.1 ]
    let q = t64 [ 2L; 2L ] [ 0.25; 0.75; 0.5; 0.5 ]
    let kl1 = 0.5 * log 2.0 + 0.5 * log (0.5 / 0.75)
    let kl2 = 0.9 * log 1.8 + 0.1 * log 0.2
    close 1e-12 [ (kl1 + kl2) / 2.0 ] (Functional.KlDiv(q.Log(), p, batchMean = true))
    close 1e-12 [ (kl1 + kl2) / 4.0 ] (Functional.KlDiv(q.Log(), p))
    close 1e-12 [ kl1 + kl2 ] (Functional.KlDiv(q.Log(), p.Log(), Reduction.Sum, logTarget = true))
    let a = vec [ 0.0; 0.5; 3.0 ]
    let b = vec [ 0.2; -0.5; 0.0 ]                                                   // d = -0.2, 1.0, 3.0
    close 1e-12 [ (0.2 + 1.0 + 3.0) / 3.0 ] (Functional.L1Loss(a, b))
    // beta 2: |d| < 2 -> 0.5 d^2 / 2; else |d| - 1
    close 1e-12 [ 0.01; 0.25; 2.0 ] (Functional.SmoothL1Loss(a, b, Reduction.None, 2.0))
    // delta 2: |d| < 2 -> 0.5 d^2; else 2 (|d| - 1)
    close 1e-12 [ 0.02 + 0.5 + 4.0 ] (Functional.HuberLoss(a, b, Reduction.Sum, 2.0))
    let v = vec [ 0.5; 1e-9; 2.0 ]
    v.RequiresGrad <- true
    let inp, tgt = vec [ 0.2; 0.5; 3.0 ], vec [ 0.0; 0.5; 1.0 ]
    let nll = Functional.GaussianNllLoss(inp, tgt, v, reduction = Reduction.Sum)
    // var 1e-9 is clamped to eps = 1e-6 in value, yet the gradient reaches it: 0.5 (1 / eps - 0 / eps^2) = 5e5 (as PyTorch)
    close 1e-9 [ 0.5 * (log 0.5 + 0.04 / 0.5) + 0.5 * log 1e-6 + 0.5 * (log 2.0 + 4.0 / 2.0) ] nll
    nll.Backward()
    close 1e-6 [ 0.5 * (1.0 / 0.5 - 0.04 / 0.25); 5e5; 0.5 * (0.5 - 4.0 / 4.0) ] v.Grad
    let full = Functional.GaussianNllLoss(inp, tgt, vec [ 1.0; 1.0; 1.0 ], full = true)
    close 1e-12 [ (0.5 * (0.04 + 0.0 + 4.0) + 1.5 * log (2.0 * Math.PI)) / 3.0 ] full
    // one variance per row: var (N,) against input (N, D), and (N, 1)
    let i2, t2 = t64 [ 2L; 2L ] [ 1.; 2.; 3.; 4. ], Torch.Zeros([| 2L; 2L |], f64)
    close 1e-12 (vals (Functional.GaussianNllLoss(i2, t2, vec [ 2.0; 4.0 ]))) (Functional.GaussianNllLoss(i2, t2, t64 [ 2L; 1L ] [ 2.0; 4.0 ]))
    Assert.Throws<ArgumentException>(fun () -> Functional.GaussianNllLoss(i2, t2, vec [ 1.; 2.; 3. ]) |> ignore) |> ignore

let ``The new activations and losses differentiate like their formulas (central differences)`` () =
    gradMatchesFd (fun x -> Functional.Elu(x, 0.7)) [ -1.0; 0.5 ]
    gradMatchesFd (fun x -> Functional.Selu(x)) [ -1.0; 0.5 ]
    gradMatchesFd (fun x -> Functional.Gelu(x, "tanh")) [ -1.0; 0.3; 2.0 ]
    gradMatchesFd (fun x -> Functional.Glu(x)) [ -1.0; 0.3; 2.0; 0.7 ]
    gradMatchesFd (fun x -> Functional.Normalize(x.Reshape(1L, 3L)) * vec [ 1.0; 2.0; 3.0 ]) [ 0.5; -1.0; 2.0 ]
    gradMatchesFd (fun x -> Functional.CosineSimilarity(x.Reshape(1L, 3L), t64 [ 1L; 3L ] [ 1.0; 0.5; -2.0 ])) [ 0.5; -1.0; 2.0 ]
    gradMatchesFd (fun x -> Functional.GroupNorm(x.Reshape(1L, 2L, 2L), 1L) * vec [ 1.0; 2.0 ]) [ 0.5; -1.0; 2.0; 0.1 ]
    gradMatchesFd (fun x -> Functional.HuberLoss(x, vec [ 0.0; 0.0; 0.0 ], Reduction.Sum, 1.0)) [ -3.0; 0.4; 2.0 ]
    gradMatchesFd (fun x -> Functional.SmoothL1Loss(x, vec [ 0.0; 0.0; 0.0 ], Reduction.Sum, 0.5)) [ -3.0; 0.2; 2.0 ]
    gradMatchesFd (fun x -> Functional.KlDiv(x, vec [ 0.2; 0.3; 0.5 ], Reduction.Sum)) [ -1.0; -2.0; -0.5 ]
    gradMatchesFd (fun x -> Functional.Interpolate(x.Reshape(1L, 1L, 2L, 2L), size = [| 3L; 3L |], mode = "bilinear") * (ar 9L).Reshape(1L, 1L, 3L, 3L)) [ 1.0; 2.0; -1.0; 0.5 ]

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsFunctionalTests" [
        Expecto.Tests.testCase "Elu, Selu, Celu, tanh-Gelu, Hardtanh, Glu and Softmin follow their formulas" ``Elu, Selu, Celu, tanh-Gelu, Hardtanh, Glu and Softmin follow their formulas``
        Expecto.Tests.testCase "Normalize makes unit rows and keeps zero rows zero, CosineSimilarity is the cosine of the angle" ``Normalize makes unit rows and keeps zero rows zero, CosineSimilarity is the cosine of the angle``
        Expecto.Tests.testCase "GroupNorm standardises each group of channels, Conv1d slides its kernel, adaptive pools cover the input" ``GroupNorm standardises each group of channels, Conv1d slides its kernel, adaptive pools cover the input``
        Expecto.Tests.testCase "Interpolate resizes by nearest or bilinear with half-pixel centres; MNIST 28x28 becomes 32x32" ``Interpolate resizes by nearest or bilinear with half-pixel centres; MNIST 28x28 becomes 32x32``
        Expecto.Tests.testCase "PixelShuffle interleaves channels into space and PixelUnshuffle undoes it; Fold inverts Unfold for disjoint blocks" ``PixelShuffle interleaves channels into space and PixelUnshuffle undoes it; Fold inverts Unfold for disjoint blocks``
        Expecto.Tests.testCase "GumbelSoftmax draws from the generator: soft samples sum to 1, hard ones are one-hot and their argmax follows softmax(logits)" ``GumbelSoftmax draws from the generator: soft samples sum to 1, hard ones are one-hot and their argmax follows softmax(logits)``
        Expecto.Tests.testCase "KlDiv, L1Loss, SmoothL1Loss, HuberLoss and GaussianNllLoss give the values worked by hand" ``KlDiv, L1Loss, SmoothL1Loss, HuberLoss and GaussianNllLoss give the values worked by hand``
        Expecto.Tests.testCase "The new activations and losses differentiate like their formulas (central differences)" ``The new activations and losses differentiate like their formulas (central differences)``
    ]
