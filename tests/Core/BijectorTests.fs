/// BijectorTests.fs: every bijector's log|det J| against the autograd Jacobian, inverses, unit mass by quadrature, NICE as a flow value, ActNorm's init, training.
module GenDsl.Tests.Core.BijectorTests

open System
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private numel (s: int64 list) = List.fold (*) 1L s

/// A small conv net for image couplings: C -> hidden -> outC, 3x3 then 1x1, float64.
let private convNet (g: Generator) (c: int64) (outC: int64) : Module =
    new Sequential(new Conv2d(c, 8L, 3L, padding = 1L, generator = g, dtype = f64), new Tanh(), new Conv2d(8L, outC, 1L, generator = g, dtype = f64))

let private mlp (g: Generator) (i: int64) (o: int64) : Module = Mlp.Create(i, 16L, 2, o, (fun () -> upcast new Tanh()), g, f64)

/// Each bijector under test (float64), its event shape, and whether it preserves volume (log|det| = 0).
let private make (name: string) : Bijector * int64 list * bool =
    let g = new Generator(101UL)
    let perturb (t: Tensor) (sd: float) = using (Autograd.NoGrad()) (fun _ -> t.Add_(Torch.Randn(t.Shape, g, f64) * sd) |> ignore)
    match name with
    | "additive-halves" -> upcast new AdditiveCoupling(5L, true, mlp g 3L 2L), [ 5L ], true
    | "affine-halves" -> upcast new AffineCoupling(5L, false, mlp g 2L 6L), [ 5L ], false
    | "affine-halves-reversed" -> upcast new AffineCoupling(5L, true, mlp g 3L 4L), [ 5L ], false
    | "masked-additive-vector" -> upcast new MaskedCoupling(CouplingMask.Alternate(4L), mlp g 4L 4L, false), [ 4L ], true
    | "masked-affine-vector" -> upcast new MaskedCoupling(CouplingMask.Alternate(4L, true), mlp g 4L 8L, true), [ 4L ], false
    | "checkerboard-affine" -> upcast new MaskedCoupling(CouplingMask.Checkerboard([| 2L; 4L; 4L |]), convNet g 2L 4L, true), [ 2L; 4L; 4L ], false
    | "channel-affine" -> upcast new MaskedCoupling(CouplingMask.Channel([| 4L; 2L; 2L |], true), convNet g 4L 8L, true), [ 4L; 2L; 2L ], false
    | "checkerboard-additive" -> upcast new MaskedCoupling(CouplingMask.Checkerboard([| 1L; 4L; 4L |], true), convNet g 1L 1L, false), [ 1L; 4L; 4L ], true
    | "diagonal-scaling" ->
        let d = new DiagonalScaling(4L, f64)
        perturb d.LogScale 0.5
        upcast d, [ 4L ], false
    | "actnorm-vector" | "actnorm-image" ->
        let image = name = "actnorm-image"
        let a = new ActNorm(3L, (if image then 2 else 0), f64)
        use batch = (if image then Torch.Randn([| 16L; 3L; 2L; 2L |], g, f64) else Torch.Randn([| 16L; 3L |], g, f64)) * 3.0 + 1.0
        a.InitializeFrom(batch)
        upcast a, (if image then [ 3L; 2L; 2L ] else [ 3L ]), false
    | "reverse" -> upcast Permutation.Reverse(5L), [ 5L ], true
    | "random-permutation" -> upcast Permutation.Random(3L, g), [ 3L; 2L; 2L ], true
    | "invconv-vector" | "invconv-image" ->
        let c = new InvertibleConv1x1(3L, g, f64)
        perturb c.Weight 0.3
        upcast c, (if name = "invconv-image" then [ 3L; 2L; 2L ] else [ 3L ]), false
    | "squeeze" -> upcast new Squeeze(), [ 2L; 2L; 4L ], true
    | "maf" -> upcast new MaskedAutoregressive(4L, [| 12L; 12L |], [| 2L; 0L; 3L; 1L |], g, f64), [ 4L ], false
    | _ -> failwithf "unknown bijector %s" name

let private all =
    [ "additive-halves"; "affine-halves"; "affine-halves-reversed"; "masked-additive-vector"; "masked-affine-vector"; "checkerboard-affine"
      "channel-affine"; "checkerboard-additive"; "diagonal-scaling"; "actnorm-vector"; "actnorm-image"; "reverse"; "random-permutation"
      "invconv-vector"; "invconv-image"; "squeeze"; "maf" ]

let bijectors: obj[] seq = all |> Seq.map (fun n -> [| box n |])

let ``ECE8803 P5-P7: each bijector's log|det J| equals the log-determinant of its autograd Jacobian (float64)`` (name: string) =
    let b, ev, volumePreserving = make name
    use _b = b
    use g = new Generator(7UL)
    for _ in 1..3 do
        use x = Torch.Randn([| numel ev |], g, f64)
        use j = Autograd.Jacobian((fun v -> b.Forward(v.View(Array.ofList (1L :: ev))).Reshape(-1L)), x)   // (n, n)
        let struct (_, logAbs) = Linalg.SlogDet(j)
        let struct (_, ld) = b.ForwardAndLogDet(x.View(Array.ofList (1L :: ev)))
        Assert.Equal<int64 list>([ 1L ], shape ld)
        // float64 autograd and an LU log-determinant of a matrix of at most 32 x 32: agreement to ~1e-13; tol 1e-9
        closeScalar 1e-9 (logAbs.ToDouble()) (ld.[0L].ToDouble())
        // the test bites: a volume-changing bijector has a log-det away from 0; every Jacobian here mixes or scales
        if volumePreserving then closeScalar 1e-12 0.0 (ld.[0L].ToDouble())
        else Assert.True(abs (ld.[0L].ToDouble()) > 1e-3, sprintf "%s: log|det| %g is too close to 0 to test anything" name (ld.[0L].ToDouble()))
        use eye = Torch.Eye(numel ev, dtype = f64)
        Assert.True((j - eye).Abs().Max().ToDouble() > 1e-3, "the Jacobian must not be the identity")

let ``each bijector's inverse round-trips to 1e-5 both ways`` (name: string) =
    let b, ev, _ = make name
    use _b = b
    use g = new Generator(8UL)
    let shp = Array.ofList (8L :: ev)
    use x = Torch.Randn(shp, g, f64)
    use ng = Autograd.NoGrad()
    use back = b.Inverse(b.Forward(x))
    Assert.True(back.AllClose(x, 0.0, 1e-5), sprintf "%s: Inverse(Forward x) = x" name)
    use z = Torch.Randn(Array.ofList (8L :: (b.OutputShape(Array.ofList ev) |> List.ofArray)), g, f64)
    use fwd = b.Forward(b.Inverse(z))
    Assert.True(fwd.AllClose(z, 0.0, 1e-5), sprintf "%s: Forward(Inverse z) = z" name)

let private initActNorms (flow: NormalizingFlow) (x: Tensor) = flow.ForwardAndLogDet(x) |> ignore   // training mode: the first pass sets ActNorm

let flows2d: obj[] seq = [ [| box "realnvp" |]; [| box "maf" |]; [| box "realnvp-logistic" |]; [| box "masked" |] ]

let private flow2d (name: string) =
    use g = new Generator(202UL)
    match name with
    | "realnvp" -> NormalizingFlow.RealNvp(2L, 4, 2, 16L, FlowBase.Gaussian, g, f64)
    | "realnvp-logistic" -> NormalizingFlow.RealNvp(2L, 3, 1, 8L, FlowBase.Logistic, g, f64)
    | "maf" -> NormalizingFlow.Maf(2L, 3, [| 8L; 8L |], FlowBase.Gaussian, g, f64)
    | _ ->
        let layers: Bijector list =
            [ new MaskedCoupling(CouplingMask.Alternate(2L), mlp g 2L 4L, true); Permutation.Reverse(2L)
              new MaskedCoupling(CouplingMask.Alternate(2L), mlp g 2L 2L, false); new InvertibleConv1x1(2L, g, f64) ]
        new NormalizingFlow([| 2L |], layers, FlowBase.Gaussian)

let ``ECE8803 P5: a 2-D flow's density integrates to 1 (midpoint quadrature)`` (name: string) =
    use flow = flow2d name
    use g = new Generator(203UL)
    use data = Torch.Randn([| 64L; 2L |], g, f64) * 1.5 + 0.5
    initActNorms flow data
    use ng = Autograd.NoGrad()
    // [-30, 30]^2 in 600^2 cells of side 0.1: the densities here have sd below ~5 per direction (scales tanh-bounded or
    // small at initialisation), so the mass outside is below 1e-8 and the midpoint rule's O(h^2) error about 1e-5; tol 1e-3
    use logMass = Quadrature.LogIntegrate2d((fun p -> flow.LogProb(p)), -30.0, 30.0, 600L)
    closeScalar 1e-3 1.0 (exp (logMass.ToDouble()))
    // it can fail: the base density alone, pulled back without the log-dets, does not integrate to 1
    use noLogDet = Quadrature.LogIntegrate2d((fun p -> flow.BaseLogProb(flow.Forward(p))), -30.0, 30.0, 600L)
    Assert.True(abs (exp (noLogDet.ToDouble()) - 1.0) > 1e-2, sprintf "%s: without log-dets the mass is %g" name (exp (noLogDet.ToDouble())))

let ``ECE8803 P4: NICE is one value of the flow family - the same seed gives the same parameters, log-densities and samples`` (priorIndex: int) =
    let prior, fbase = if priorIndex = 0 then NicePrior.Logistic, FlowBase.Logistic else NicePrior.Gaussian, FlowBase.Gaussian
    use g1 = new Generator(301UL)
    use g2 = new Generator(301UL)
    use nice = Nice.Mlp(6L, 4, 2, 16L, prior, g1, f64)
    use flow = NormalizingFlow.Nice(6L, 4, 2, 16L, fbase, g2, f64)
    let pn = nice.Parameters() |> Seq.toList
    let pf = flow.Parameters() |> Seq.toList
    Assert.Equal(pn.Length, pf.Length)
    for a, b in List.zip pn pf do Assert.True(a.Equal(b), "parameters drawn in the same order")
    // a non-zero scaling layer, the same in both
    use g = new Generator(302UL)
    use s = Torch.Randn([| 1L; 6L |], g, f64) * 0.4
    using (Autograd.NoGrad()) (fun _ ->
        nice.Scaling.LogScale.Copy_(s) |> ignore
        (pf |> List.last).Copy_(s) |> ignore)
    use x = Torch.Rand([| 32L; 1L; 2L; 3L |], g, f64)   // images are flattened by both
    use a = nice.LogProb(x)
    use b = flow.LogProb(x)
    close 1e-12 (vals a) b
    use g3 = new Generator(303UL)
    use g4 = new Generator(303UL)
    use sa = nice.Sample(10L, g3, 0.8)
    use sb = flow.Sample(10L, g4, 0.8)
    close 1e-12 (vals sa) sb

let ``ActNorm: the first training pass initialises from the data (zero mean, unit sd per channel), later passes and eval mode do not`` () =
    use g = new Generator(401UL)
    use a = new ActNorm(3L, 2, f64)
    use x = Torch.Randn([| 20L; 3L; 4L; 4L |], g, f64) * Torch.Tensor<float>([| 2.0; 0.5; 5.0 |], 1L, 3L, 1L, 1L) + 3.0
    Assert.False(a.Initialized)
    a.Eval() |> ignore
    a.Forward(x) |> ignore
    Assert.False(a.Initialized, "eval mode must not initialise")
    a.Train() |> ignore
    use z = a.Forward(x)
    Assert.True(a.Initialized)
    use m = z.Mean([| 0L; 2L; 3L |])
    use sd = (z - z.Mean([| 0L; 2L; 3L |], true)).Square().Mean([| 0L; 2L; 3L |]).Sqrt()
    close 1e-9 [ 0.0; 0.0; 0.0 ] m
    close 1e-5 [ 1.0; 1.0; 1.0 ] sd   // sd / (sd + 1e-6)
    use before = a.Bias.Clone()
    use y = a.Forward(x * 2.0)
    Assert.True(a.Bias.Equal(before), "a second batch does not re-initialise")
    Assert.Equal(1.0, (a.StateDict().["initialized"]).ToDouble())

let ``Squeeze puts pixel (2i + di, 2j + dj) of channel c at channel 4c + 2di + dj`` () =
    use x = Torch.Arange(32.0, f64).View(1L, 2L, 4L, 4L)
    use z = (new Squeeze()).Forward(x)
    Assert.Equal<int64 list>([ 1L; 8L; 2L; 2L ], shape z)
    for c in 0L .. 1L do
        for di in 0L .. 1L do
            for dj in 0L .. 1L do
                for i in 0L .. 1L do
                    for j in 0L .. 1L do
                        Assert.Equal(x.[0L, c, 2L * i + di, 2L * j + dj].ToDouble(), z.[0L, 4L * c + 2L * di + dj, i, j].ToDouble())

let ``coupling masks: checkerboard alternates, channel masks halve the channels, bad shapes are refused with the fix`` () =
    use cb = CouplingMask.Checkerboard([| 1L; 2L; 3L |])
    close 0.0 [ 1.; 0.; 1.; 0.; 1.; 0. ] cb
    use ch = CouplingMask.Channel([| 3L; 1L; 1L |], true)
    close 0.0 [ 0.; 1.; 1. ] ch
    throws<ArgumentException> "Squeeze the image first" (fun () -> box (CouplingMask.Channel([| 1L; 2L; 2L |])))
    throws<ArgumentException> "each of 0..n-1 once" (fun () -> box (new Permutation([| 0L; 0L; 1L |])))
    use c = new MaskedCoupling(CouplingMask.Alternate(4L), Mlp.Create(4L, 8L, 1, 4L), true)
    throws<ArgumentException> "twice the size of dim 1" (fun () -> box (c.Forward(Torch.Randn(2L, 4L))))
    use flow = NormalizingFlow.RealNvp(4L)
    throws<ArgumentException> "4 elements per example" (fun () -> box (flow.LogProb(Torch.Randn(2L, 5L))))

let private fitLosses (model: Module) (data: Tensor) (loss: Tensor -> Tensor) steps lr =
    use trainer = new Trainer(model, (fun ps -> upcast new Adam(ps, lr = lr)), (fun _ -> null), TrainOptions(Steps = steps, BatchSize = 64, Seed = 5UL))
    let r = trainer.Fit(new TensorDataset(data), Objective(fun batch _ -> loss batch))
    [| for s in r.StepRecords -> s.Loss |]

let ``a RealNVP's and a MAF's NLL on a correlated 2-D Gaussian fall through the Trainer, and their samples have the data's shape`` (kind: string) =
    use g = new Generator(501UL)
    use z = Torch.Randn([| 256L; 2L |], g)
    use data = z.MatMul(Torch.Tensor<float32>([| 1.0f; 0.9f; 0.0f; 0.4f |], 2L, 2L)) * 2.0 + 1.0
    use flow = if kind = "maf" then NormalizingFlow.Maf(2L, 4, [| 32L; 32L |], FlowBase.Gaussian, g) else NormalizingFlow.RealNvp(2L, 4, 2, 32L, FlowBase.Gaussian, g)
    let l = fitLosses flow data (fun b -> flow.Loss(b)) 60L 1e-2
    // 4 batches per epoch; the mean of the last epoch's losses is well below the first epoch's (measured ~3.9 -> ~2.9)
    let first, last = Array.average l.[0..3], Array.average l.[56..59]
    Assert.True(last < first - 0.3, sprintf "NLL %g -> %g" first last)
    use s = flow.Sample(100L, g)
    Assert.Equal<int64 list>([ 100L; 2L ], shape s)
    Assert.True(s.IsFinite().All().Item<bool>())

let ``a Glow-style flow on tiny dequantised images: NLL falls through the Trainer; samples are (n, 1, 4, 4)`` () =
    use g = new Generator(601UL)
    use bits = Torch.Bernoulli(Torch.Full([| 128L; 1L; 4L; 4L |], 0.3), g)
    use data = BitsPerDim.Dequantize(bits, g, 2)
    use flow = NormalizingFlow.Glow(1L, 4L, 4L, 2, 16L, FlowBase.Gaussian, g)
    let l = fitLosses flow data (fun b -> flow.Loss(b)) 20L 5e-3
    let first, last = Array.average l.[0..1], Array.average l.[18..19]
    Assert.True(last < first - 1.0, sprintf "NLL %g -> %g" first last)
    use s = flow.Sample(3L, g)
    Assert.Equal<int64 list>([ 3L; 1L; 4L; 4L ], shape s)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BijectorTests" [
        yield! [ for row in bijectors -> Expecto.Tests.testCase ("ECE8803 P5-P7: each bijector's log|det J| equals the log-determinant of its autograd Jacobian (float64)(name: " + GenDsl.Tests.Support.xunitArg row.[0] + ")") (fun () -> ``ECE8803 P5-P7: each bijector's log|det J| equals the log-determinant of its autograd Jacobian (float64)`` (unbox row.[0])) ]
        yield! [ for row in bijectors -> Expecto.Tests.testCase ("each bijector's inverse round-trips to 1e-5 both ways(name: " + GenDsl.Tests.Support.xunitArg row.[0] + ")") (fun () -> ``each bijector's inverse round-trips to 1e-5 both ways`` (unbox row.[0])) ]
        yield! [ for row in flows2d -> Expecto.Tests.testCase ("ECE8803 P5: a 2-D flow's density integrates to 1 (midpoint quadrature)(name: " + GenDsl.Tests.Support.xunitArg row.[0] + ")") (fun () -> ``ECE8803 P5: a 2-D flow's density integrates to 1 (midpoint quadrature)`` (unbox row.[0])) ]
        Expecto.Tests.testCase "ECE8803 P4: NICE is one value of the flow family - the same seed gives the same parameters, log-densities and samples(priorIndex: 0)" (fun () -> ``ECE8803 P4: NICE is one value of the flow family - the same seed gives the same parameters, log-densities and samples`` 0)
        Expecto.Tests.testCase "ECE8803 P4: NICE is one value of the flow family - the same seed gives the same parameters, log-densities and samples(priorIndex: 1)" (fun () -> ``ECE8803 P4: NICE is one value of the flow family - the same seed gives the same parameters, log-densities and samples`` 1)
        Expecto.Tests.testCase "ActNorm: the first training pass initialises from the data (zero mean, unit sd per channel), later passes and eval mode do not" ``ActNorm: the first training pass initialises from the data (zero mean, unit sd per channel), later passes and eval mode do not``
        Expecto.Tests.testCase "Squeeze puts pixel (2i + di, 2j + dj) of channel c at channel 4c + 2di + dj" ``Squeeze puts pixel (2i + di, 2j + dj) of channel c at channel 4c + 2di + dj``
        Expecto.Tests.testCase "coupling masks: checkerboard alternates, channel masks halve the channels, bad shapes are refused with the fix" ``coupling masks: checkerboard alternates, channel masks halve the channels, bad shapes are refused with the fix``
        Expecto.Tests.testCase "a RealNVP's and a MAF's NLL on a correlated 2-D Gaussian fall through the Trainer, and their samples have the data's shape(kind: \"realnvp\")" (fun () -> ``a RealNVP's and a MAF's NLL on a correlated 2-D Gaussian fall through the Trainer, and their samples have the data's shape`` "realnvp")
        Expecto.Tests.testCase "a RealNVP's and a MAF's NLL on a correlated 2-D Gaussian fall through the Trainer, and their samples have the data's shape(kind: \"maf\")" (fun () -> ``a RealNVP's and a MAF's NLL on a correlated 2-D Gaussian fall through the Trainer, and their samples have the data's shape`` "maf")
        Expecto.Tests.testCase "a Glow-style flow on tiny dequantised images: NLL falls through the Trainer; samples are (n, 1, 4, 4)" ``a Glow-style flow on tiny dequantised images: NLL falls through the Trainer; samples are (n, 1, 4, 4)``
    ]
