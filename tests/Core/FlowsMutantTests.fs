/// FlowsMutantTests.fs: the edges of the flows (Flows.cs, InvertibleMaps.cs) that mutation testing found unguarded — argument checks and their messages, per-row log-determinants, brackets that must grow.
module GenDsl.Tests.Core.FlowsMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let ``AffineFlow: log|det J| is sum log sigma on every row; mu and sigma must be equal (D) vectors and sigma positive everywhere`` () =
    let f = AffineFlow(vec [ 1.0; -1.0 ], vec [ 2.0; 0.5 ])
    close 1e-15 [ 0.0; 0.0; 0.0 ] (f.LogAbsDetJacobian(Torch.Zeros([| 3L; 2L |], ScalarType.Float64)))   // log 2 + log 0.5 = 0
    let g = AffineFlow(vec [ 0.0; 0.0 ], vec [ 2.0; 3.0 ])
    close 1e-15 [ log 6.0; log 6.0 ] (g.LogAbsDetJacobian(Torch.Zeros([| 2L; 2L |], ScalarType.Float64)))
    close 1e-15 [ 2.0; 1.0 ] (g.Inverse(t64 [ 1L; 2L ] [ 4.0; 3.0 ]))
    throws<ArgumentException> "mu and sigma must both be (D)" (fun () -> box (AffineFlow(vec [ 0.0 ], vec [ 1.0; 1.0 ])))
    throws<ArgumentException> "mu and sigma must both be (D)" (fun () -> box (AffineFlow(t64 [ 1L; 1L ] [ 0.0 ], t64 [ 1L; 1L ] [ 1.0 ])))
    throws<ArgumentException> "sigma must be > 0" (fun () -> box (AffineFlow(vec [ 0.0; 0.0 ], vec [ 1.0; -1.0 ])))

let ``LinearFlow: triangular S inverts by substitution and its log|det| reads |S_ii| (a negative diagonal too); bad shapes and upper entries are refused`` () =
    use s = t64 [ 2L; 2L ] [ -2.0; 0.0; 1.0; 3.0 ]
    let f = LinearFlow(vec [ 1.0; 0.0 ], s, lowerTriangular = true)
    closeScalar 1e-15 (log 6.0) (f.LogAbsDet().ToDouble())
    close 1e-15 [ log 6.0; log 6.0; log 6.0 ] (f.LogAbsDetJacobian(Torch.Zeros([| 3L; 2L |], ScalarType.Float64)))
    // x = mu + S z with z = (1, 2): (1 - 2, 1 + 6) = (-1, 7)
    close 1e-15 [ -1.0; 7.0 ] (f.Forward(t64 [ 1L; 2L ] [ 1.0; 2.0 ]))
    close 1e-14 [ 1.0; 2.0 ] (f.Inverse(t64 [ 1L; 2L ] [ -1.0; 7.0 ]))
    throws<ArgumentException> "S must be (K, K) and mu (K)" (fun () -> box (LinearFlow(vec [ 0.0; 0.0 ], Torch.Ones([| 2L; 3L |], ScalarType.Float64))))
    throws<ArgumentException> "S must be (K, K) and mu (K)" (fun () -> box (LinearFlow(vec [ 0.0 ], Torch.Eye(2L, dtype = ScalarType.Float64))))
    throws<ArgumentException> "S must be (K, K) and mu (K)" (fun () -> box (LinearFlow(Torch.Zeros([| 2L; 1L |], ScalarType.Float64), Torch.Eye(2L, dtype = ScalarType.Float64))))
    throws<ArgumentException> "S must be (K, K) and mu (K)" (fun () -> box (LinearFlow(vec [ 0.0; 0.0 ], Torch.Ones([| 2L; 2L; 2L |], ScalarType.Float64))))
    use upper = t64 [ 2L; 2L ] [ 1.0; 0.5; 0.0; 1.0 ]
    throws<ArgumentException> "S has entries above the diagonal" (fun () -> box (LinearFlow(vec [ 0.0; 0.0 ], upper, lowerTriangular = true)))
    Assert.False(LinearFlow(vec [ 0.0; 0.0 ], upper).LowerTriangular)

let ``LeakyReluFlow(0.3): log|det J| per row is (number of negative entries) log 0.3, zero not counted; the inverse undoes it; slope <= 0 is refused with its value`` () =
    let f = LeakyReluFlow(0.3)
    use z = t64 [ 3L; 3L ] [ -1.0; 2.0; -0.5; 0.0; 1.0; 4.0; -2.0; -3.0; -0.1 ]
    close 1e-15 [ 2.0 * log 0.3; 0.0; 3.0 * log 0.3 ] (f.LogAbsDetJacobian(z))
    close 1e-15 [ -0.3; 2.0; -0.15; 0.0; 1.0; 4.0; -0.6; -0.9; -0.03 ] (f.Forward(z))
    close 1e-14 (vals z) (f.Inverse(f.Forward(z)))
    throws<ArgumentOutOfRangeException> "slope must be > 0 for the map to be invertible, got -0.5" (fun () -> box (LeakyReluFlow(-0.5)))
    throws<ArgumentOutOfRangeException> "got NaN" (fun () -> box (LeakyReluFlow(Double.NaN)))

let ``Flow.StandardNormalLogProb sums -z^2/2 - log(2 pi)/2 over each row`` () =
    use z = t64 [ 2L; 2L ] [ 0.0; 1.0; -2.0; 0.5 ]
    let c = 0.5 * log (2.0 * Math.PI)
    close 1e-15 [ -0.5 - 2.0 * c; -2.125 - 2.0 * c ] (Flow.StandardNormalLogProb(z))

let ``RadialFlow: beta = -alpha is the accepted boundary; alpha <= 0, beta < -alpha, a z0 that is not (D) and inputs not (N, D) are refused`` () =
    use z0 = vec [ 0.0; 0.0 ]
    let f = RadialFlow(z0, 1.0, -1.0)
    use z = t64 [ 1L; 2L ] [ 3.0; 4.0 ]                                     // r = 5: y = z (1 - 1/6)
    close 1e-14 [ 2.5; 10.0 / 3.0 ] (f.Forward(z))
    close 1e-12 [ 3.0; 4.0 ] (f.Inverse(f.Forward(z)))
    throws<ArgumentOutOfRangeException> "alpha must be > 0, got 0" (fun () -> box (RadialFlow(z0, 0.0, 1.0)))
    throws<ArgumentOutOfRangeException> "beta = -2 < -alpha = -1" (fun () -> box (RadialFlow(z0, 1.0, -2.0)))
    throws<ArgumentException> "z0 must be a (D) vector" (fun () -> box (RadialFlow(Torch.Zeros([| 1L; 2L |], ScalarType.Float64), 1.0, 1.0)))
    throws<ArgumentException> "RadialFlow: input must be (N, 2), got [2]" (fun () -> box (f.Forward(vec [ 1.0; 2.0 ])))
    throws<ArgumentException> "RadialFlow: input must be (N, 2), got [1, 3]" (fun () -> box (f.Inverse(t64 [ 1L; 3L ] [ 1.0; 2.0; 3.0 ])))

let ``SigmoidMixtureMap: g(0) is the closed-form logit; w off the open simplex, unequal lengths and a <= 0 are refused`` () =
    let m = SigmoidMixtureMap(vec [ 0.25; 0.75 ], vec [ 1.0; 2.0 ], vec [ 0.0; 1.0 ])
    let sg x = 1.0 / (1.0 + exp -x)
    let s = 0.25 * sg 0.0 + 0.75 * sg 1.0
    close 1e-14 [ log (s / (1.0 - s)) ] (m.Forward(vec [ 0.0 ]))
    // elementwise on any shape: a (2, 2) input against the closed form at each entry
    let gClosed z = let s = 0.25 * sg z + 0.75 * sg (2.0 * z + 1.0) in log (s / (1.0 - s))
    let zs = [ 1.0; -0.5; 2.0; 0.25 ]
    close 1e-13 (zs |> List.map gClosed) (m.Forward(t64 [ 2L; 2L ] zs))
    close 1e-9 [ -3.0; 0.7; 8.0 ] (m.Inverse(m.Forward(vec [ -3.0; 0.7; 8.0 ])))
    throws<ArgumentException> "w, a and b must be (N) vectors of the same length" (fun () -> box (SigmoidMixtureMap(vec [ 0.5; 0.5 ], vec [ 1.0 ], vec [ 0.0; 0.0 ])))
    throws<ArgumentException> "w, a and b must be (N) vectors of the same length" (fun () -> box (SigmoidMixtureMap(vec [ 0.5; 0.5 ], vec [ 1.0; 1.0 ], vec [ 0.0 ])))
    throws<ArgumentException> "need 0 < w_i < 1" (fun () -> box (SigmoidMixtureMap(vec [ 1.0; 0.0 ], vec [ 1.0; 1.0 ], vec [ 0.0; 0.0 ])))
    throws<ArgumentException> "need 0 < w_i < 1" (fun () -> box (SigmoidMixtureMap(vec [ 0.5; 1.0; -0.5 ], vec [ 1.0; 1.0; 1.0 ], vec [ 0.0; 0.0; 0.0 ])))
    throws<ArgumentException> "the w_i must sum to 1" (fun () -> box (SigmoidMixtureMap(vec [ 0.5; 0.4 ], vec [ 1.0; 1.0 ], vec [ 0.0; 0.0 ])))
    throws<ArgumentException> "need a_i > 0" (fun () -> box (SigmoidMixtureMap(vec [ 0.5; 0.5 ], vec [ 1.0; 0.0 ], vec [ 0.0; 0.0 ])))

let ``Monotone.InvertIncreasing grows the bracket both ways (z^3 + z at y = -1000, 0.5, 1000) and refuses a bounded g`` () =
    use y = vec [ -1000.0; 0.5; 1000.0 ]
    let g (z: Tensor) = z * z * z + z
    use z = Monotone.InvertIncreasing(g, y, 1e-10)
    close 1e-9 (vals y) (g z)
    // the real root of z^3 + z - 1000 = 0, by Cardano: z = cbrt(500 + sqrt(500^2 + 1/27)) + cbrt(500 - sqrt(500^2 + 1/27))
    let q = sqrt (500.0 * 500.0 + 1.0 / 27.0)
    closeScalar 1e-9 (Math.Cbrt(500.0 + q) + Math.Cbrt(500.0 - q)) (vals z).[2]
    throws<InvalidOperationException> "no bracket found" (fun () -> box (Monotone.InvertIncreasing((fun t -> t.Tanh()), vec [ 2.0 ])))

let ``Monotone.InvertIncreasing takes Newton steps: 10 of them solve z^3 + z = y to 1e-10 for three y at once, where bisection would still be 2e-3 off`` () =
    // bisection from brackets of width >= 2 halves the error per step: after 10 steps it is ~2 / 2^10 = 2e-3; Newton
    // from the bracket midpoints converges quadratically (measured: 1e-10 after 8 steps for y = -2, whose root -1 is
    // the bracket's end)
    use y = vec [ 0.5; 3.0; -2.0 ]
    let g (z: Tensor) = z * z * z + z
    use z = Monotone.InvertIncreasing(g, y, 1e-13, 10)
    let err = Array.map2 (fun a b -> abs (a - b)) (vals y) (vals (g z))
    Assert.True(Array.max err <= 1e-10, sprintf "|g(z) - y| after 10 steps: %A" err)

let ``Monotone.InvertIncreasing starts Newton at the bracket's midpoint: one step on z^3 + z = 0.5 gives 0.5 - 1/14`` () =
    // the bracket [y - 1, y + 1] = [-0.5, 1.5] holds the root (g(-0.5) = -0.625, g(1.5) = 4.875); from its midpoint 0.5,
    // g = 0.625, g' = 3 (0.5)^2 + 1 = 1.75, so Newton gives 0.5 - 0.125 / 1.75 = 0.5 - 1/14, inside the bracket [-0.5, 0.5]
    let g (z: Tensor) = z * z * z + z
    use z = Monotone.InvertIncreasing(g, vec [ 0.5 ], 1e-13, 1)
    close 1e-15 [ 0.5 - 1.0 / 14.0 ] z

let ``ResidualMap.InverseFixedPoint refuses a map that is not a contraction, naming the step count`` () =
    let r = ResidualMap(fun z -> z * 2.0)
    throws<InvalidOperationException> "did not converge in 50 steps" (fun () -> box (r.InverseFixedPoint(vec [ 1.0 ], 1e-12, 50)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.FlowsMutantTests" [
        Expecto.Tests.testCase "AffineFlow: log|det J| is sum log sigma on every row; mu and sigma must be equal (D) vectors and sigma positive everywhere" ``AffineFlow: log|det J| is sum log sigma on every row; mu and sigma must be equal (D) vectors and sigma positive everywhere``
        Expecto.Tests.testCase "LinearFlow: triangular S inverts by substitution and its log|det| reads |S_ii| (a negative diagonal too); bad shapes and upper entries are refused" ``LinearFlow: triangular S inverts by substitution and its log|det| reads |S_ii| (a negative diagonal too); bad shapes and upper entries are refused``
        Expecto.Tests.testCase "LeakyReluFlow(0.3): log|det J| per row is (number of negative entries) log 0.3, zero not counted; the inverse undoes it; slope <= 0 is refused with its value" ``LeakyReluFlow(0.3): log|det J| per row is (number of negative entries) log 0.3, zero not counted; the inverse undoes it; slope <= 0 is refused with its value``
        Expecto.Tests.testCase "Flow.StandardNormalLogProb sums -z^2/2 - log(2 pi)/2 over each row" ``Flow.StandardNormalLogProb sums -z^2/2 - log(2 pi)/2 over each row``
        Expecto.Tests.testCase "RadialFlow: beta = -alpha is the accepted boundary; alpha <= 0, beta < -alpha, a z0 that is not (D) and inputs not (N, D) are refused" ``RadialFlow: beta = -alpha is the accepted boundary; alpha <= 0, beta < -alpha, a z0 that is not (D) and inputs not (N, D) are refused``
        Expecto.Tests.testCase "SigmoidMixtureMap: g(0) is the closed-form logit; w off the open simplex, unequal lengths and a <= 0 are refused" ``SigmoidMixtureMap: g(0) is the closed-form logit; w off the open simplex, unequal lengths and a <= 0 are refused``
        Expecto.Tests.testCase "Monotone.InvertIncreasing grows the bracket both ways (z^3 + z at y = -1000, 0.5, 1000) and refuses a bounded g" ``Monotone.InvertIncreasing grows the bracket both ways (z^3 + z at y = -1000, 0.5, 1000) and refuses a bounded g``
        Expecto.Tests.testCase "Monotone.InvertIncreasing takes Newton steps: 10 of them solve z^3 + z = y to 1e-10 for three y at once, where bisection would still be 2e-3 off" ``Monotone.InvertIncreasing takes Newton steps: 10 of them solve z^3 + z = y to 1e-10 for three y at once, where bisection would still be 2e-3 off``
        Expecto.Tests.testCase "Monotone.InvertIncreasing starts Newton at the bracket's midpoint: one step on z^3 + z = 0.5 gives 0.5 - 1/14" ``Monotone.InvertIncreasing starts Newton at the bracket's midpoint: one step on z^3 + z = 0.5 gives 0.5 - 1/14``
        Expecto.Tests.testCase "ResidualMap.InverseFixedPoint refuses a map that is not a contraction, naming the step count" ``ResidualMap.InverseFixedPoint refuses a map that is not a contraction, naming the step count``
    ]
