/// MaskedConvMutantTests.fs: masked convolutions (Mila Q1) beyond k = 3 — the 5x5 masks by their definition, a masked conv against a hand-computed output, the argument checks.
module GenDsl.Tests.Core.MaskedConvMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let ``5x5 masks: rows below the centre are open, the centre row up to (A: before, B: including) the centre, rows above closed`` () =
    // Mila Q1's definition with k = 5, c = 3 (1-based), written out row by row
    let a = [ 0.; 0.; 0.; 0.; 0.;  0.; 0.; 0.; 0.; 0.;  1.; 1.; 0.; 0.; 0.;  1.; 1.; 1.; 1.; 1.;  1.; 1.; 1.; 1.; 1. ]
    let b = [ 0.; 0.; 0.; 0.; 0.;  0.; 0.; 0.; 0.; 0.;  1.; 1.; 1.; 0.; 0.;  1.; 1.; 1.; 1.; 1.;  1.; 1.; 1.; 1.; 1. ]
    close 0.0 a (MaskedConv.Mask(MaskType.A, 5))
    close 0.0 b (MaskedConv.Mask(MaskType.B, 5))
    close 0.0 [ 0.0 ] (MaskedConv.Mask(MaskType.A, 1))
    close 0.0 [ 1.0 ] (MaskedConv.Mask(MaskType.B, 1))
    throws<ArgumentOutOfRangeException> "kernel size must be odd and positive, got 4" (fun () -> box (MaskedConv.Mask(MaskType.A, 4)))
    throws<ArgumentOutOfRangeException> "kernel size must be odd and positive, got -1" (fun () -> box (MaskedConv.Mask(MaskType.A, -1)))

let ``A type-B masked 3x3 conv of a 3x3 image with all-one weights sums the left neighbour, the pixel and the row below, plus the bias`` () =
    use x = t64 [ 1L; 1L; 3L; 3L ] [ 1.0; 2.0; 3.0; 4.0; 5.0; 6.0; 7.0; 8.0; 9.0 ]
    use w = Torch.Ones([| 1L; 1L; 3L; 3L |], ScalarType.Float64)
    use bias = vec [ 0.5 ]
    // out[r, c] = x[r, c-1] + x[r, c] + x[r+1, c-1] + x[r+1, c] + x[r+1, c+1] (zero padding) + 0.5
    let px r c = if r < 0 || r > 2 || c < 0 || c > 2 then 0.0 else float (3 * r + c + 1)
    let expected = [ for r in 0 .. 2 do for c in 0 .. 2 -> px r (c - 1) + px r c + px (r + 1) (c - 1) + px (r + 1) c + px (r + 1) (c + 1) + 0.5 ]
    close 1e-12 expected (MaskedConv.Conv2d(x, w, MaskType.B, bias))

let ``MaskedConvNet refuses no layers, zero channels, and pixels outside the map`` () =
    throws<ArgumentException> "give at least one layer's mask type" (fun () -> box (MaskedConvNet([||])))
    throws<ArgumentOutOfRangeException> "need at least one hidden channel" (fun () -> box (MaskedConvNet([| MaskType.A |], 0)))
    use g = new Generator(1UL)
    let net = MaskedConvNet([| MaskType.A; MaskType.B |], 2, 3, g)
    Assert.Equal(2, net.Weights.Count)
    Assert.Equal<int64 list>([ 2L; 1L; 3L; 3L ], shape net.Weights.[0])
    Assert.Equal<int64 list>([ 1L; 2L; 3L; 3L ], shape net.Weights.[1])
    // the weights are drawn in [0.5, 1.5), positive so that no two paths through the net cancel
    for w in net.Weights do
        let v = vals w
        Assert.True(v |> Array.forall (fun x -> x >= 0.5 && x < 1.5), sprintf "weights outside [0.5, 1.5): %A" v)
    Assert.Equal(1, MaskedConvNet([| MaskType.B |], 1, 3, g).Weights.Count)    // one hidden channel is enough
    // the net is conv_B(tanh(conv_A(x))): tanh between layers, none after the last
    use x = t64 [ 1L; 1L; 3L; 3L ] [ 0.3; -0.2; 0.5; 0.1; 0.9; -0.4; 0.2; 0.0; 0.7 ]
    use h = MaskedConv.Conv2d(x, net.Weights.[0], MaskType.A).Tanh()
    close 1e-14 (vals (MaskedConv.Conv2d(h, net.Weights.[1], MaskType.B))) (net.Forward(x))
    // the first pixel is a valid output pixel (row and column 0 are inside the map)
    let first = net.ReceptiveField(5, 5, 0, 0)
    Assert.True(first.[1, 0] && first.[1, 1] && not first.[0, 0])
    for (r, c) in [ (-1, 0); (5, 0); (0, -1); (0, 5) ] do
        throws<ArgumentOutOfRangeException> (sprintf "pixel (%d, %d) is outside the 5x5 map" r c) (fun () -> box (net.ReceptiveField(5, 5, r, c)))
    // the last pixel has no row below: layer A reads its left neighbour, layer B that one and the pixel, so the field is
    // the two pixels to its left, and not the pixel itself
    let corner = net.ReceptiveField(5, 5, 4, 4)
    let seen = [ for i in 0 .. 4 do for j in 0 .. 4 do if corner.[i, j] then yield (i, j) ]
    Assert.Equal<(int * int) list>([ (4, 2); (4, 3) ], seen)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MaskedConvMutantTests" [
        Expecto.Tests.testCase "5x5 masks: rows below the centre are open, the centre row up to (A: before, B: including) the centre, rows above closed" ``5x5 masks: rows below the centre are open, the centre row up to (A: before, B: including) the centre, rows above closed``
        Expecto.Tests.testCase "A type-B masked 3x3 conv of a 3x3 image with all-one weights sums the left neighbour, the pixel and the row below, plus the bias" ``A type-B masked 3x3 conv of a 3x3 image with all-one weights sums the left neighbour, the pixel and the row below, plus the bias``
        Expecto.Tests.testCase "MaskedConvNet refuses no layers, zero channels, and pixels outside the map" ``MaskedConvNet refuses no layers, zero channels, and pixels outside the map``
    ]
