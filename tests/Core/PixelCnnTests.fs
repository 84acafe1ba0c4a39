/// PixelCnnTests.fs: PixelCNN from Mila Q1's masked convolutions — receptive field, the autoregressive property by autograd, exact likelihoods, sampling, training.
module GenDsl.Tests.Core.PixelCnnTests

open System
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

let private small (block: PixelCnnBlock) (output: PixelCnnOutput) (blocks: int) (seed: uint64) =
    use g = new Generator(seed)
    new PixelCnn(PixelCnnOptions(Channels = 4L, Blocks = blocks, FirstKernel = 3L, Kernel = 3L, Block = block, Output = output), g, f64)

/// The position of pixel (r, c) in the order Mila Q1's masks define: rows from the bottom, left to right.
let private rank (h: int64) (w: int64) (r: int64) (c: int64) = (h - 1L - r) * w + c

/// Every weight and bias made positive, so no ReLU is off and no two paths cancel: a gradient is non-zero exactly on
/// the structural receptive field (the Q1 study's MaskedConvNet draws positive weights for the same reason).
let private positive (m: PixelCnn) =
    use ng = Autograd.NoGrad()
    for p in m.Parameters() do p.Copy_(p.Abs() + 0.1) |> ignore

let private gridOf (grad: Tensor) (h: int) (w: int) =
    let v = vals grad
    [ for i in 0 .. h - 1 -> String(Array.init w (fun j -> if v.[i * w + j] <> 0.0 then '#' else '.')) ]

let ``Mila Q1: a PixelCNN of a type A then a type B 3x3 layer has the study's AB receptive field at pixel (3,4)`` () =
    use m = small PixelCnnBlock.Plain PixelCnnOutput.Bernoulli 1 21UL
    positive m
    use x = Torch.Full([| 1L; 1L; 5L; 5L |], 0.5, f64).RequiresGrad_()
    use y = m.Forward(x)
    use grad = Autograd.Grad(y.[0L, 0L, 2L, 3L], x)
    // the hand-derived grid of tests/Seeds/MilaDgmTests.fs for AB
    Assert.Equal<string list>([ "....."; "....."; ".##.."; ".####"; ".####" ], gridOf grad 5 5)

let blockKinds: obj[] seq =
    [ for b in [ PixelCnnBlock.Plain; PixelCnnBlock.Residual; PixelCnnBlock.Gated; PixelCnnBlock.GatedStack ] do
        for o in [ PixelCnnOutput.Bernoulli; PixelCnnOutput.Categorical256 ] -> [| box b; box o |] ]

let ``PixelCNN: output pixel i has zero gradient w.r.t. input pixels at or after i in raster order (autograd, every block kind)`` (block: PixelCnnBlock, output: PixelCnnOutput) =
    let h, w = 5L, 4L
    use m = small block output 3 22UL
    use g = new Generator(23UL)
    use x0 = Torch.RandInt(0L, (if output = PixelCnnOutput.Bernoulli then 2L else 256L), [| 1L; 1L; h; w |], g, f64)
    // the sum over output channels keeps every dependence (a zero pattern survives summing; random weights rarely cancel)
    use j = Autograd.Jacobian((fun v -> m.Forward(v.View(1L, 1L, h, w)).Sum([| 1L |]).Reshape(-1L)), x0.Reshape(-1L))   // (H W, H W)
    let jv = vals j
    let mutable seen = 0
    for r in 0L .. h - 1L do
        for c in 0L .. w - 1L do
            for r2 in 0L .. h - 1L do
                for c2 in 0L .. w - 1L do
                    let gval = jv.[int ((r * w + c) * h * w + r2 * w + c2)]
                    if rank h w r2 c2 >= rank h w r c then
                        Assert.True((gval = 0.0), sprintf "output (%d,%d) depends on input (%d,%d): %g" r c r2 c2 gval)
                    elif gval <> 0.0 then seen <- seen + 1
    // the test bites: most earlier pixels in reach do influence the output (190 earlier pairs in all)
    Assert.True(seen > 60, sprintf "only %d dependencies seen" seen)

let ``Mila Q1: stacked masked 3x3 layers have a blind spot below-right of the pixel; the gated two-stack PixelCNN sees every earlier pixel`` () =
    let field (block: PixelCnnBlock) =
        use m = small block PixelCnnOutput.Bernoulli 3 31UL   // 4 layers: a reach of 4 columns each way covers the 5x5 map
        positive m
        use x = Torch.Full([| 1L; 1L; 5L; 5L |], 0.5, f64).RequiresGrad_()
        use y = m.Forward(x)
        use grad = Autograd.Grad(y.[0L, 0L, 2L, 2L], x)
        gridOf grad 5 5
    // pixel (2, 2): the earlier pixels are rows 3 and 4 and (2, 0), (2, 1)
    Assert.Equal<string list>([ "....."; "....."; "##..."; "#####"; "#####" ], field PixelCnnBlock.GatedStack)
    // the masked stack never reaches (3, 4): a row below and two columns right (within a row it only moves left)
    let plain = field PixelCnnBlock.Plain
    Assert.Equal('.', plain.[3].[4])
    Assert.Equal("##...", plain.[2])

let ``Mila Q1: at the centre, a type A layer's output ignores its own pixel and a type B layer's reads it`` () =
    use g = new Generator(24UL)
    for t, expectZero in [ MaskType.A, true; MaskType.B, false ] do
        use conv = new MaskedConv2d(1L, 2L, 3L, t, g, f64)
        use x = Torch.Randn([| 1L; 1L; 3L; 3L |], g, f64).RequiresGrad_()
        use grad = Autograd.Grad(conv.Forward(x).[0L, 0L, 1L, 1L], x)
        Assert.Equal(expectZero, grad.[0L, 0L, 1L, 1L].ToDouble() = 0.0)
        // and never a pixel above, nor to the right in its row
        for r, c in [ 0L, 0L; 0L, 1L; 0L, 2L; 1L, 2L ] do Assert.Equal(0.0, grad.[0L, 0L, r, c].ToDouble())

let private maxAbsDiff (a: Tensor) (b: Tensor) = use d = (a - b).Abs().Max() in d.ToDouble()

let ``MaskedConv2d convolves with the mask's nonzero rows only, and equals the full k x k masked convolution (Mila Q1's definition) in value and in both gradients`` () =
    use g = new Generator(31UL)
    for t in [ MaskType.A; MaskType.B ] do
        for k in [ 1L; 3L; 5L; 7L ] do
            use conv = new MaskedConv2d(3L, 2L, k, t, g, f64)
            use x = Torch.Randn([| 2L; 3L; 6L; 5L |], g, f64).RequiresGrad_()
            use w = conv.Weight
            use y = conv.Forward(x)                                             // (2, 2, 6, 5): the input's size
            use reference = MaskedConv.Conv2d(x, w, t, conv.Bias)               // conv2d(x, W * M, b), padding (k-1)/2
            Assert.Equal<int64[]>(reference.Shape, y.Shape)
            // float64, one summation order against another: 1e-12 is ~1e4 ulps of these O(1) sums.
            Assert.True(maxAbsDiff y reference < 1e-12, sprintf "type %A, k %d: outputs differ by %g" t k (maxAbsDiff y reference))
            use upstream = Torch.Randn(y.Shape, g, f64)
            let grads (out: Tensor) = Autograd.Grad([| (out * upstream).Sum() |], [| x; w |], retainGraph = true)
            let a, b = grads y, grads reference
            for i, name in [ 0, "input"; 1, "weight" ] do
                Assert.True(maxAbsDiff a.[i] b.[i] < 1e-12, sprintf "type %A, k %d: %s gradients differ by %g" t k name (maxAbsDiff a.[i] b.[i]))

let ``PixelCNN's channels-last layers give the row-major network's logits and gradients (every block kind)`` () =
    use g = new Generator(37UL)
    for block in [ PixelCnnBlock.Plain; PixelCnnBlock.Residual; PixelCnnBlock.Gated; PixelCnnBlock.GatedStack ] do
        use m = small block PixelCnnOutput.Bernoulli 2 41UL
        use x = Torch.Bernoulli(Torch.Full([| 3L; 1L; 5L; 4L |], 0.5, f64), g)
        use y = m.Forward(x)                                                   // the first layer's output made channels-last
        use reference = m.Net.Forward(x)                                       // every layer row-major
        // float64, the same sums in another order (oneDNN's blocked kernels): 1e-12 is ~1e4 ulps of these O(1) logits.
        Assert.True(maxAbsDiff y reference < 1e-12, sprintf "%A: logits differ by %g" block (maxAbsDiff y reference))
        let ps = m.Parameters() |> Array.ofSeq
        let grads (out: Tensor) = Autograd.Grad([| out.Sum() |], ps)
        let a, b = grads y, grads reference
        for i in 0 .. ps.Length - 1 do
            Assert.True(maxAbsDiff a.[i] b.[i] < 1e-12, sprintf "%A: gradient %d differs by %g" block i (maxAbsDiff a.[i] b.[i]))

let ``PixelCNN's Bernoulli likelihood is exact: p over all 2^6 binary 2x3 images sums to 1`` () =
    use m = small PixelCnnBlock.Gated PixelCnnOutput.Bernoulli 2 25UL
    using (Autograd.NoGrad()) (fun _ -> for p in m.Parameters() do p.Mul_(2.0) |> ignore)
    use x = Torch.Tensor<float>([| for k in 0 .. 63 do for i in 0 .. 5 -> float ((k >>> i) &&& 1) |], 64L, 1L, 2L, 3L)
    use lp = m.LogProb(x)
    closeScalar 1e-12 1.0 (lp.Exp().Sum().ToDouble())   // 64 float64 terms
    Assert.True(lp.Max().ToDouble() - lp.Min().ToDouble() > 0.5, "far from uniform")

let ``PixelCNN's 256-way likelihood is exact: p over all 256^2 one-by-two images sums to 1`` () =
    use m = small PixelCnnBlock.Residual PixelCnnOutput.Categorical256 1 26UL
    use x = Torch.Tensor<float>([| for k in 0 .. 65535 do yield float (k % 256); yield float (k / 256) |], 65536L, 1L, 1L, 2L)
    use lp = m.LogProb(x)
    closeScalar 1e-10 1.0 (lp.Exp().Sum().ToDouble())

let ``PixelCNN samples pixel by pixel follow p: the frequencies of the 16 binary 2x2 images match exp(log p) within 4 SE`` () =
    use m = small PixelCnnBlock.Plain PixelCnnOutput.Bernoulli 2 27UL
    using (Autograd.NoGrad()) (fun _ -> for p in m.Parameters() do p.Mul_(2.0) |> ignore)
    use g = new Generator(28UL)
    let n = 20000L
    use s = m.Sample(n, 2L, 2L, g)
    Assert.Equal<int64 list>([ n; 1L; 2L; 2L ], shape s)
    use code = (s.View(n, 4L) * Torch.Tensor<float>([| 1.0; 2.0; 4.0; 8.0 |])).Sum(1L)
    let codes = vals code
    use all = Torch.Tensor<float>([| for k in 0 .. 15 do for i in 0 .. 3 -> float ((k >>> i) &&& 1) |], 16L, 1L, 2L, 2L)
    let pv = vals (m.LogProb(all).Exp())
    for k in 0 .. 15 do
        let freq = (codes |> Array.filter (fun c -> int c = k) |> Array.length |> float) / float n
        let se = sqrt (pv.[k] * (1.0 - pv.[k]) / float n)   // binomial SE; 16 cells at 4 SE: a false failure ~1e-3
        if abs (freq - pv.[k]) > 4.0 * se then failwithf "image %d: frequency %g, p %g (SE %g)" k freq pv.[k] se

let ``PixelCNN's NLL on tiny binary images falls through the Trainer; 256-way samples are integers in 0..255`` () =
    use g = new Generator(29UL)
    use stripes = Torch.Tensor<float32>([| for i in 0 .. 63 -> if (i / 8) % 2 = 0 then 1.0f else 0.0f |], 1L, 1L, 8L, 8L)
    use flip = Torch.Bernoulli(Torch.Full([| 64L; 1L; 8L; 8L |], 0.05), g)
    use data = (stripes - flip).Abs()
    use m = new PixelCnn(PixelCnnOptions(Channels = 16L, Blocks = 2, FirstKernel = 5L), g)
    use trainer = new Trainer(m, (fun ps -> upcast new Adam(ps, lr = 1e-2)), (fun _ -> null), TrainOptions(Steps = 30L, BatchSize = 32, Seed = 4UL))
    let r = trainer.Fit(new TensorDataset(data), Objective(fun b _ -> m.Loss(b)))
    let l = [| for s in r.StepRecords -> s.Loss |]
    // 64 ln 2 = 44 nats at the start; the stripes with 5% noise carry 64 H(0.05) = 12.7 nats
    let first, last = Array.average l.[0..1], Array.average l.[28..29]
    Assert.True(last < first - 10.0, sprintf "NLL %g -> %g" first last)
    use sb = m.Sample(2L, 8L, 8L, g)
    Assert.Equal<int64 list>([ 2L; 1L; 8L; 8L ], shape sb)
    Assert.True(sb.Eq(0.0).LogicalOr(sb.Eq(1.0)).All().Item<bool>())
    use c = small PixelCnnBlock.Plain PixelCnnOutput.Categorical256 1 30UL
    use sc = c.Sample(3L, 3L, 3L, g)
    Assert.True(sc.Eq(sc.Round()).All().Item<bool>() && sc.Min().ToDouble() >= 0.0 && sc.Max().ToDouble() <= 255.0)
    throws<ArgumentException> "single-channel images (B, 1, H, W)" (fun () -> box (m.Forward(Torch.Zeros(2L, 3L, 8L, 8L))))

let ``PixelCnnOptions are checked with the option's name: odd kernels, even channels for residual blocks`` () =
    throws<ArgumentException> "must be odd and positive" (fun () -> box (new PixelCnn(PixelCnnOptions(FirstKernel = 4L))))
    throws<ArgumentException> "Channels must be even for residual blocks" (fun () -> box (new PixelCnn(PixelCnnOptions(Channels = 5L, Block = PixelCnnBlock.Residual))))
    throws<ArgumentException> "Blocks must be >= 0" (fun () -> box (new PixelCnn(PixelCnnOptions(Blocks = -1))))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.PixelCnnTests" [
        Expecto.Tests.testCase "Mila Q1: a PixelCNN of a type A then a type B 3x3 layer has the study's AB receptive field at pixel (3,4)" ``Mila Q1: a PixelCNN of a type A then a type B 3x3 layer has the study's AB receptive field at pixel (3,4)``
        yield! [ for row in blockKinds -> Expecto.Tests.testCase ("PixelCNN: output pixel i has zero gradient w.r.t. input pixels at or after i in raster order (autograd, every block kind)(" + "block: " + GenDsl.Tests.Support.xunitArg row.[0] + ", " + "output: " + GenDsl.Tests.Support.xunitArg row.[1] + ")") (fun () -> ``PixelCNN: output pixel i has zero gradient w.r.t. input pixels at or after i in raster order (autograd, every block kind)`` (unbox row.[0], unbox row.[1])) ]
        Expecto.Tests.testCase "Mila Q1: stacked masked 3x3 layers have a blind spot below-right of the pixel; the gated two-stack PixelCNN sees every earlier pixel" ``Mila Q1: stacked masked 3x3 layers have a blind spot below-right of the pixel; the gated two-stack PixelCNN sees every earlier pixel``
        Expecto.Tests.testCase "Mila Q1: at the centre, a type A layer's output ignores its own pixel and a type B layer's reads it" ``Mila Q1: at the centre, a type A layer's output ignores its own pixel and a type B layer's reads it``
        Expecto.Tests.testCase "MaskedConv2d convolves with the mask's nonzero rows only, and equals the full k x k masked convolution (Mila Q1's definition) in value and in both gradients" ``MaskedConv2d convolves with the mask's nonzero rows only, and equals the full k x k masked convolution (Mila Q1's definition) in value and in both gradients``
        Expecto.Tests.testCase "PixelCNN's channels-last layers give the row-major network's logits and gradients (every block kind)" ``PixelCNN's channels-last layers give the row-major network's logits and gradients (every block kind)``
        Expecto.Tests.testCase "PixelCNN's Bernoulli likelihood is exact: p over all 2^6 binary 2x3 images sums to 1" ``PixelCNN's Bernoulli likelihood is exact: p over all 2^6 binary 2x3 images sums to 1``
        Expecto.Tests.testCase "PixelCNN's 256-way likelihood is exact: p over all 256^2 one-by-two images sums to 1" ``PixelCNN's 256-way likelihood is exact: p over all 256^2 one-by-two images sums to 1``
        Expecto.Tests.testCase "PixelCNN samples pixel by pixel follow p: the frequencies of the 16 binary 2x2 images match exp(log p) within 4 SE" ``PixelCNN samples pixel by pixel follow p: the frequencies of the 16 binary 2x2 images match exp(log p) within 4 SE``
        Expecto.Tests.testCase "PixelCNN's NLL on tiny binary images falls through the Trainer; 256-way samples are integers in 0..255" ``PixelCNN's NLL on tiny binary images falls through the Trainer; 256-way samples are integers in 0..255``
        Expecto.Tests.testCase "PixelCnnOptions are checked with the option's name: odd kernels, even channels for residual blocks" ``PixelCnnOptions are checked with the option's name: odd kernels, even channels for residual blocks``
    ]
