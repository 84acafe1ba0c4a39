/// VaeNetworksMutantTests.fs: the conv VAE's blocks at tiny sizes — downsampling factors, parameter counts by hand, stage shapes, where the ReLUs sit, stage order, and the stride checks.
module GenDsl.Tests.Core.VaeNetworksMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Models
open GenDsl.Tests.Support

let ``Downsampling is 2^(sum s / 2); strides must be given, non-empty, positive and even`` () =
    Assert.Equal(8L, VaeNetworks.Downsampling([| 2; 4 |]))
    Assert.Equal(2L, VaeNetworks.Downsampling([| 2 |]))
    Assert.Equal(64L, VaeNetworks.Downsampling([| 6; 2; 4 |]))
    Assert.Throws<ArgumentNullException>(fun () -> VaeNetworks.Downsampling(null) |> ignore) |> ignore
    throws<ArgumentException> "VaeNetworks: give at least one stride, e.g. [2, 2, 2, 2]" (fun () -> box (VaeNetworks.Downsampling([||])))
    for s in [ 0; 3; -2 ] do
        throws<ArgumentException> (sprintf "VaeNetworks: every stride must be a positive even number (each 2 is one stride-2 conv), got %d" s) (fun () -> box (VaeNetworks.Downsampling([| 2; s |])))
    // the stages and whole networks check their strides too
    throws<ArgumentException> "got 3" (fun () -> box (VaeNetworks.EncoderStage(1L, 2L, 4L, 2L, 1, 3)))
    throws<ArgumentException> "got 3" (fun () -> box (VaeNetworks.DecoderStage(2L, 1L, 4L, 2L, 1, 3)))
    throws<ArgumentException> "give at least one stride" (fun () -> box (VaeNetworks.ConvEncoder(1L, 2L, [||], 4L, 2L, 1)))
    throws<ArgumentException> "give at least one stride" (fun () -> box (VaeNetworks.ConvDecoder(2L, 1L, [||], 4L, 2L, 1)))

let ``a residual stack is n blocks x + Conv1x1(ReLU(Conv3x3(ReLU x))) and a final ReLU (composed by hand from its convolutions)`` () =
    use g = new Generator(1UL)
    use stack = VaeNetworks.ResidualStack(3L, 2L, 2, g)
    Assert.Equal(3, stack.Count)                                             // two blocks and the ReLU
    // per block: Conv(3 -> 2, 3x3) 3*2*9 + 2 = 56, Conv(2 -> 3, 1x1) 2*3 + 3 = 9
    Assert.Equal(2L * 65L, Utils.ParameterCount stack)
    use x = Torch.Randn([| 2L; 3L; 4L; 4L |], g)
    use ng = Autograd.NoGrad()
    let block (i: int) (h: Tensor) =
        let inner = (stack.[i] :?> Residual).Net :?> Sequential
        h + inner.[3].Forward(inner.[1].Forward(h.Relu()).Relu())
    use expected = (block 1 (block 0 x)).Relu()
    close 1e-6 (vals expected) (stack.Forward(x))

let ``an encoder stage of stride 4: two 4x4 stride-2 convs (1 -> H/2 -> H) with ReLUs, a residual stack, a 3x3 conv to the output; counted by hand`` () =
    use g = new Generator(2UL)
    use stage = VaeNetworks.EncoderStage(1L, 6L, 8L, 4L, 1, 4, g)
    // Conv(1 -> 4, 4x4) 68, Conv(4 -> 8, 4x4) 520, stack (8, 4, 1 block) 8*4*9+4 + 4*8+8 = 332, Conv(8 -> 6, 3x3) 438
    Assert.Equal(68L + 520L + 332L + 438L, Utils.ParameterCount stage)
    use x = Torch.Randn([| 2L; 1L; 8L; 8L |], g)
    use ng = Autograd.NoGrad()
    Assert.Equal<int64 list>([ 2L; 6L; 2L; 2L ], shape (stage.Forward(x)))
    // the ReLU follows each strided conv
    use expected = stage.[5].Forward(stage.[4].Forward(stage.[2].Forward(stage.[0].Forward(x).Relu()).Relu()))
    Assert.Equal(6, stage.Count)
    close 1e-6 (vals expected) (stage.Forward(x))

let ``a decoder stage of stride 4: a 3x3 conv, a residual stack, two 4x4 stride-2 transposed convs (H -> H/2 -> out) with a ReLU between and none after`` () =
    use g = new Generator(3UL)
    use stage = VaeNetworks.DecoderStage(6L, 1L, 8L, 4L, 1, 4, g)
    // Conv(6 -> 8, 3x3) 440, stack 332, ConvT(8 -> 4, 4x4) 8*4*16+4 = 516, ConvT(4 -> 1, 4x4) 4*16+1 = 65
    Assert.Equal(440L + 332L + 516L + 65L, Utils.ParameterCount stage)
    Assert.Equal(5, stage.Count)
    use x = Torch.Randn([| 2L; 6L; 2L; 2L |], g)
    use ng = Autograd.NoGrad()
    use y = stage.Forward(x)
    Assert.Equal<int64 list>([ 2L; 1L; 8L; 8L ], shape y)
    use expected = stage.[4].Forward(stage.[2].Forward(stage.[1].Forward(stage.[0].Forward(x))).Relu())
    close 1e-6 (vals expected) y
    // logits of both signs: no ReLU at the end
    Assert.True(vals y |> Array.exists (fun v -> v < 0.0) && vals y |> Array.exists (fun v -> v > 0.0))

let ``the conv encoder chains one stage per stride ending in 2 x latent channels; the decoder runs the strides in reverse ending in the data channels`` () =
    // strides [2, 4] with hidden 8, residual 4, one block. The expected counts are the stages built one by one.
    let count (m: Module) = use m = m in Utils.ParameterCount m
    use g = new Generator(4UL)
    use enc = VaeNetworks.ConvEncoder(1L, 2L, [| 2; 4 |], 8L, 4L, 1, g)
    Assert.Equal(count (VaeNetworks.EncoderStage(1L, 8L, 8L, 4L, 1, 2)) + count (VaeNetworks.EncoderStage(8L, 4L, 8L, 4L, 1, 4)), Utils.ParameterCount enc)
    use dec = VaeNetworks.ConvDecoder(2L, 3L, [| 2; 4 |], 8L, 4L, 1, g)
    Assert.Equal(count (VaeNetworks.DecoderStage(2L, 8L, 8L, 4L, 1, 4)) + count (VaeNetworks.DecoderStage(8L, 3L, 8L, 4L, 1, 2)), Utils.ParameterCount dec)
    Assert.NotEqual(count (VaeNetworks.DecoderStage(2L, 8L, 8L, 4L, 1, 2)) + count (VaeNetworks.DecoderStage(8L, 3L, 8L, 4L, 1, 4)), Utils.ParameterCount dec)
    use x = Torch.Randn([| 2L; 1L; 16L; 16L |], g)
    use ng = Autograd.NoGrad()
    use h = enc.Forward(x)
    Assert.Equal<int64 list>([ 2L; 4L; 2L; 2L ], shape h)
    Assert.Equal<int64 list>([ 2L; 3L; 16L; 16L ], shape (dec.Forward(h.Narrow(1L, 0L, 2L))))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.VaeNetworksMutantTests" [
        Expecto.Tests.testCase "Downsampling is 2^(sum s / 2); strides must be given, non-empty, positive and even" ``Downsampling is 2^(sum s / 2); strides must be given, non-empty, positive and even``
        Expecto.Tests.testCase "a residual stack is n blocks x + Conv1x1(ReLU(Conv3x3(ReLU x))) and a final ReLU (composed by hand from its convolutions)" ``a residual stack is n blocks x + Conv1x1(ReLU(Conv3x3(ReLU x))) and a final ReLU (composed by hand from its convolutions)``
        Expecto.Tests.testCase "an encoder stage of stride 4: two 4x4 stride-2 convs (1 -> H/2 -> H) with ReLUs, a residual stack, a 3x3 conv to the output; counted by hand" ``an encoder stage of stride 4: two 4x4 stride-2 convs (1 -> H/2 -> H) with ReLUs, a residual stack, a 3x3 conv to the output; counted by hand``
        Expecto.Tests.testCase "a decoder stage of stride 4: a 3x3 conv, a residual stack, two 4x4 stride-2 transposed convs (H -> H/2 -> out) with a ReLU between and none after" ``a decoder stage of stride 4: a 3x3 conv, a residual stack, two 4x4 stride-2 transposed convs (H -> H/2 -> out) with a ReLU between and none after``
        Expecto.Tests.testCase "the conv encoder chains one stage per stride ending in 2 x latent channels; the decoder runs the strides in reverse ending in the data channels" ``the conv encoder chains one stage per stride ending in 2 x latent channels; the decoder runs the strides in reverse ending in the data channels``
    ]
