/// ConvTransposeTests.fs: the float32 transposed convolution's oneDNN path (native/conv_transpose.cpp) against libtorch's own float64 kernel.
module GenDsl.Tests.Core.ConvTransposeTests

open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Tests.Support

/// Largest |a - b| over max |b| (a scale-free float32-vs-float64 distance).
let private relErr (a: Tensor) (b: Tensor) =
    let x, y = vals a, vals b
    let m = y |> Array.map abs |> Array.max
    Array.map2 (fun p q -> abs (p - q)) x y |> Array.max |> fun d -> d / m

/// A float32 ConvTranspose2d with 16 output channels (the oneDNN path) and its float64 copy (libtorch's slow kernel,
/// an independent implementation): outputs, and the gradients of <y, r> for a fixed random r.
let private bothPaths (cin: int64) (cout: int64) (k: int64) (stride: int64) (padding: int64) (outputPadding: int64) (h: int64) (w: int64) =
    use g = new Generator(11UL)
    use m32 = new ConvTranspose2d(cin, cout, k, stride = stride, padding = padding, outputPadding = outputPadding, generator = g)
    use m64 = new ConvTranspose2d(cin, cout, k, stride = stride, padding = padding, outputPadding = outputPadding, generator = g, dtype = ScalarType.Float64)
    using (Autograd.NoGrad()) (fun _ ->
        m64.Weight.Copy_(m32.Weight) |> ignore
        m64.Bias.Copy_(m32.Bias) |> ignore)
    let x32 = Torch.Randn([| 3L; cin; h; w |], g).RequiresGrad_()      // (B, C_in, H, W), float32
    let x64 = x32.Detach().To(ScalarType.Float64).RequiresGrad_()
    let y32 = m32.Forward x32
    let y64 = m64.Forward x64
    let r = Torch.RandnLike(y64, g)
    (y32 * r.Float()).Sum().Backward()
    (y64 * r).Sum().Backward()
    y32, y64, [ x32.Grad, x64.Grad; m32.Weight.Grad, m64.Weight.Grad; m32.Bias.Grad, m64.Bias.Grad ]

let ``ConvTranspose2d in float32 with 16 output channels equals libtorch's float64 transposed convolution, output padding and bias included`` () =
    use s = Scope.Begin()
    // stride 2, kernel 4, padding 1 as the VAE decoder; a non-square 5x4 input and output padding 1: (5-1)2 - 2 + 4 + 1 = 11 rows, 9 columns
    let y32, y64, grads = bothPaths 8L 16L 4L 2L 1L 1L 5L 4L
    Assert.Equal<int64 list>([ 3L; 16L; 11L; 9L ], shape y32)
    // Each output sums at most C_in k^2 / s^2 = 32 products and each weight gradient B H W = 60: float32 rounding (2^-24
    // per operation, at most n of them on sums of O(1) terms) stays below 1e-5 of the largest value; 1e-4 leaves room
    // for the kernels' different summation orders, while a wrong tap, offset or padding row is an O(1) error.
    Assert.True(relErr y32 y64 < 1e-4, sprintf "output: relative error %g" (relErr y32 y64))
    for name, (a, b) in List.zip [ "x"; "weight"; "bias" ] grads do
        Assert.True(relErr a b < 1e-4, sprintf "d/d%s: relative error %g" name (relErr a b))

let ``ConvTranspose2d in float32 keeps PyTorch's semantics at stride 1 and stride 3 without padding`` () =
    use s = Scope.Begin()
    for stride, k, outputPadding in [ 1L, 3L, 0L; 3L, 2L, 2L ] do
        let y32, y64, grads = bothPaths 4L 16L k stride 0L outputPadding 3L 3L
        Assert.Equal<int64 list>(shape y64, shape y32)
        Assert.True(relErr y32 y64 < 1e-4, sprintf "stride %d: output relative error %g" stride (relErr y32 y64))
        for a, b in grads do
            Assert.True(relErr a b < 1e-4, sprintf "stride %d: gradient relative error %g" stride (relErr a b))

let ``ConvTranspose2d in float32 is twice differentiable: the gradient of |dL/dx|^2 matches float64`` () =
    use g = new Generator(12UL)
    use s = Scope.Begin()
    use m32 = new ConvTranspose2d(4L, 16L, 4L, stride = 2L, padding = 1L, generator = g)
    use m64 = new ConvTranspose2d(4L, 16L, 4L, stride = 2L, padding = 1L, generator = g, dtype = ScalarType.Float64)
    using (Autograd.NoGrad()) (fun _ -> m64.Weight.Copy_(m32.Weight) |> ignore; m64.Bias.Copy_(m32.Bias) |> ignore)
    let x32 = Torch.Randn([| 2L; 4L; 3L; 3L |], g).RequiresGrad_()    // (B, C_in, H, W)
    let x64 = x32.Detach().To(ScalarType.Float64).RequiresGrad_()
    let penalty (m: ConvTranspose2d) (x: Tensor) =
        let y = m.Forward x
        let gx = Autograd.Grad((y.Square()).Sum(), x, createGraph = true)   // 2 C^T... = 2 conv(y, w): depends on w twice
        gx.Square().Sum()
    penalty m32 x32 |> fun p -> p.Backward()
    penalty m64 x64 |> fun p -> p.Backward()
    // a gradient penalty (WGAN-GP style) reaches the weight through both the forward and the input-gradient
    Assert.True(relErr m32.Weight.Grad m64.Weight.Grad < 1e-4, sprintf "relative error %g" (relErr m32.Weight.Grad m64.Weight.Grad))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ConvTransposeTests" [
        Expecto.Tests.testCase "ConvTranspose2d in float32 with 16 output channels equals libtorch's float64 transposed convolution, output padding and bias included" ``ConvTranspose2d in float32 with 16 output channels equals libtorch's float64 transposed convolution, output padding and bias included``
        Expecto.Tests.testCase "ConvTranspose2d in float32 keeps PyTorch's semantics at stride 1 and stride 3 without padding" ``ConvTranspose2d in float32 keeps PyTorch's semantics at stride 1 and stride 3 without padding``
        Expecto.Tests.testCase "ConvTranspose2d in float32 is twice differentiable: the gradient of |dL/dx|^2 matches float64" ``ConvTranspose2d in float32 is twice differentiable: the gradient of |dL/dx|^2 matches float64``
    ]
