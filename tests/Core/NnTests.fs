/// NnTests.fs: torch.nn modules — parameter naming, PyTorch initialisation, layer forwards, train/eval, state dicts and files.
module GenDsl.Tests.Core.NnTests

open System
open System.IO
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Tests.Support

let private names (m: Module) = m.NamedParameters() |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
let private numel (m: Module) = m.Parameters() |> Seq.sumBy (fun p -> p.NumEl)
let private bits (t: Tensor) = t.Float().ToArray<float32>()

/// A small model written in F#: a ModuleList of layers, a LayerNorm and a non-trained buffer.
type private Stack(g: Generator) as this =
    inherit Module()
    let layers = this.RegisterModule("layers", new ModuleList(new Linear(2L, 4L, generator = g), new Linear(4L, 3L, generator = g)))
    let norm = this.RegisterModule("norm", new LayerNorm(3L))
    do this.RegisterBuffer("scale", Torch.Full([| 3L |], Scalar.op_Implicit 2.0)) |> ignore
    override _.Forward(x) =
        let h = layers.[1].Forward(layers.[0].Forward(x).Tanh())
        norm.Forward(h) * this.GetBuffer("scale")

let private mlp (seed: uint64) =
    use g = new Generator(seed)
    new Sequential(new Linear(3L, 8L, generator = g), new Tanh(), new LayerNorm(8L), new Linear(8L, 2L, generator = g))

let ``Sequential names parameters by position and counts them as PyTorch does`` () =
    use m = new Sequential(new Linear(4L, 8L), new ReLU(), new Linear(8L, 2L))
    Assert.Equal<string list>([ "0.weight"; "0.bias"; "2.weight"; "2.bias" ], names m)
    Assert.Equal(4L * 8L + 8L + 8L * 2L + 2L, numel m) // 58, as sum(p.numel() for p in m.parameters())
    Assert.Equal(58L, Utils.ParameterCount m)
    // PyTorch's repr, so a printed model reads the same in both
    Assert.Equal("Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n" +
                 "  (2): Linear(in_features=8, out_features=2, bias=True)\n)", m.ToString())

let ``nested modules name parameters with dots (layers.0.weight) and keep buffers out of Parameters`` () =
    use g = new Generator(0UL)
    use m = new Stack(g)
    Assert.Equal<string list>(
        [ "layers.0.weight"; "layers.0.bias"; "layers.1.weight"; "layers.1.bias"; "norm.weight"; "norm.bias" ], names m)
    use sd = Scope.Begin()
    let keys = m.StateDict().Keys |> List.ofSeq
    Assert.Equal<string list>(names m @ [ "scale" ], keys)
    Assert.True(obj.ReferenceEquals(m.GetParameter("layers.1.bias"), (m.GetSubmodule("layers.1") :?> Linear).Bias))
    let ex = Assert.Throws<ArgumentException>(fun () -> m.RegisterParameter("norm", Torch.Zeros(1L)) |> ignore)
    Assert.Contains("'norm' is already registered", ex.Message)

let ``Linear init equals PyTorch's kaiming_uniform(a=sqrt 5) and bias rule for the same generator seed`` () =
    // From python3-torch 1.13: g = torch.Generator().manual_seed(0); w = torch.empty(2, 3);
    // w.uniform_(-b, b, generator=g) with b = sqrt(3) * sqrt(2 / (1 + 5)) / sqrt(3); then the bias
    // torch.empty(2).uniform_(-1/sqrt(3), 1/sqrt(3), generator=g). (Identical to nn.Linear(3, 2) after torch.manual_seed(0).)
    use g = new Generator(0UL)
    use lin = new Linear(3L, 2L, generator = g)
    close 0.0 [ -0.004322517663240433; 0.3097158372402191; -0.4751853346824646
                -0.4248946011066437; -0.2223689705133438; 0.15482072532176971 ] lin.Weight
    close 0.0 [ -0.011439144611358643; 0.45777493715286255 ] lin.Bias

let ``Linear and Conv2d weights and biases lie within 1 over sqrt(fan_in)`` () =
    use g = new Generator(3UL)
    use lin = new Linear(50L, 20L, generator = g)
    use conv = new Conv2d(3L, 4L, 3L, generator = g) // fan_in = 3 * 3 * 3
    for (w, fanIn) in [ lin.Weight, 50.0; lin.Bias, 50.0; conv.Weight, 27.0; conv.Bias, 27.0 ] do
        let bound = 1.0 / sqrt fanIn
        let v = vals w
        Assert.True(v |> Array.forall (fun x -> abs x <= bound), sprintf "a value exceeds %g" bound)
        // U(-b, b) has sd b/sqrt 3; the max of >= 4 draws must reach past b/4 unless something is off
        Assert.True(v |> Array.exists (fun x -> abs x > bound / 4.0))

let ``Linear forward equals x W^T + b`` () =
    use g = new Generator(1UL)
    use lin = new Linear(3L, 2L, generator = g, dtype = ScalarType.Float64)
    use x = t64 [ 4L; 3L ] [ 1.; 2.; 3.; -1.; 0.5; 0.; 2.; 2.; 2.; 0.1; -0.2; 0.3 ]
    use s = Scope.Begin()
    let expected = x.MatMul(lin.Weight.T) + lin.Bias
    let y = lin.Forward x
    Assert.Equal<int64 list>([ 4L; 2L ], shape y)
    close 1e-12 (vals expected) y
    Assert.Equal("Linear(in_features=3, out_features=2, bias=True)", lin.ToString())

let ``Conv2d output is floor((H + 2p - k) / s) + 1 wide and sums 3x3 windows of ones`` () =
    use conv = new Conv2d(1L, 1L, 3L)
    use pad = new Conv2d(1L, 1L, 3L, stride = 2L, padding = 1L)
    using (Autograd.NoGrad()) (fun _ ->
        for c in [ conv; pad ] do
            c.Weight.Fill_(Scalar.op_Implicit 1.0) |> ignore
            c.Bias.Fill_(Scalar.op_Implicit 0.5) |> ignore)
    use s = Scope.Begin()
    let x = Torch.Arange(Scalar.op_Implicit 16L, ScalarType.Float32).Reshape(1L, 1L, 4L, 4L) // (B, C, H, W) = (1, 1, 4, 4)
    let y = conv.Forward x
    Assert.Equal<int64 list>([ 1L; 1L; 2L; 2L ], shape y) // (4 - 3)/1 + 1 = 2
    // window sums: 0+1+2+4+5+6+8+9+10 = 45, shifting right adds 9, down adds 36; plus the bias 0.5
    close 0.0 [ 45.5; 54.5; 81.5; 90.5 ] y
    let yp = pad.Forward x
    Assert.Equal<int64 list>([ 1L; 1L; 2L; 2L ], shape yp) // floor((4 + 2 - 3)/2) + 1 = 2
    // windows start at rows/cols -1 and 1: x[0..1, 0..1] = 0+1+4+5 = 10, x[0..1, 1..3] = 1+2+3+5+6+7 = 24,
    // x[1..3, 0..1] = 4+5+8+9+12+13 = 51, x[1..3, 1..3] = 90 (F.conv2d in PyTorch gives the same)
    close 0.0 [ 10.5; 24.5; 51.5; 90.5 ] yp
    use batch = new Conv2d(3L, 5L, 3L, stride = 2L, padding = 1L)
    Assert.Equal<int64 list>([ 2L; 5L; 4L; 4L ], shape (batch.Forward(Torch.Zeros(2L, 3L, 8L, 8L))))

let ``ConvTranspose2d is the adjoint of Conv2d with the same weight, and has (H-1)s - 2p + k + op rows`` () =
    use g = new Generator(5UL)
    use conv = new Conv2d(2L, 3L, 3L, stride = 2L, padding = 1L, bias = false, generator = g, dtype = ScalarType.Float64)
    use convT = new ConvTranspose2d(3L, 2L, 3L, stride = 2L, padding = 1L, outputPadding = 1L, bias = false, generator = g, dtype = ScalarType.Float64)
    using (Autograd.NoGrad()) (fun _ -> convT.Weight.Copy_(conv.Weight) |> ignore) // both (3, 2, 3, 3)
    use s = Scope.Begin()
    let x = Torch.Randn([| 1L; 2L; 6L; 6L |], g, ScalarType.Float64)
    let y = Torch.Randn([| 1L; 3L; 3L; 3L |], g, ScalarType.Float64)
    let cx = conv.Forward x
    let ty = convT.Forward y
    Assert.Equal<int64 list>([ 1L; 3L; 3L; 3L ], shape cx)
    Assert.Equal<int64 list>([ 1L; 2L; 6L; 6L ], shape ty) // (3 - 1) 2 - 2 + 3 + 1 = 6
    // <conv(x), y> = <x, conv^T(y)>: both are the same bilinear sum over (x pixel, weight, y pixel) triples
    closeScalar 1e-10 ((cx * y).Sum().ToDouble()) ((x * ty).Sum().ToDouble())

let ``Embedding returns rows of its N(0,1) weight and starts the padding row at zero`` () =
    use g = new Generator(2UL)
    use emb = new Embedding(10L, 4L, paddingIdx = -1L, generator = g)
    Assert.Equal(Nullable 9L, emb.PaddingIdx)
    use s = Scope.Begin()
    let idx = Torch.Tensor<int64>([| 3L; 9L; 3L |])
    let e = emb.Forward idx
    Assert.Equal<int64 list>([ 3L; 4L ], shape e)
    close 0.0 (vals (emb.Weight.Select(0L, 3L))) (e.Select(0L, 0L))
    close 0.0 [ 0.; 0.; 0.; 0. ] (e.Select(0L, 1L))
    // the 36 non-padding weights are N(0, 1): their mean has sd 1/6, so |mean| < 1 fails with p < 1e-9
    Assert.True(abs (emb.Weight.Narrow(0L, 0L, 9L).Mean().ToDouble()) < 1.0)

let ``LayerNorm at init gives each row zero mean and unit biased variance`` () =
    use ln = new LayerNorm(5L, dtype = ScalarType.Float64)
    use s = Scope.Begin()
    let x = t64 [ 2L; 5L ] [ 1.; 2.; 3.; 4.; 10.; -3.; 0.; 0.; 7.; 1. ]
    let y = ln.Forward x
    close 1e-12 [ 0.; 0. ] (y.Mean(-1L))
    // biased variance of the normalised row is var / (var + eps)
    let v = x.Var(-1L, correction = 0L)
    close 1e-12 (vals (v / (v + 1e-5))) (y.Var(-1L, correction = 0L))

let ``Dropout zeroes and rescales by 1/(1-p) in training, is the identity in eval, and Eval reaches children`` () =
    use g = new Generator(11UL)
    use m = new Sequential(new Dropout(0.25, g))
    use s = Scope.Begin()
    let x = Torch.Ones(4000L)
    let y = vals (m.Forward x)
    Assert.True(y |> Array.forall (fun v -> v = 0.0 || abs (v - 1.0 / 0.75) < 1e-6))
    // zeros ~ Binomial(4000, 0.25): mean 1000, sd 27.4; 5 sd bounds fail with p ~ 6e-7
    let zeros = y |> Array.filter ((=) 0.0) |> Array.length
    Assert.InRange(zeros, 1000 - 137, 1000 + 137)
    m.Eval() |> ignore
    Assert.False(m.[0].Training)
    Assert.True((m.Forward x).Equal(x))
    m.Train() |> ignore
    Assert.True(m.[0].Training)

let ``a state dict saved to a file and loaded into a fresh model gives bit-identical outputs`` () =
    let path = Path.Combine(Path.GetTempPath(), sprintf "gendsl-nn-%s.pt" (Guid.NewGuid().ToString "N"))
    try
        use a = mlp 1UL
        use b = mlp 2UL
        use s = Scope.Begin()
        use gx = new Generator(9UL)
        let x = Torch.Randn([| 5L; 3L |], gx)
        Assert.False((a.Forward x).Equal(b.Forward x))
        a.Save path
        b.Load path |> ignore
        Assert.True((a.Forward x).Equal(b.Forward x))
        for struct (n, p) in a.NamedParameters() do
            Assert.Equal<float32[]>(bits p, bits (b.GetParameter n))
        Assert.Equal<string list>(names a, Torch.Load(path).Keys |> List.ofSeq)
    finally
        File.Delete path

let ``strict LoadStateDict rejects a missing key naming it; non-strict reports it`` () =
    use a = mlp 1UL
    use b = mlp 2UL
    use s = Scope.Begin()
    let d = a.StateDict()
    d.Remove "3.bias" |> ignore
    d.["extra.weight"] <- Torch.Zeros(1L)
    let ex = Assert.Throws<ArgumentException>(fun () -> b.LoadStateDict(d) |> ignore)
    Assert.Contains("missing keys: \"3.bias\"", ex.Message)
    Assert.Contains("unexpected keys: \"extra.weight\"", ex.Message)
    let r = b.LoadStateDict(d, strict = false)
    Assert.Equal<string list>([ "3.bias" ], List.ofSeq r.MissingKeys)
    Assert.Equal<string list>([ "extra.weight" ], List.ofSeq r.UnexpectedKeys)
    Assert.True(b.GetParameter("0.weight").Equal(a.GetParameter("0.weight")))

let ``LoadStateDict rejects a shape mismatch naming the key and both shapes`` () =
    use a = mlp 1UL
    use s = Scope.Begin()
    use wide = new Sequential(new Linear(3L, 9L), new Tanh(), new LayerNorm(9L), new Linear(9L, 2L))
    let ex = Assert.Throws<ArgumentException>(fun () -> a.LoadStateDict(wide.StateDict()) |> ignore)
    Assert.Contains("\"0.weight\": the dict has [9, 3], the module [8, 3]", ex.Message)

let ``the same seed gives bit-identical initial weights and a different seed does not`` () =
    use a = mlp 42UL
    use b = mlp 42UL
    use c = mlp 43UL
    for (pa, pb, pc) in Seq.zip3 (a.Parameters()) (b.Parameters()) (c.Parameters()) do
        Assert.Equal<float32[]>(bits pa, bits pb)
    Assert.NotEqual<float32[]>(bits (a.GetParameter "0.weight"), bits (c.GetParameter "0.weight"))

let ``a model built inside a Scope keeps its parameters after the scope ends`` () =
    let m =
        use s = Scope.Begin()
        mlp 4UL
    use m = m
    Assert.True(m.Parameters() |> Seq.forall (fun p -> not p.IsDisposed && p.RequiresGrad && p.IsLeaf))
    use s = Scope.Begin()
    Assert.Equal<int64 list>([ 2L; 2L ], shape (m.Forward(Torch.Zeros(2L, 3L))))

let ``To(Float64) converts every parameter, keeps names and trainability, and ZeroGrad clears gradients`` () =
    use m = mlp 5UL
    let before = names m
    m.To(ScalarType.Float64).To(Device.CPU) |> ignore
    Assert.Equal<string list>(before, names m)
    Assert.True(m.Parameters() |> Seq.forall (fun p -> p.Dtype = ScalarType.Float64 && p.RequiresGrad))
    use s = Scope.Begin()
    (m.Forward(Torch.Ones([| 2L; 3L |], ScalarType.Float64))).Sum().Backward()
    Assert.True(m.Parameters() |> Seq.forall (fun p -> p.Grad <> null))
    m.ZeroGrad()
    Assert.True(m.Parameters() |> Seq.forall (fun p -> p.Grad = null))

/// tests/Core/fixtures: one nn.Sequential(Linear(3, 2), Tanh(), Linear(2, 1)) after torch.manual_seed(0), saved by PyTorch
/// (fixtures/README.md has the script) as torch.save(model.state_dict()), torch.save(dict(model.state_dict())) and the latter
/// in the legacy format.
let private fixture name = Path.Combine(repoRoot (), "tests", "Core", "fixtures", name)

let ``a PyTorch state dict saved as a plain dict loads with its names and values; an OrderedDict or a legacy file is refused saying what to save instead`` () =
    let d = Torch.Load(fixture "torch_plain_dict.pt")
    Assert.Equal<string list>([ "0.weight"; "0.bias"; "2.weight"; "2.bias" ], d.Keys |> List.ofSeq)
    Assert.Equal<int64[]>([| 2L; 3L |], d.["0.weight"].Shape)
    // PyTorch printed these values when it saved the file
    let w = d.["0.weight"].ToArray<float32>()
    Assert.Equal(-0.004322517663240433, float w.[0], 7)
    Assert.Equal(0.15482072532176971, float w.[5], 7)
    Assert.Equal(-0.2136969119310379, d.["2.bias"].ToDouble(), 7)
    use g = new Generator(1UL)
    use m = new Sequential(new Linear(3L, 2L, generator = g), new Tanh(), new Linear(2L, 1L, generator = g))
    m.LoadStateDict(d) |> ignore
    Assert.True(m.GetParameter("2.bias").Equal(d.["2.bias"]))
    let ordered = Assert.Throws<TorchException>(fun () -> Torch.Load(fixture "torch_state_dict.pt") |> ignore)
    Assert.Contains("collections.OrderedDict", ordered.Message)
    Assert.Contains("torch.save(dict(model.state_dict()), path)", ordered.Message)
    let legacy = Assert.Throws<TorchException>(fun () -> Torch.Load(fixture "torch_legacy.pt") |> ignore)
    Assert.Contains("legacy format", legacy.Message)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.NnTests" [
        Expecto.Tests.testCase "Sequential names parameters by position and counts them as PyTorch does" ``Sequential names parameters by position and counts them as PyTorch does``
        Expecto.Tests.testCase "nested modules name parameters with dots (layers.0.weight) and keep buffers out of Parameters" ``nested modules name parameters with dots (layers.0.weight) and keep buffers out of Parameters``
        Expecto.Tests.testCase "Linear init equals PyTorch's kaiming_uniform(a=sqrt 5) and bias rule for the same generator seed" ``Linear init equals PyTorch's kaiming_uniform(a=sqrt 5) and bias rule for the same generator seed``
        Expecto.Tests.testCase "Linear and Conv2d weights and biases lie within 1 over sqrt(fan_in)" ``Linear and Conv2d weights and biases lie within 1 over sqrt(fan_in)``
        Expecto.Tests.testCase "Linear forward equals x W^T + b" ``Linear forward equals x W^T + b``
        Expecto.Tests.testCase "Conv2d output is floor((H + 2p - k) / s) + 1 wide and sums 3x3 windows of ones" ``Conv2d output is floor((H + 2p - k) / s) + 1 wide and sums 3x3 windows of ones``
        Expecto.Tests.testCase "ConvTranspose2d is the adjoint of Conv2d with the same weight, and has (H-1)s - 2p + k + op rows" ``ConvTranspose2d is the adjoint of Conv2d with the same weight, and has (H-1)s - 2p + k + op rows``
        Expecto.Tests.testCase "Embedding returns rows of its N(0,1) weight and starts the padding row at zero" ``Embedding returns rows of its N(0,1) weight and starts the padding row at zero``
        Expecto.Tests.testCase "LayerNorm at init gives each row zero mean and unit biased variance" ``LayerNorm at init gives each row zero mean and unit biased variance``
        Expecto.Tests.testCase "Dropout zeroes and rescales by 1/(1-p) in training, is the identity in eval, and Eval reaches children" ``Dropout zeroes and rescales by 1/(1-p) in training, is the identity in eval, and Eval reaches children``
        Expecto.Tests.testCase "a state dict saved to a file and loaded into a fresh model gives bit-identical outputs" ``a state dict saved to a file and loaded into a fresh model gives bit-identical outputs``
        Expecto.Tests.testCase "strict LoadStateDict rejects a missing key naming it; non-strict reports it" ``strict LoadStateDict rejects a missing key naming it; non-strict reports it``
        Expecto.Tests.testCase "a PyTorch state dict saved as a plain dict loads with its names and values; an OrderedDict or a legacy file is refused saying what to save instead" ``a PyTorch state dict saved as a plain dict loads with its names and values; an OrderedDict or a legacy file is refused saying what to save instead``
        Expecto.Tests.testCase "LoadStateDict rejects a shape mismatch naming the key and both shapes" ``LoadStateDict rejects a shape mismatch naming the key and both shapes``
        Expecto.Tests.testCase "the same seed gives bit-identical initial weights and a different seed does not" ``the same seed gives bit-identical initial weights and a different seed does not``
        Expecto.Tests.testCase "a model built inside a Scope keeps its parameters after the scope ends" ``a model built inside a Scope keeps its parameters after the scope ends``
        Expecto.Tests.testCase "To(Float64) converts every parameter, keeps names and trainability, and ZeroGrad clears gradients" ``To(Float64) converts every parameter, keeps names and trainability, and ZeroGrad clears gradients``
    ]
