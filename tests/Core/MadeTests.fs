/// MadeTests.fs: MADE — the autoregressive property by autograd and by its masks, an exact likelihood that sums to 1, sampling in order, training.
module GenDsl.Tests.Core.MadeTests

open System
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// All 2^d binary vectors as rows (2^d, d), float64; row k holds the bits of k.
let private allBinary (d: int) =
    let v = [| for k in 0 .. (1 <<< d) - 1 do for i in 0 .. d - 1 -> float ((k >>> i) &&& 1) |]
    Torch.Tensor<float>(v, int64 (1 <<< d), int64 d)

let ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (k: int, variant: int) =
    let d = 6L
    let order = if variant = 1 then [| 3L; 0L; 5L; 1L; 4L; 2L |] else [| 0L .. d - 1L |]
    let hidden = if variant = 2 then [| 3L; 4L |] else [| 20L; 20L |]
    use g = new Generator(11UL)
    use made = new Made(d, hidden, k, order, g, f64)
    use x = Torch.Randn([| d |], g, f64)
    use j = Autograd.Jacobian((fun v -> made.Forward(v.Unsqueeze(0L)).Squeeze(0L)), x)   // (K D, D)
    let jv = vals j
    let mutable allowedNonZero = 0
    for kk in 0 .. k - 1 do
        for o in 0 .. int d - 1 do
            for i in 0 .. int d - 1 do
                let grad = jv.[(kk * int d + o) * int d + i]
                if made.Ranks.[i] >= made.Ranks.[o] then
                    Assert.True((grad = 0.0), sprintf "output %d (rank %d) depends on input %d (rank %d): %g" o made.Ranks.[o] i made.Ranks.[i] grad)
                elif grad <> 0.0 then allowedNonZero <- allowedNonZero + 1
    // the test bites: the allowed dependencies are actually there (15 pairs per output block of 6; ReLUs may cut a few)
    Assert.True(allowedNonZero >= 8 * k, sprintf "only %d allowed dependencies seen" allowedNonZero)

let ``MADE's mask product connects input j to output d exactly when rank(j) < rank(d), with hidden widths >= D - 1`` () =
    let d = 5L
    use made = new Made(d, [| 4L; 7L |], 1, [| 4L; 2L; 0L; 1L; 3L |])
    let masks = [ for m in made.Net do match m with :? MaskedLinear as l -> yield l.Mask.To(f64) | _ -> () ]
    use paths = masks |> List.reduce (fun acc m -> m.MatMul(acc))                  // (D, D): number of paths j -> d
    let pv = vals paths
    for o in 0 .. int d - 1 do
        for i in 0 .. int d - 1 do
            Assert.Equal((made.Ranks.[i] < made.Ranks.[o]), pv.[o * int d + i] > 0.0)

let ``MADE's Bernoulli likelihood is exact: p summed over all 2^6 binary vectors is 1`` () =
    use g = new Generator(12UL)
    use made = new Made(6L, [| 16L |], 1, [| 5L; 3L; 1L; 0L; 2L; 4L |], g, f64)
    using (Autograd.NoGrad()) (fun _ -> for p in made.Parameters() do p.Mul_(3.0) |> ignore)   // sharper conditionals
    use x = allBinary 6
    use lp = made.LogProb(x)
    // float64 sums of 64 terms: 1e-12
    closeScalar 1e-12 1.0 (lp.Exp().Sum().ToDouble())
    Assert.True(lp.Max().ToDouble() - lp.Min().ToDouble() > 1.0, "the distribution is far from uniform, so a missing term would show")

let ``MADE samples in its order follow p: the frequencies of all 8 vectors match exp(log p) within 4 standard errors`` () =
    use g = new Generator(13UL)
    use made = new Made(3L, [| 8L; 8L |], 1, [| 2L; 0L; 1L |], g, f64)
    using (Autograd.NoGrad()) (fun _ -> for p in made.Parameters() do p.Mul_(3.0) |> ignore)
    let n = 20000L
    use s = made.Sample(n, g)
    Assert.Equal<int64 list>([ n; 3L ], shape s)
    use binary = s.Eq(0.0).LogicalOr(s.Eq(1.0)).All()
    Assert.True(binary.Item<bool>(), "samples are 0/1")
    use code = (s * Torch.Tensor<float>([| 1.0; 2.0; 4.0 |])).Sum(1L)
    let codes = vals code
    use p = made.LogProb(allBinary 3).Exp()
    let pv = vals p
    for k in 0 .. 7 do
        let freq = (codes |> Array.filter (fun c -> int c = k) |> Array.length |> float) / float n
        // a binomial proportion: SE sqrt(p (1 - p) / n); 8 cells at 4 SE: a false failure ~5e-4
        let se = sqrt (pv.[k] * (1.0 - pv.[k]) / float n)
        if abs (freq - pv.[k]) > 4.0 * se then failwithf "vector %d: frequency %g, p %g (SE %g)" k freq pv.[k] se

let ``MADE's NLL on tiny binary images falls through the Trainer; samples are binary with the data's width`` () =
    use g = new Generator(14UL)
    // two 4x4 patterns (rows / columns) with 5% flipped pixels: 128 images
    use rows = Torch.Tensor<float32>([| for i in 0 .. 15 -> if (i / 4) % 2 = 0 then 1.0f else 0.0f |], 1L, 1L, 4L, 4L)
    use cols = Torch.Tensor<float32>([| for i in 0 .. 15 -> if i % 2 = 0 then 1.0f else 0.0f |], 1L, 1L, 4L, 4L)
    use which = Torch.Bernoulli(Torch.Full([| 128L; 1L; 1L; 1L |], 0.5), g)
    use flip = Torch.Bernoulli(Torch.Full([| 128L; 1L; 4L; 4L |], 0.05), g)
    use clean = which * rows + (1.0 - which) * cols
    use data = (clean - flip).Abs()
    use made = new Made(16L, [| 64L |], generator = g)
    use trainer = new Trainer(made, (fun ps -> upcast new Adam(ps, lr = 1e-2)), (fun _ -> null), TrainOptions(Steps = 40L, BatchSize = 32, Seed = 3UL))
    let r = trainer.Fit(new TensorDataset(data), Objective(fun b _ -> made.Loss(b)))
    let l = [| for s in r.StepRecords -> s.Loss |]
    // 16 ln 2 = 11.1 nats at the start; the patterns' entropy is about 1 + 16 H(0.05) = 4.1 nats (~6 measured after 40 steps)
    let first, last = Array.average l.[0..3], Array.average l.[36..39]
    Assert.True(last < first - 3.0, sprintf "NLL %g -> %g" first last)
    use s = made.Sample(5L, g)
    Assert.Equal<int64 list>([ 5L; 16L ], shape s)
    Assert.True(s.Eq(0.0).LogicalOr(s.Eq(1.0)).All().Item<bool>())

let ``MADE refuses a bad order and Bernoulli calls on a two-output MADE, saying what to change`` () =
    throws<ArgumentException> "order must be a permutation of 0..3" (fun () -> box (new Made(4L, [| 8L |], 1, [| 0L; 1L; 1L; 2L |])))
    use m = new Made(4L, [| 8L |], 2)
    throws<InvalidOperationException> "outputsPerFeature = 1" (fun () -> box (m.LogProb(Torch.Zeros(2L, 4L))))
    throws<ArgumentException> "(B, 4)" (fun () -> box (m.Forward(Torch.Zeros(2L, 5L))))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MadeTests" [
        Expecto.Tests.testCase "seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)(k: 1, variant: 0)" (fun () -> ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (1, 0))
        Expecto.Tests.testCase "seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)(k: 2, variant: 1)" (fun () -> ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (2, 1))
        Expecto.Tests.testCase "seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)(k: 1, variant: 2)" (fun () -> ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (1, 2))
        Expecto.Tests.testCase "MADE's mask product connects input j to output d exactly when rank(j) < rank(d), with hidden widths >= D - 1" ``MADE's mask product connects input j to output d exactly when rank(j) < rank(d), with hidden widths >= D - 1``
        Expecto.Tests.testCase "MADE's Bernoulli likelihood is exact: p summed over all 2^6 binary vectors is 1" ``MADE's Bernoulli likelihood is exact: p summed over all 2^6 binary vectors is 1``
        Expecto.Tests.testCase "MADE samples in its order follow p: the frequencies of all 8 vectors match exp(log p) within 4 standard errors" ``MADE samples in its order follow p: the frequencies of all 8 vectors match exp(log p) within 4 standard errors``
        Expecto.Tests.testCase "MADE's NLL on tiny binary images falls through the Trainer; samples are binary with the data's width" ``MADE's NLL on tiny binary images falls through the Trainer; samples are binary with the data's width``
        Expecto.Tests.testCase "MADE refuses a bad order and Bernoulli calls on a two-output MADE, saying what to change" ``MADE refuses a bad order and Bernoulli calls on a two-output MADE, saying what to change``
    ]
