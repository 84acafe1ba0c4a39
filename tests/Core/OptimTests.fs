/// OptimTests.fs: torch.optim — SGD/Adam/AdamW updates against PyTorch, LR schedules against closed forms, clipping, determinism, a tiny fit.
module GenDsl.Tests.Core.OptimTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Tests.Support

/// f(x) = 1/2 sum(a x^2) with a = (1, 3, 0.5), from x0 = (1, -2, 0.5), float64: the parameter after each of `steps` steps.
let private quadratic (make: Tensor list -> Optimizer) steps =
    use x = Torch.Tensor<float>([| 1.0; -2.0; 0.5 |]).RequiresGrad_()
    use a = vec [ 1.0; 3.0; 0.5 ]
    use opt = make [ x ]
    [ for _ in 1 .. steps do
        use s = Scope.Begin()
        opt.ZeroGrad()
        (0.5 * (a * x * x).Sum()).Backward()
        opt.Step()
        yield vals x ]

/// Expected values: the same loop in python3-torch 1.13 (float64), e.g.
/// x = torch.tensor([1., -2., .5], dtype=torch.float64, requires_grad=True); opt = torch.optim.SGD([x], lr=0.1, momentum=0.9)
/// for _ in range(3): opt.zero_grad(); (0.5*(a*x*x).sum()).backward(); opt.step(); print(x)
let private matches (expected: float list list) (actual: float[] list) =
    Assert.Equal(expected.Length, actual.Length)
    for e, a in List.zip expected actual do
        // float64 throughout; PyTorch 1.13's Adam uses mul_/add_ where this (and PyTorch 2) uses lerp_: ~1e-16 apart
        List.iteri (fun i ev -> closeScalar 1e-12 ev a.[i]) e

let ``SGD with momentum matches PyTorch's updates for three steps`` () =
    quadratic (fun ps -> new SGD(ps, lr = 0.1, momentum = 0.9)) 3
    |> matches [ [ 0.9; -1.4; 0.475 ]
                 [ 0.72; -0.4399999999999999; 0.42874999999999996 ]
                 [ 0.486; 0.5560000000000003; 0.36568749999999994 ] ]

let ``SGD with dampening and weight decay, and Nesterov SGD, match PyTorch for three steps`` () =
    quadratic (fun ps -> new SGD(ps, lr = 0.1, momentum = 0.9, dampening = 0.5, weightDecay = 0.1)) 3
    |> matches [ [ 0.89; -1.38; 0.47 ]
                 [ 0.74205; -0.6080999999999999; 0.42889999999999995 ]
                 [ 0.56808225; 0.18086550000000012; 0.37904299999999996 ] ]
    quadratic (fun ps -> new SGD(ps, lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 0.01)) 3
    |> matches [ [ 0.8081; -0.8562000000000001; 0.45155 ]
                 [ 0.57121561; 0.12108078000000005; 0.387139805 ]
                 [ 0.32185967344099997; 0.6994428039180001; 0.3123829273955 ] ]

let ``Adam matches PyTorch's bias-corrected updates for three steps`` () =
    quadratic (fun ps -> new Adam(ps, lr = 0.1)) 3
    |> matches [ [ 0.900000001; -1.9000000001666666; 0.4000000039999998 ]
                 [ 0.8004122297123382; -1.800166485947237; 0.3011874278735871 ]
                 [ 0.701586274504415; -1.7006233917912488; 0.2048712620977537 ] ]
    // betas (0.8, 0.9), L2 weight decay 0.1 in the gradient, amsgrad
    quadratic (fun ps -> new Adam(ps, lr = 0.1, beta1 = 0.8, beta2 = 0.9, weightDecay = 0.1, amsgrad = true)) 3
    |> matches [ [ 0.9000000009090909; -1.9000000001612904; 0.40000000333333324 ]
                 [ 0.8004468162595779; -1.8001829556554472; 0.3012666467267731 ]
                 [ 0.701719228138979; -1.7006834047946302; 0.2052300403588435 ] ]

let ``AdamW decays the weights decoupled from the gradient, matching PyTorch for three steps`` () =
    quadratic (fun ps -> new AdamW(ps, lr = 0.1, weightDecay = 0.1)) 3
    |> matches [ [ 0.890000001; -1.8800000001666666; 0.3950000039999998 ]
                 [ 0.781571856954161; -1.7614089504165513; 0.2923387104493052 ]
                 [ 0.6751012231892006; -1.6443686833067828; 0.19341561374621466 ] ]

let ``parameter groups take their own LR, the LR property sets all, and parameters without grad stay put`` () =
    use p = Torch.Tensor<float>([| 1.0 |]).RequiresGrad_()
    use q = Torch.Tensor<float>([| 1.0 |]).RequiresGrad_()
    use idle = Torch.Tensor<float>([| 1.0 |]).RequiresGrad_()
    use opt = new SGD([ ParamGroup([ p ]); ParamGroup([ q; idle ], lr = 0.5) ], lr = 0.1)
    using (Scope.Begin()) (fun _ -> (p * 2.0 + q * 2.0).Sum().Backward(); opt.Step())
    close 1e-15 [ 0.8 ] p // 1 - 0.1 * 2
    close 1e-15 [ 0.0 ] q // 1 - 0.5 * 2
    close 0.0 [ 1.0 ] idle
    opt.LR <- 0.01
    Assert.True(opt.ParamGroups |> Seq.forall (fun g -> g.LR = 0.01))

let ``bad optimizer settings are rejected with a message saying what to change`` () =
    use p = Torch.Zeros(2L).RequiresGrad_()
    let ex = Assert.Throws<ArgumentException>(fun () -> new SGD([ p ], lr = 0.1, nesterov = true) |> ignore)
    Assert.Contains("Nesterov momentum requires momentum > 0", ex.Message)
    Assert.Contains("empty parameter list", Assert.Throws<ArgumentException>(fun () -> new Adam(List.empty<Tensor>) |> ignore).Message)
    Assert.Contains("beta1", Assert.Throws<ArgumentException>(fun () -> new Adam([ p ], beta1 = 1.0) |> ignore).Message)

let ``ClipGradNorm returns the joint norm and scales the gradients down to maxNorm`` () =
    use a = Torch.Tensor<float>([| 1.0; 2.0 |]).RequiresGrad_()
    use b = Torch.Tensor<float>([| 0.5 |]).RequiresGrad_()
    use opt = new SGD([ a; b ], lr = 0.1)
    use s = Scope.Begin()
    ((a * vec [ 3.0; 0.0 ]).Sum() + (b * 4.0).Sum()).Backward() // grads (3, 0) and (4): joint norm 5
    closeScalar 1e-12 5.0 (opt.ClipGradNorm 1.0)
    // scaled by 1 / (5 + 1e-6) as torch.nn.utils.clip_grad_norm_
    close 1e-12 [ 3.0 / (5.0 + 1e-6); 0.0 ] a.Grad
    close 1e-12 [ 4.0 / (5.0 + 1e-6) ] b.Grad
    closeScalar 1e-12 (5.0 / (5.0 + 1e-6)) (Utils.ClipGradNorm_([ a; b ], 10.0)) // below maxNorm: unchanged
    close 1e-12 [ 4.0 / (5.0 + 1e-6) ] b.Grad

// ---- LR schedules: after t calls of Step(), lr = the closed form at t ----
let private lrs (sched: LRScheduler) n = [ for _ in 1 .. n -> (let lr = sched.LR in sched.Step(); lr) ]
let private dummy () = new SGD([ Torch.Zeros(1L).RequiresGrad_() ], lr = 0.1)

let ``StepLR, ExponentialLR and LambdaLR follow their closed forms`` () =
    let opt = dummy ()
    List.iteri (fun t lr -> closeScalar 1e-15 (0.1 * 0.5 ** float (t / 3)) lr) (lrs (StepLR(opt, 3L, gamma = 0.5)) 10)
    let opt = dummy ()
    List.iteri (fun t lr -> closeScalar 1e-15 (0.1 * 0.9 ** float t) lr) (lrs (ExponentialLR(opt, 0.9)) 10)
    let opt = dummy ()
    List.iteri (fun t lr -> closeScalar 1e-15 (0.1 / float (t + 1)) lr) (lrs (LambdaLR(opt, fun t -> 1.0 / float (t + 1L))) 10)

let ``CosineAnnealingLR follows etaMin + (base - etaMin)(1 + cos(pi t / T))/2`` () =
    let opt = dummy ()
    let got = lrs (CosineAnnealingLR(opt, 10L, etaMin = 0.001)) 11
    List.iteri (fun t lr -> closeScalar 1e-15 (0.001 + (0.1 - 0.001) * (1.0 + cos (Math.PI * float t / 10.0)) / 2.0) lr) got
    closeScalar 1e-15 0.001 (List.last got) // reaches etaMin at t = T

let ``warm-up then cosine: linear from startFactor to base over the warm-up, then cosine to etaMin`` () =
    let opt = dummy ()
    let got = lrs (LRScheduler.WarmupCosine(opt, 4L, 14L, etaMin = 0.0, startFactor = 0.25)) 15
    for t in 0 .. 14 do
        let expected =
            if t < 4 then 0.1 * (0.25 + 0.75 * float t / 4.0) // LinearLR(0.25, 1, 4)
            else 0.1 * (1.0 + cos (Math.PI * float (t - 4) / 10.0)) / 2.0 // CosineAnnealingLR(T = 10) from step 4
        closeScalar 1e-15 expected got.[t]
    closeScalar 1e-15 0.1 got.[4]
    // the composed schedule keeps the base LR of the first scheduler (initial_lr), as PyTorch
    Assert.Equal(Nullable 0.1, opt.ParamGroups.[0].InitialLR)

// ---- training ----
/// Four Gaussian blobs at (+-1, +-1), sd 0.35, labelled by the XOR of the signs: 200 points from `seed`.
let private xorData (seed: uint64) =
    use g = new Generator(seed)
    use s = Scope.Begin()
    let centers = Torch.RandInt(0L, 2L, [| 200L; 2L |], g).Double() * 2.0 - 1.0 // (N, 2) in {-1, 1}
    let x = centers + 0.35 * Torch.Randn([| 200L; 2L |], g, ScalarType.Float64)
    let y = (centers.Select(1L, 0L) * centers.Select(1L, 1L)).Lt(0.0).Long() // (N,)
    x.MoveToOuterScope(), y.MoveToOuterScope()

/// 2 -> 16 (tanh, dropout 0.1) -> 2 logits, float64; weights from `seed`, dropout masks from `dropGen` (which must outlive the model).
let private net (seed: uint64) (dropGen: Generator) =
    use g = new Generator(seed)
    let m = new Sequential(new Linear(2L, 16L, generator = g), new Tanh(), new Dropout(0.1, dropGen), new Linear(16L, 2L, generator = g))
    m.To(ScalarType.Float64) |> ignore
    m

/// Full-batch Adam on the XOR blobs with one Scope per step; the loss after each step.
let private train (m: Module) (opt: Optimizer) steps (x: Tensor) (y: Tensor) =
    [ for _ in 1 .. steps do
        use s = Scope.Begin()
        opt.ZeroGrad()
        let loss = Functional.CrossEntropy(m.Forward x, y)
        loss.Backward()
        opt.Step()
        yield loss.ToDouble() ]

let ``the same seed gives bit-identical training results after 25 Adam steps with dropout`` () =
    let x, y = xorData 3UL
    use x = x
    use y = y
    let run () =
        use dropGen = new Generator(8UL)
        use m = net 7UL dropGen
        use opt = new AdamW(m.Parameters(), lr = 0.02)
        let losses = train m opt 25 x y
        losses, [ for p in m.Parameters() -> vals p ]
    let l1, p1 = run ()
    let l2, p2 = run ()
    Assert.Equal<float list>(l1, l2)
    Assert.Equal<float[] list>(p1, p2)

let ``a 2-layer MLP fits the XOR blobs: eval cross-entropy below 0.1 after 60 Adam steps`` () =
    let x, y = xorData 1UL
    use x = x
    use y = y
    use dropGen = new Generator(5UL)
    use m = net 0UL dropGen
    use opt = new Adam(m.Parameters(), lr = 0.05)
    let losses = train m opt 60 x y
    m.Eval() |> ignore
    use s = Scope.Begin()
    let final = Functional.CrossEntropy(m.Forward x, y).ToDouble()
    // ln 2 = 0.69 at chance; the blobs barely overlap at sd 0.35, and over four data/weight seeds this loop
    // reached a training loss of 0.03-0.05 by step 25, so 0.1 at step 60 leaves a wide margin
    Assert.True(losses.Head > 0.5, sprintf "initial loss %g should be near ln 2" losses.Head)
    Assert.True(final < 0.1, sprintf "eval loss after 60 steps: %g (bound 0.1)" final)

let ``optimizer state saved and restored continues with bit-identical updates`` () =
    let x, y = xorData 2UL
    use x = x
    use y = y
    use dropGen = new Generator(6UL)
    use m = net 1UL dropGen
    m.Eval() |> ignore // no dropout: the continuation depends only on the weights and the optimizer state
    use opt = new Adam(m.Parameters(), lr = 0.01)
    train m opt 3 x y |> ignore
    use s = Scope.Begin()
    let snapshot = m.StateDict() |> Seq.map (fun kv -> kv.Key, kv.Value.Clone()) |> readOnlyDict
    let optState = opt.StateDict()
    let a = train m opt 2 x y
    m.LoadStateDict(snapshot) |> ignore
    use opt2 = new Adam(m.Parameters(), lr = 0.5)
    opt2.LoadStateDict(optState)
    Assert.Equal(0.01, opt2.LR)
    let b = train m opt2 2 x y
    Assert.Equal<float list>(a, b)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OptimTests" [
        Expecto.Tests.testCase "SGD with momentum matches PyTorch's updates for three steps" ``SGD with momentum matches PyTorch's updates for three steps``
        Expecto.Tests.testCase "SGD with dampening and weight decay, and Nesterov SGD, match PyTorch for three steps" ``SGD with dampening and weight decay, and Nesterov SGD, match PyTorch for three steps``
        Expecto.Tests.testCase "Adam matches PyTorch's bias-corrected updates for three steps" ``Adam matches PyTorch's bias-corrected updates for three steps``
        Expecto.Tests.testCase "AdamW decays the weights decoupled from the gradient, matching PyTorch for three steps" ``AdamW decays the weights decoupled from the gradient, matching PyTorch for three steps``
        Expecto.Tests.testCase "parameter groups take their own LR, the LR property sets all, and parameters without grad stay put" ``parameter groups take their own LR, the LR property sets all, and parameters without grad stay put``
        Expecto.Tests.testCase "bad optimizer settings are rejected with a message saying what to change" ``bad optimizer settings are rejected with a message saying what to change``
        Expecto.Tests.testCase "ClipGradNorm returns the joint norm and scales the gradients down to maxNorm" ``ClipGradNorm returns the joint norm and scales the gradients down to maxNorm``
        Expecto.Tests.testCase "StepLR, ExponentialLR and LambdaLR follow their closed forms" ``StepLR, ExponentialLR and LambdaLR follow their closed forms``
        Expecto.Tests.testCase "CosineAnnealingLR follows etaMin + (base - etaMin)(1 + cos(pi t / T))/2" ``CosineAnnealingLR follows etaMin + (base - etaMin)(1 + cos(pi t / T))/2``
        Expecto.Tests.testCase "warm-up then cosine: linear from startFactor to base over the warm-up, then cosine to etaMin" ``warm-up then cosine: linear from startFactor to base over the warm-up, then cosine to etaMin``
        Expecto.Tests.testCase "the same seed gives bit-identical training results after 25 Adam steps with dropout" ``the same seed gives bit-identical training results after 25 Adam steps with dropout``
        Expecto.Tests.testCase "a 2-layer MLP fits the XOR blobs: eval cross-entropy below 0.1 after 60 Adam steps" ``a 2-layer MLP fits the XOR blobs: eval cross-entropy below 0.1 after 60 Adam steps``
        Expecto.Tests.testCase "optimizer state saved and restored continues with bit-identical updates" ``optimizer state saved and restored continues with bit-identical updates``
    ]
