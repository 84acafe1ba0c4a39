/// NiceMutantTests.fs: NICE's pieces by hand — which half each coupling moves and in which direction, the scaling layer, the priors' densities, seeded sampling, and the checks' messages.
module GenDsl.Tests.Core.NiceMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// A Linear(inF, outF) in float64 with weights W_ij = 0.1 (i + 1) - 0.05 j and bias b_i = 0.2 i - 0.1.
let private linear (inF: int64) (outF: int64) =
    let l = new Linear(inF, outF, dtype = f64)
    use ng = Autograd.NoGrad()
    l.Weight.Copy_(t64 [ outF; inF ] [ for i in 0L .. outF - 1L do for j in 0L .. inF - 1L -> 0.1 * float (i + 1L) - 0.05 * float j ]) |> ignore
    l.Bias.Copy_(vec [ for i in 0L .. outF - 1L -> 0.2 * float i - 0.1 ]) |> ignore
    l

/// The same affine map by plain floats.
let private affine (outF: int) (v: float[]) = Array.init outF (fun i -> Seq.sum (seq { for j in 0 .. v.Length - 1 -> (0.1 * float (i + 1) - 0.05 * float j) * v.[j] }) + 0.2 * float i - 0.1)

let ``additive coupling on D = 5: (a, b) -> (a, b + m(a)) or, reversed, (a + m(b), b); the inverse subtracts m (by plain floats)`` () =
    let x = [| 0.3; -1.2; 0.8; 2.0; -0.5 |]
    use xt = t64 [ 1L; 5L ] (List.ofArray x)
    let a, b = x.[0 .. 1], x.[2 .. 4]
    use fwd = new AdditiveCoupling(5L, false, linear 2L 3L)
    close 1e-12 (Array.append a (Array.map2 (+) b (affine 3 a))) (fwd.Forward(xt))
    close 1e-12 (Array.append a (Array.map2 (-) b (affine 3 a))) (fwd.Inverse(xt))
    use rev = new AdditiveCoupling(5L, true, linear 3L 2L)
    close 1e-12 (Array.append (Array.map2 (+) a (affine 2 b)) b) (rev.Forward(xt))
    close 1e-12 (Array.append (Array.map2 (-) a (affine 2 b)) b) (rev.Inverse(xt))
    Assert.Contains("features=5, reverse=False", fwd.ToString())
    Assert.Contains("features=5, reverse=True", rev.ToString())

let ``additive coupling checks: at least 2 features, a network, (B, D) inputs, and a network giving the other half's size`` () =
    throws<ArgumentException> "AdditiveCoupling: need at least 2 features to split in halves, got 1" (fun () -> box (new AdditiveCoupling(1L, false, linear 1L 1L)))
    let e = Assert.Throws<ArgumentNullException>(fun () -> new AdditiveCoupling(4L, false, null) |> ignore)
    Assert.Equal("net", e.ParamName)
    use c = new AdditiveCoupling(5L, false, linear 2L 3L)
    throws<ArgumentException> "AdditiveCoupling: input must be (B, 5), got [2, 4]" (fun () -> box (c.Forward(Torch.Zeros([| 2L; 4L |], f64))))
    throws<ArgumentException> "AdditiveCoupling: input must be (B, 5), got [5]" (fun () -> box (c.Forward(Torch.Zeros([| 5L |], f64))))
    use wrong = new AdditiveCoupling(5L, false, linear 2L 2L)
    throws<ArgumentException> "AdditiveCoupling: the coupling network maps [1, 2] to [1, 2] but must give [1, 3] (its output size is the other half's)" (fun () -> box (wrong.Forward(Torch.Zeros([| 1L; 5L |], f64))))

let ``diagonal scaling: log_scale (1, D) starts at 0 in float32 (or the dtype given); z = x exp(s), x = z exp(-s), log|det| = sum s`` () =
    use d32 = new DiagonalScaling(3L)
    Assert.Equal(ScalarType.Float32, d32.LogScale.Dtype)
    Assert.Equal<int64 list>([ 1L; 3L ], shape d32.LogScale)
    close 0.0 [ 0.0; 0.0; 0.0 ] d32.LogScale
    use d = new DiagonalScaling(3L, Nullable f64)
    Assert.Equal(ScalarType.Float64, d.LogScale.Dtype)
    let s = [| 0.5; -1.0; 0.25 |]
    using (Autograd.NoGrad()) (fun _ -> d.LogScale.Copy_(t64 [ 1L; 3L ] (List.ofArray s)) |> ignore)
    use x = t64 [ 2L; 3L ] [ 1.0; 2.0; -3.0; 0.5; -1.0; 4.0 ]
    let xs = vals x
    close 1e-12 [ for i in 0 .. 5 -> xs.[i] * exp s.[i % 3] ] (d.Forward(x))
    close 1e-12 [ for i in 0 .. 5 -> xs.[i] * exp (-s.[i % 3]) ] (d.Inverse(x))
    closeScalar 1e-15 (-0.25) (d.LogAbsDet().ToDouble())

let ``NICE builds alternating couplings with nets D/2 -> D - D/2 and back; bad sizes, block counts and MLP settings are refused with messages`` () =
    let sizes = Collections.Generic.List<int64 * int64>()
    let net = Func<int64, int64, Module>(fun i o -> sizes.Add((i, o)); linear i o :> Module)
    use nice = new Nice(5L, 3, net, NicePrior.Gaussian, Nullable f64)
    Assert.Equal<(int64 * int64) list>([ (2L, 3L); (3L, 2L); (2L, 3L) ], List.ofSeq sizes)
    Assert.Equal<bool list>([ false; true; false ], [ for c in nice.Couplings -> (c :?> AdditiveCoupling).Reverse ])
    use one = new Nice(4L, 1, net)
    Assert.Equal(1, one.Couplings.Count)
    Assert.Throws<ArgumentNullException>(fun () -> new Nice(4L, 2, null) |> ignore) |> ignore
    throws<ArgumentException> "Nice: need at least 2 features, got 1" (fun () -> box (new Nice(1L, 2, net)))
    throws<ArgumentException> "Nice: need at least one coupling block (3 or more let every dim influence every other), got 0" (fun () -> box (new Nice(4L, 0, net)))
    throws<ArgumentException> "Nice.MlpNet: need hiddenLayers >= 1 and hidden >= 1, got 0 and 4" (fun () -> box (Nice.MlpNet(0, 4L)))
    throws<ArgumentException> "Nice.MlpNet: need hiddenLayers >= 1 and hidden >= 1, got 2 and 0" (fun () -> box (Nice.MlpNet(2, 0L)))
    // MlpNet(L, H)(2, 3): Linear(2, H), ReLU, (L - 1) x [Linear(H, H), ReLU], Linear(H, 3)
    for layers, expected in [ 1, (2 * 4 + 4) + (4 * 3 + 3); 3, (2 * 4 + 4) + 2 * (4 * 4 + 4) + (4 * 3 + 3) ] do
        use m = Nice.MlpNet(layers, 4L).Invoke(2L, 3L)
        Assert.Equal(int64 expected, Utils.ParameterCount m)
        Assert.Equal(2 * layers + 1, (m :?> Sequential).Count)
    // the edges are allowed: one hidden layer of one unit, Linear(2, 1), ReLU, Linear(1, 3)
    use m1 = Nice.MlpNet(1, 1L).Invoke(2L, 3L)
    Assert.Equal(int64 ((2 * 1 + 1) + (1 * 3 + 3)), Utils.ParameterCount m1)

/// A float64 NICE on D = 4 with set scales s = (0.2, -0.4, 0.1, 0.3).
let private nice4 prior =
    use g = new Generator(3UL)
    let n = Nice.Mlp(4L, 3, 1, 6L, prior, g, Nullable f64)
    using (Autograd.NoGrad()) (fun _ -> n.Scaling.LogScale.Copy_(t64 [ 1L; 4L ] [ 0.2; -0.4; 0.1; 0.3 ]) |> ignore)
    n

let ``priors: logistic log p(z) = -z - 2 log(1 + e^-z) and standard normal -z^2/2 - log(2 pi)/2, summed over dims; log p_X adds sum s; the loss is minus the mean`` () =
    let z = [| -3.0; -0.4; 0.0; 1.7; 5.0; 0.9; -1.1; 2.2 |]
    use zt = t64 [ 2L; 4L ] (List.ofArray z)
    let perRow f = [ for r in 0 .. 1 -> Seq.sum (seq { for j in 0 .. 3 -> f z.[4 * r + j] }) ]
    use logistic = nice4 NicePrior.Logistic
    close 1e-12 (perRow (fun v -> -v - 2.0 * log (1.0 + exp (-v)))) (logistic.PriorLogProb(zt))
    use gauss = nice4 NicePrior.Gaussian
    close 1e-12 (perRow (fun v -> -0.5 * v * v - 0.5 * log (2.0 * Math.PI))) (gauss.PriorLogProb(zt))
    use ng = Autograd.NoGrad()
    for n in [ logistic; gauss ] do
        use fz = n.Forward(zt)
        use lp = n.PriorLogProb(fz)
        let expected = vals lp |> Array.map (fun v -> v + 0.2)               // sum s = 0.2
        close 1e-12 expected (n.LogProb(zt))
        closeScalar 1e-12 (-(Array.average expected)) (n.Loss(zt).ToDouble())

let ``sampling inverts T z with z the logistic quantile log(u / (1 - u)) of the generator's uniforms, or its normals; n and T must be positive`` () =
    for prior in [ NicePrior.Logistic; NicePrior.Gaussian ] do
        use n = nice4 prior
        use s = n.Sample(6L, new Generator(4UL), 0.5)
        Assert.Equal(ScalarType.Float64, s.Dtype)
        use g = new Generator(4UL)
        use z =
            if prior = NicePrior.Logistic then
                use u = Torch.Rand([| 6L; 4L |], g, f64)
                (u / (u.Neg() + 1.0)).Log()
            else Torch.Randn([| 6L; 4L |], g, f64)
        use ng = Autograd.NoGrad()
        close 1e-10 (vals (n.Inverse(z * 0.5))) s
        throws<ArgumentException> "Nice.Sample: n must be positive, got 0" (fun () -> box (n.Sample(0L, g)))
        for t in [ 0.0; -1.0; nan ] do
            throws<ArgumentException> (sprintf "Nice.Sample: temperature must be positive, got %s" (t.ToString())) (fun () -> box (n.Sample(2L, g, t)))

let ``NICE inputs: (B, D) or (B, ...) with D numbers per example, including an empty batch; other shapes are refused naming the shape`` () =
    use n = nice4 NicePrior.Gaussian
    use ng = Autograd.NoGrad()
    use x = t64 [ 2L; 4L ] [ 0.1; 0.2; 0.3; 0.4; -1.0; 0.0; 1.0; 2.0 ]
    close 0.0 (vals (n.Forward(x))) (n.Forward(x.View(2L, 1L, 2L, 2L)))
    throws<ArgumentException> "Nice: input must be (B, 4) or (B, ...) with 4 elements per example, got [2, 3]" (fun () -> box (n.Forward(Torch.Zeros([| 2L; 3L |], f64))))
    throws<ArgumentException> "got [4]" (fun () -> box (n.Forward(Torch.Zeros([| 4L |], f64))))
    use empty = Torch.Zeros([| 0L; 4L |], f64)
    Assert.Equal<int64 list>([ 0L; 4L ], shape (n.Forward(empty)))
    Assert.Equal<int64 list>([ 0L; 4L ], shape (n.Inverse(empty)))
    Assert.Equal<int64 list>([ 0L ], shape (n.LogProb(empty)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.NiceMutantTests" [
        Expecto.Tests.testCase "additive coupling on D = 5: (a, b) -> (a, b + m(a)) or, reversed, (a + m(b), b); the inverse subtracts m (by plain floats)" ``additive coupling on D = 5: (a, b) -> (a, b + m(a)) or, reversed, (a + m(b), b); the inverse subtracts m (by plain floats)``
        Expecto.Tests.testCase "additive coupling checks: at least 2 features, a network, (B, D) inputs, and a network giving the other half's size" ``additive coupling checks: at least 2 features, a network, (B, D) inputs, and a network giving the other half's size``
        Expecto.Tests.testCase "diagonal scaling: log_scale (1, D) starts at 0 in float32 (or the dtype given); z = x exp(s), x = z exp(-s), log|det| = sum s" ``diagonal scaling: log_scale (1, D) starts at 0 in float32 (or the dtype given); z = x exp(s), x = z exp(-s), log|det| = sum s``
        Expecto.Tests.testCase "NICE builds alternating couplings with nets D/2 -> D - D/2 and back; bad sizes, block counts and MLP settings are refused with messages" ``NICE builds alternating couplings with nets D/2 -> D - D/2 and back; bad sizes, block counts and MLP settings are refused with messages``
        Expecto.Tests.testCase "priors: logistic log p(z) = -z - 2 log(1 + e^-z) and standard normal -z^2/2 - log(2 pi)/2, summed over dims; log p_X adds sum s; the loss is minus the mean" ``priors: logistic log p(z) = -z - 2 log(1 + e^-z) and standard normal -z^2/2 - log(2 pi)/2, summed over dims; log p_X adds sum s; the loss is minus the mean``
        Expecto.Tests.testCase "sampling inverts T z with z the logistic quantile log(u / (1 - u)) of the generator's uniforms, or its normals; n and T must be positive" ``sampling inverts T z with z the logistic quantile log(u / (1 - u)) of the generator's uniforms, or its normals; n and T must be positive``
        Expecto.Tests.testCase "NICE inputs: (B, D) or (B, ...) with D numbers per example, including an empty batch; other shapes are refused naming the shape" ``NICE inputs: (B, D) or (B, ...) with D numbers per example, including an empty batch; other shapes are refused naming the shape``
    ]
