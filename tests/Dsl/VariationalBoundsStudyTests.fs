/// VariationalBoundsStudyTests.fs: the variational-bounds study's numbers (DS-GA 1008 2.3-2.4) against formulas computed
/// here apart from the core: each point's gap, L(uniform)'s expectation, R^2 - log K, the continuous ring's log I_0.
module GenDsl.Tests.Dsl.VariationalBoundsStudyTests

open System
open Xunit
open GenDsl.Dsl
open GenDsl.Dsl.VariationalBoundsStudy

let private spec =
    { Radii = [ 10.0; 1.0 ]; Components = 10; Points = 600; Sweep = [ 10; 80 ]; Seed = Some 7UL }

let private outcome = lazy (run 0UL spec)

let private meanSe (xs: float[]) =
    let m = Array.average xs
    m, sqrt ((xs |> Array.sumBy (fun x -> (x - m) ** 2.0)) / float (xs.Length - 1) / float xs.Length)

/// The uniform q's gap at (x, y) for the ring (R, K), written out: log (1/K) sum_k exp(R (x cos a_k + y sin a_k)),
/// a_k = 2 pi k / K (log p(x) - L(uniform): the -log 2 pi - (|x|^2 + R^2) / 2 of both cancel, and sum_k mu_k = 0).
let private gapAt (radius: float) (k: int) (x: float) (y: float) =
    let e = [| for j in 1 .. k -> radius * (x * cos (2.0 * Math.PI * float j / float k) + y * sin (2.0 * Math.PI * float j / float k)) |]
    let top = Array.max e
    top + log (Array.averageBy (fun v -> exp (v - top)) e)

/// log I_0(z) = z + log ((1/pi) int_0^pi exp(z (cos t - 1)) dt) by Simpson's rule on 4001 points (the integrand's width
/// is 1/sqrt z >= 0.08 here, 60 steps of pi/4000).
let private logI0Quadrature (z: float) =
    let n = 4000
    let h = Math.PI / float n
    let f i = exp (z * (cos (float i * h) - 1.0))
    let s = f 0 + f n + (Seq.sum (seq { for i in 1 .. n - 1 -> (if i % 2 = 1 then 4.0 else 2.0) * f i }))
    z + log (s * h / 3.0 / Math.PI)

let ``DS-GA 1008 2.3 study: each point's gap is log (1/K) sum_k exp(R x . u_k), L(posterior) = log p, and the R = 10 mean gap is R^2 - log K`` () =
    let o = outcome.Force()
    for r in o.Rings do
        for i in 0 .. r.X.Length - 1 do
            let g = gapAt r.Radius r.K r.X.[i] r.Y.[i]
            if abs (r.LogP.[i] - r.Uniform.[i] - g) > 1e-9 * max 1.0 (abs g) then
                failwithf "R = %g point %d: gap %g, written out %g" r.Radius i (r.LogP.[i] - r.Uniform.[i]) g
            if abs (r.Gap.[i] - g) > 1e-9 * max 1.0 (abs g) then failwithf "R = %g point %d: the study's gap %g, written out %g" r.Radius i r.Gap.[i] g
            // L(uniform) = (1/K) sum_k log N(x; mu_k, I) = -log 2 pi - (|x|^2 + R^2) / 2 (sum_k mu_k = 0)
            let lu = -log (2.0 * Math.PI) - (r.X.[i] ** 2.0 + r.Y.[i] ** 2.0 + r.Radius ** 2.0) / 2.0
            if abs (r.Uniform.[i] - lu) > 1e-9 * abs lu then failwithf "R = %g point %d: L(uniform) %g, written out %g" r.Radius i r.Uniform.[i] lu
            if abs (r.Posterior.[i] - r.LogP.[i]) > 1e-10 * max 1.0 (abs r.LogP.[i]) then failwithf "L(posterior) %g vs log p %g" r.Posterior.[i] r.LogP.[i]
        // the points are a sample of p: E|x|^2 = R^2 + 2 (sd of |x|^2 about 2R), E x = 0 (sd 1 + R / sqrt 2 per coordinate)
        let m2, s2 = meanSe (Array.map2 (fun x y -> x * x + y * y) r.X r.Y)
        Assert.True(abs (m2 - (r.Radius ** 2.0 + 2.0)) <= 4.5 * s2, sprintf "R = %g: mean |x|^2 = %g +- %g" r.Radius m2 s2)
        let mx, sx = meanSe r.X
        Assert.True(abs mx <= 4.5 * sx, sprintf "R = %g: mean x = %g +- %g" r.Radius mx sx)
    let ring radius = o.Rings |> List.find (fun r -> r.Radius = radius)
    // R = 10: separated, gap = R^2 + R eps . u_j - log K + delta, E delta ~ 0.004 (see Studies/VariationalBounds.fs)
    let g10, se10 = meanSe (ring 10.0).Gap
    Assert.True(abs (g10 - (100.0 - log 10.0)) <= 4.5 * se10 + 0.01, sprintf "R = 10: mean gap %g +- %g vs %g" g10 se10 (100.0 - log 10.0))
    // R = 1: overlapping (0.62 apart), the gap is the continuous ring's log I_0(|x|) up to the remainder 2 I_10 / I_0 < 1e-3
    let r1 = ring 1.0
    let g1 = Array.average r1.Gap
    let limit = Array.map2 (fun x y -> logI0Quadrature (sqrt (x * x + y * y))) r1.X r1.Y |> Array.average
    Assert.True(abs (g1 - limit) < 1e-3 && g1 < 1.0, sprintf "R = 1: mean gap %g vs mean log I_0(|x|) %g" g1 limit)
    Assert.True(g1 < g10)
    for text, held in claims "vb" o do Assert.True(held, text)

let ``DS-GA 1008 2.4 study: mean L(uniform) is -log 2pi - 1 - R^2 at every K, the fixed-radius gap reaches log I_0(R|x|), the apart gap is K^2 - log K`` () =
    let o = outcome.Force()
    for s, rings in o.Sweep do
        for r in rings do
            let mu, seu = meanSe r.Uniform
            let expected = -log (2.0 * Math.PI) - 1.0 - r.Radius ** 2.0
            Assert.True(abs (mu - expected) <= 4.5 * seu, sprintf "%A K = %d: mean L(uniform) %g +- %g vs %g" s r.K mu seu expected)
            let g, se = meanSe r.Gap
            match s with
            | Apart ->
                Assert.Equal(float r.K, r.Radius)
                Assert.True(abs (g - (float r.K ** 2.0 - log (float r.K))) <= 4.5 * se + 0.01, sprintf "apart K = %d: gap %g +- %g" r.K g se)
            | FixedRadius radius when r.K = 80 ->
                // Poisson remainder 2 I_80(z) / I_0(z) < 1e-8 for z = R |x| <= 170: the discrete ring's gap is the continuous one's
                let limit = Array.map2 (fun x y -> logI0Quadrature (radius * sqrt (x * x + y * y))) r.X r.Y |> Array.average
                Assert.True(abs (g - limit) < 1e-6, sprintf "R = %g, K = 80: mean gap %.9f vs mean log I_0(R|x|) %.9f" radius g limit)
            | FixedRadius _ -> ()
    let apart = o.Sweep |> List.pick (fun (s, rings) -> match s with Apart -> Some rings | _ -> None)
    Assert.True((Array.average apart.[1].Gap > 60.0 * Array.average apart.[0].Gap), "the apart gap grows like K^2 (64x from K = 10 to 80)")

let ``DS-GA 1008 2.4 study: log I_nu(z) from its series matches (1/pi) int_0^pi exp(z cos t) cos(nu t) dt`` () =
    for nu, z in [ 0, 0.3; 0, 1.0; 0, 12.0; 0, 150.0; 1, 2.0; 10, 5.0; 20, 100.0; 40, 150.0 ] do
        let n = 20000
        let h = Math.PI / float n
        let f i = let t = float i * h in exp (z * (cos t - 1.0)) * cos (float nu * t)
        let s = f 0 + f n + (Seq.sum (seq { for i in 1 .. n - 1 -> (if i % 2 = 1 then 4.0 else 2.0) * f i }))
        let quad = z + log (s * h / 3.0 / Math.PI)
        let series = logBesselI nu z
        Assert.True(abs (series - quad) < 1e-8 * max 1.0 (abs quad), sprintf "log I_%d(%g): series %.12g, quadrature %.12g" nu z series quad)
    Assert.Equal(0.0, logBesselI 0 0.0)
    Assert.Equal(-infinity, logBesselI 3 0.0)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.VariationalBoundsStudyTests" [
        Expecto.Tests.testCase "DS-GA 1008 2.3 study: each point's gap is log (1/K) sum_k exp(R x . u_k), L(posterior) = log p, and the R = 10 mean gap is R^2 - log K" ``DS-GA 1008 2.3 study: each point's gap is log (1/K) sum_k exp(R x . u_k), L(posterior) = log p, and the R = 10 mean gap is R^2 - log K``
        Expecto.Tests.testCase "DS-GA 1008 2.4 study: mean L(uniform) is -log 2pi - 1 - R^2 at every K, the fixed-radius gap reaches log I_0(R|x|), the apart gap is K^2 - log K" ``DS-GA 1008 2.4 study: mean L(uniform) is -log 2pi - 1 - R^2 at every K, the fixed-radius gap reaches log I_0(R|x|), the apart gap is K^2 - log K``
        Expecto.Tests.testCase "DS-GA 1008 2.4 study: log I_nu(z) from its series matches (1/pi) int_0^pi exp(z cos t) cos(nu t) dt" ``DS-GA 1008 2.4 study: log I_nu(z) from its series matches (1/pi) int_0^pi exp(z cos t) cos(nu t) dt``
    ]
