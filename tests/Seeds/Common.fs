/// Common.fs: helpers the seed tests share — float64 tensors, Monte Carlo and goodness-of-fit assertions, plain gradient ascent.
module GenDsl.Tests.Seeds.Common

open System
open GenDsl.Torch
open GenDsl.Inference

let f64 = ScalarType.Float64
let gen (seed: uint64) = new Generator(seed)
let randn (g: Generator) (shape: int64 list) = Torch.Randn(List.toArray shape, g, f64)
let rand (g: Generator) (shape: int64 list) = Torch.Rand(List.toArray shape, g, f64)
let tensor (xs: float list) = Torch.Tensor<float>(List.toArray xs)
let tensor2 (rows: int64) (cols: int64) (xs: float list) = Torch.Tensor<float>(List.toArray xs, [| rows; cols |])
let num (v: float) = Torch.Scalar(v, f64)
let d (t: Tensor) = t.ToDouble()
let arr (t: Tensor) = t.To(f64).ToArray<float>()

/// Fails unless |expected - actual| <= tol.
let near (tol: float) (expected: float) (actual: float) (what: string) =
    if not (abs (expected - actual) <= tol) then
        failwithf "%s: expected %.10g, got %.10g (|diff| %.3g > tol %.3g)" what expected actual (abs (expected - actual)) tol

/// Fails unless every element of actual is within tol of expected.
let allNear (tol: float) (expected: Tensor) (actual: Tensor) (what: string) =
    let e, a = arr expected, arr actual
    if e.Length <> a.Length then failwithf "%s: %d expected values, %d actual" what e.Length a.Length
    for i in 0 .. e.Length - 1 do near tol e.[i] a.[i] (sprintf "%s[%d]" what i)

/// Fails unless the Monte Carlo estimate e lies within z true standard errors sd / sqrt(M) of the truth, where sd is the
/// true standard deviation of one draw (a closed form, a quadrature or an independent pilot sample, never e's own StdErr);
/// z = 4: a false failure with probability about 6e-5 (normal approximation of the mean). It also fails unless e's own
/// StdErr is within 25% of sd / sqrt(M): for the M >= 400 draws used here the sample standard deviation has a relative
/// error of a few percent, so 25% is a wide margin that still catches a standard error off by a factor 2 or sqrt(M).
let covers (z: float) (truth: float) (sd: float) (e: Estimate) (what: string) =
    let se = sd / sqrt (float e.Samples)
    if not (abs (e.Mean - truth) <= z * se) then
        failwithf "%s: estimate %O is %.2f true standard errors (%.3g) from the truth %.8g (allowed %.1f)" what e ((e.Mean - truth) / se) se truth z
    if not (e.StdErr >= 0.75 * se && e.StdErr <= 1.25 * se) then
        failwithf "%s: reported standard error %.4g is not within 25%% of the true %.4g" what e.StdErr se

/// Like covers when only an upper bound sdMax on the standard deviation of one draw is known: the mean must lie within
/// z * sdMax / sqrt(M) of the truth (a conservative test), and the reported StdErr may not exceed 1.25 sdMax / sqrt(M).
let coversWithin (z: float) (truth: float) (sdMax: float) (e: Estimate) (what: string) =
    let se = sdMax / sqrt (float e.Samples)
    if not (abs (e.Mean - truth) <= z * se) then
        failwithf "%s: estimate %O is more than %.1f x %.3g from the truth %.8g" what e z se truth
    if e.StdErr > 1.25 * se then failwithf "%s: reported standard error %.4g exceeds the bound %.4g" what e.StdErr se

/// The sample standard deviation of plain doubles (Bessel), computed here rather than by the code under test.
let sampleSd (xs: float[]) =
    let m = Array.average xs
    sqrt ((xs |> Array.sumBy (fun x -> (x - m) * (x - m))) / float (xs.Length - 1))

/// Kolmogorov-Smirnov statistic D_n = sup |F_n - F| of samples (n) against a CDF.
let ksStatistic (samples: Tensor) (cdf: Tensor -> Tensor) =
    use s = Scope.Begin()
    let struct (sorted, _) = samples.Flatten().Double().Sort()
    let n = float sorted.NumEl
    let f = arr (cdf sorted)
    f |> Array.mapi (fun i fi -> max (float (i + 1) / n - fi) (fi - float i / n)) |> Array.max

/// sqrt(n) D_n exceeds 1.95 with probability about 0.001 under the null (Kolmogorov distribution).
let assertKs (samples: Tensor) (cdf: Tensor -> Tensor) (what: string) =
    let dn = ksStatistic samples cdf
    let crit = 1.95 / sqrt (float samples.NumEl)
    if dn > crit then failwithf "%s: KS statistic %.4g exceeds the 0.1%% critical value %.4g" what dn crit

/// Pearson's chi-square statistic sum (O - E)^2 / E.
let chiSquare (observed: float[]) (expected: float[]) =
    Array.map2 (fun o e -> (o - e) * (o - e) / e) observed expected |> Array.sum

/// Plain gradient ascent on a scalar objective of several tensors; returns the final (detached) parameters.
let ascend (lr: float) (steps: int) (objective: Tensor[] -> Tensor) (init: Tensor[]) : Tensor[] =
    let mutable ps = init |> Array.map (fun t -> t.Detach().RequiresGrad_().DetachFromScope())
    for _ in 1 .. steps do
        use s = Scope.Begin()
        let v = objective ps
        let gs = Autograd.Grad([| v |], ps)
        ps <- Array.map2 (fun (p: Tensor) (g: Tensor) -> (p.Detach() + g * lr).RequiresGrad_().DetachFromScope()) ps gs
    ps |> Array.map (fun p -> p.Detach().DetachFromScope())
