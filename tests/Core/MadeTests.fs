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

let ``MADE's hidden degrees follow Germain et al.'s layout: k mod (D - 1) + 1 when a layer has at least D - 1 units, else spread evenly as floor(k (D - 1) / h) + 1`` () =
    // In the natural order a unit of degree m reads inputs 1..m, so its row of the first mask sums to m; a later layer's
    // unit of degree m reads the previous layer's units of degree <= m.
    let degrees (made: Made) = [ for m in made.Net do match m with :? MaskedLinear as l -> yield (use s = l.Mask.Sum([| 1L |]) in vals s |> Array.map int |> List.ofArray) | _ -> () ]
    use wide = new Made(5L, [| 8L |])                                  // h = 8 >= D - 1 = 4: 1 2 3 4 1 2 3 4
    Assert.Equal<int list>([ 1; 2; 3; 4; 1; 2; 3; 4 ], (degrees wide).Head)
    use narrow = new Made(9L, [| 4L; 3L |])                            // h = 4 < 8: 1 3 5 7, then h = 3: 1 3 6
    let ds = degrees narrow
    Assert.Equal<int list>([ 1; 3; 5; 7 ], ds.[0])
    // the second layer's unit of degree 1, 3, 6 reads the first layer's units of degree <= it: 1, 2 and 3 of them
    Assert.Equal<int list>([ 1; 2; 3 ], ds.[1])
    // the output layer: output d (rank d + 1) reads the units of degree < d + 1
    Assert.Equal<int list>([ 0; 1; 1; 2; 2; 2; 3; 3; 3 ], ds.[2])

let ``MADE and MADE-MoG refuse too few features, empty hidden layers, no outputs and no samples, saying which`` () =
    throws<ArgumentException> "at least 2 features, got 1" (fun () -> box (new Made(1L, [| 4L |])))
    throws<ArgumentException> "hidden widths must be positive, got [4, 0]" (fun () -> box (new Made(3L, [| 4L; 0L |])))
    use one = new Made(3L, [| 1L |])                                   // one hidden unit is a width
    Assert.Equal(3L, one.Features)
    throws<ArgumentException> "outputsPerFeature must be >= 1, got 0" (fun () -> box (new Made(3L, [| 4L |], 0)))
    use m = new Made(3L, [| 4L |])
    throws<ArgumentException> "n must be positive, got 0" (fun () -> box (m.Sample(0L, null)))
    use two = new Made(3L, [| 4L |], 2)
    throws<InvalidOperationException> "Made.Sample: Bernoulli outputs need outputsPerFeature = 1" (fun () -> box (two.Sample(1L, null)))
    use mog = new MadeMixture(2L, [| 8L |], 2)
    throws<ArgumentException> "n must be positive, got 0" (fun () -> box (mog.Sample(0L, null)))
    throws<ArgumentException> "mask must be (out, in) = (2, 3), got [3, 2]" (fun () -> box (new MaskedLinear(3L, 2L, Torch.Ones(3L, 2L))))

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

/// exp(log p) of a 2-D MADE-MoG on the grid [-lim, lim]^2 with step h: (grid points (n*n, 2), densities).
let private gridDensity (m: MadeMixture) (lim: float) (h: float) =
    let n = int (2.0 * lim / h) + 1
    use axis = Torch.Tensor<float>([| for i in 0 .. n - 1 -> -lim + float i * h |], int64 n)
    use gx = axis.Unsqueeze(1L).Expand([| int64 n; int64 n |]).Reshape([| -1L |])
    use gy = axis.Unsqueeze(0L).Expand([| int64 n; int64 n |]).Reshape([| -1L |])
    let pts = Torch.Stack([ gx; gy ], 1L)                                                   // (n*n, 2)
    let chunk = 250000L
    let p =
        using (Autograd.NoGrad()) (fun _ ->
            [| for start in 0L .. chunk .. pts.Size(0) - 1L do
                 use rows = pts.Narrow(0L, start, min chunk (pts.Size(0) - start))
                 use lp = m.LogProb(rows)
                 yield! vals (lp.Exp()) |])
    pts, p

/// A 2-D MADE-MoG with sharpened conditionals (weights x 1.5: scales ~0.2-5) (3 components, order x_2 then x_1), float64.
let private mog2 (seed: uint64) =
    use g = new Generator(seed)
    let m = new MadeMixture(2L, [| 16L; 16L |], 3, [| 1L; 0L |], g, f64)
    using (Autograd.NoGrad()) (fun _ -> for p in m.Parameters() do p.Mul_(1.5) |> ignore)
    m

let ``MADE with Gaussian-mixture conditionals is a density: it integrates to 1 over the plane (quadrature)`` () =
    use m = mog2 21UL
    let pts, p = gridDensity m 20.0 0.02
    use _pts = pts
    let total = Array.sum p * 0.02 * 0.02
    // A Riemann sum on a 2001^2 grid: the conditionals are smooth in the variable they model (Gaussians, spacing / sd
    // < 0.05: error ~1e-12) but only piecewise smooth in the conditioning one (ReLU kinks: O(h^2) ~ 4e-4 at most);
    // the mass beyond |x| = 20 is below 1e-4 for these scales (sd <= 5). 2e-3 allows both; a dropped log-scale or 2 pi term
    // moves the total by a factor >= 1.3.
    closeScalar 2e-3 1.0 total
    // not a trivial case: the density is far from one Gaussian (its peak is far above a fitted Gaussian's)
    Assert.True(Array.max p > 0.05, sprintf "max density %g" (Array.max p))

let ``MADE-MoG samples in its order follow p: the frequencies of five regions match quadrature within 4 standard errors`` () =
    use m = mog2 22UL
    let pts, p = gridDensity m 20.0 0.02
    use _pts = pts
    let pv = vals pts
    let w i = p.[i] * 0.02 * 0.02
    let moment f = Seq.sum (seq { for i in 0 .. p.Length - 1 -> w i * f pv.[2 * i] pv.[2 * i + 1] })
    // the grid holds the mass (as in the quadrature test above), so its moments are the model's
    closeScalar 2e-3 1.0 (moment (fun _ _ -> 1.0))
    use g = new Generator(23UL)
    let n = 20000
    use s = m.Sample(int64 n, g)
    Assert.Equal<int64 list>([ int64 n; 2L ], shape s)
    let sv = vals s
    let sample f = Array.init n (fun i -> f sv.[2 * i] sv.[2 * i + 1])
    // Probabilities of regions (bounded statistics: the model's far tails, where a ReLU net's extrapolated scales grow,
    // cannot swamp them as they would a second moment), each in both coordinates and jointly.
    let ind b = if b then 1.0 else 0.0
    let mean1, mean2 = moment (fun a _ -> a), moment (fun _ b -> b)
    for name, f in [ "P(x1 < E x1)", (fun a _ -> ind (a < mean1)); "P(x2 < E x2)", (fun _ b -> ind (b < mean2))
                     "P(x1 < E x1, x2 < E x2)", (fun a b -> ind (a < mean1 && b < mean2))
                     "P(x1 > E x1 + 1, x2 < E x2)", (fun a b -> ind (a > mean1 + 1.0 && b < mean2))
                     "P(|x - E x| < 1)", (fun a b -> ind ((a - mean1) ** 2.0 + (b - mean2) ** 2.0 < 1.0)) ] do
        let freq = Array.average (sample f)
        let exact = moment f
        // a binomial proportion: SE sqrt(p (1 - p) / n); 5 statistics at 4 SE: a false failure ~3e-4; the grid's
        // missing mass (<= 2e-3, checked above) is a fraction of one SE (~3.5e-3 at p = 0.5)
        let se = sqrt (exact * (1.0 - exact) / float n)
        if abs (freq - exact) > 4.0 * se then failwithf "%s: sample %g, quadrature %g (SE %g)" name freq exact se

let ``MADE-MoG fits a bimodal 2-D sample a Gaussian MADE cannot: its NLL ends at least 1 nat below the one-component model's`` () =
    // x_1 = +-2 (equal odds) + N(0, 0.3^2), x_2 = x_1^2 / 4 + N(0, 0.3^2): x_1's marginal is bimodal, so one Gaussian per
    // conditional costs ~1.9 nats over two components: the bimodal marginal's entropy, ln 2 + 0.5 ln(2 pi e 0.09) = 0.91,
    // against its moment-matched Gaussian's (variance 4.09), 0.5 ln(2 pi e 4.09) = 2.12 (the x_2 | x_1 terms are alike).
    use g = new Generator(24UL)
    use sign = Torch.Bernoulli(Torch.Full([| 512L |], 0.5), g) * 4.0 - 2.0
    use x1 = sign + Torch.Randn([| 512L |], g) * 0.3
    use x2 = x1.Square() / 4.0 + Torch.Randn([| 512L |], g) * 0.3
    use data = Torch.Stack([ x1; x2 ], 1L).To(ScalarType.Float32)
    let fit c =
        use g = new Generator(25UL)
        use m = new MadeMixture(2L, [| 32L; 32L |], c, generator = g)
        use trainer = new Trainer(m, (fun ps -> upcast new Adam(ps, lr = 1e-2)), (fun _ -> null), TrainOptions(Steps = 600L, BatchSize = 128, Seed = 3UL))
        let r = trainer.Fit(new TensorDataset(data), Objective(fun b _ -> m.Loss(b)))
        let l = [| for s in r.StepRecords -> s.Loss |]
        Assert.True(Array.average l.[590..] < Array.average l.[0..9] - 1.0, sprintf "components %d: NLL %g -> %g" c l.[0] l.[599])
        use lp = using (Autograd.NoGrad()) (fun _ -> m.LogProb(data))
        -(lp.Mean().ToDouble())
    let one, two = fit 1, fit 2
    // the gap's expectation is ~1.2 nats (0.91 + 0.22 against 2.12 + 0.22); 512 points give an SE of the difference near 0.05
    Assert.True(two < one - 1.0, sprintf "NLL one component %g, two %g" one two)

let ``MADE-MoG refuses no components and inputs of the wrong width, saying what to change`` () =
    throws<ArgumentException> "components must be >= 1" (fun () -> box (new MadeMixture(2L, [| 8L |], 0)))
    use m = new MadeMixture(3L, [| 8L |], 2)
    throws<ArgumentException> "(B, 3)" (fun () -> box (m.LogProb(Torch.Zeros(2L, 4L))))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MadeTests" [
        Expecto.Tests.testCase "seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)(k: 1, variant: 0)" (fun () -> ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (1, 0))
        Expecto.Tests.testCase "seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)(k: 2, variant: 1)" (fun () -> ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (2, 1))
        Expecto.Tests.testCase "seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)(k: 1, variant: 2)" (fun () -> ``seed 002: MADE output d has zero gradient w.r.t. every input at or after d in its order (autograd)`` (1, 2))
        Expecto.Tests.testCase "MADE's mask product connects input j to output d exactly when rank(j) < rank(d), with hidden widths >= D - 1" ``MADE's mask product connects input j to output d exactly when rank(j) < rank(d), with hidden widths >= D - 1``
        Expecto.Tests.testCase "MADE's hidden degrees follow Germain et al.'s layout: k mod (D - 1) + 1 when a layer has at least D - 1 units, else spread evenly as floor(k (D - 1) / h) + 1" ``MADE's hidden degrees follow Germain et al.'s layout: k mod (D - 1) + 1 when a layer has at least D - 1 units, else spread evenly as floor(k (D - 1) / h) + 1``
        Expecto.Tests.testCase "MADE and MADE-MoG refuse too few features, empty hidden layers, no outputs and no samples, saying which" ``MADE and MADE-MoG refuse too few features, empty hidden layers, no outputs and no samples, saying which``
        Expecto.Tests.testCase "MADE's Bernoulli likelihood is exact: p summed over all 2^6 binary vectors is 1" ``MADE's Bernoulli likelihood is exact: p summed over all 2^6 binary vectors is 1``
        Expecto.Tests.testCase "MADE samples in its order follow p: the frequencies of all 8 vectors match exp(log p) within 4 standard errors" ``MADE samples in its order follow p: the frequencies of all 8 vectors match exp(log p) within 4 standard errors``
        Expecto.Tests.testCase "MADE's NLL on tiny binary images falls through the Trainer; samples are binary with the data's width" ``MADE's NLL on tiny binary images falls through the Trainer; samples are binary with the data's width``
        Expecto.Tests.testCase "MADE refuses a bad order and Bernoulli calls on a two-output MADE, saying what to change" ``MADE refuses a bad order and Bernoulli calls on a two-output MADE, saying what to change``
        Expecto.Tests.testCase "MADE with Gaussian-mixture conditionals is a density: it integrates to 1 over the plane (quadrature)" ``MADE with Gaussian-mixture conditionals is a density: it integrates to 1 over the plane (quadrature)``
        Expecto.Tests.testCase "MADE-MoG samples in its order follow p: the frequencies of five regions match quadrature within 4 standard errors" ``MADE-MoG samples in its order follow p: the frequencies of five regions match quadrature within 4 standard errors``
        Expecto.Tests.testCase "MADE-MoG fits a bimodal 2-D sample a Gaussian MADE cannot: its NLL ends at least 1 nat below the one-component model's" ``MADE-MoG fits a bimodal 2-D sample a Gaussian MADE cannot: its NLL ends at least 1 nat below the one-component model's``
        Expecto.Tests.testCase "MADE-MoG refuses no components and inputs of the wrong width, saying what to change" ``MADE-MoG refuses no components and inputs of the wrong width, saying what to change``
    ]
