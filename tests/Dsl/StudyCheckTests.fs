/// StudyCheckTests.fs: each kind of study's bad settings get their own specific error, before anything runs.
module GenDsl.Tests.Dsl.StudyCheckTests

open Xunit
open GenDsl.Dsl

let private errorsOf (s: Study) = Check.errors (Experiment.create "x" |> Experiment.withStudy s)
let private mapKl f (s: Study) = match s.Kind with KlAsymmetry k -> { s with Kind = KlAsymmetry(f k) } | _ -> failwith "not a KL study"
let private mapRf f (s: Study) = match s.Kind with ReceptiveFields r -> { s with Kind = ReceptiveFields(f r) } | _ -> failwith "not a receptive-field study"
let private mapCov f (s: Study) = match s.Kind with ChangeOfVariables c -> { s with Kind = ChangeOfVariables(f c) } | _ -> failwith "not a change-of-variables study"

let ``every study builder gives a valid seed setting, and an experiment of studies alone needs no case`` () =
    let e =
        Experiment.create "all"
        |> Experiment.withStudies [ Study.klAsymmetry "kl"; Study.receptiveFields "rf"; Study.gda "gda" 0.1 10; Study.changeOfVariables "cov" 100; Study.arFit "ar" [ 0.5 ] 1.0 50; Study.variationalBounds "vb" ]
    Assert.Equal<DslError list>([], Check.errors e)
    Assert.Equal<DslError list>([ NoCases "empty" ], Check.errors (Experiment.create "empty"))

let ``ECE8803 P1b study: an even quadrature grid, an empty interval and mismatched target lists are each reported`` () =
    let errs = errorsOf (Study.klAsymmetry "kl" |> mapKl (fun k -> { k with GridPoints = 3000; GridLo = 1.0; GridHi = -1.0; Scales = [ 1.0 ] }))
    Assert.Equal<DslError list>([ ComponentCountMismatch("kl", "the target scales", 2, 1); EvenQuadraturePoints("kl", 3000); EmptyInterval("kl", 1.0, -1.0) ], errs)
    Assert.Contains("odd number of grid points (>= 3), got 3000: use 3001", Check.message (EvenQuadraturePoints("kl", 3000)))
    Assert.Equal<DslError list>([ NonPositiveLearningRate("kl", "kl", 0.0); NonPositiveStudySetting("kl", "the starting sigma", -1.0) ] |> List.sort,
                                errorsOf (Study.klAsymmetry "kl" |> mapKl (fun k -> { k with LearningRate = 0.0; StartSigma = -1.0 })) |> List.sort)

let ``Mila Q1 study: an output pixel off the map is reported with the 1-based ranges`` () =
    let errs = errorsOf (Study.receptiveFields "q1" |> mapRf (fun r -> { r with Row = 0; Column = 4 }))
    Assert.Equal<DslError list>([ PixelOutsideMap("q1", 0, 4, 5, 5) ], errs)
    Assert.Equal("study 'q1': output pixel (0, 4) is outside the 5x5 map: rows are 1..5 and columns 1..5 (1-based, as in the seed)", Check.message errs.Head)
    Assert.Contains(EmptyStudy("q1", "layers in one of its stacks"), errorsOf (Study.receptiveFields "q1" |> mapRf (fun r -> { r with Stacks = [ [ MaskA ]; [] ] })))

let ``Mila Q6 study: a non-positive step, no steps and a repeated scheme are reported`` () =
    let s = Study.gda "q6" -0.1 0
    let s = match s.Kind with GdaDynamics g -> { s with Kind = GdaDynamics { g with Schemes = [ Simultaneous; Simultaneous ] } } | _ -> s
    Assert.Equal<DslError list>([ NonPositiveLearningRate("q6", "gda", -0.1); NonPositiveSteps("q6", "gda", 0); DuplicateName("GDA scheme", "Simultaneous") ], errorsOf s)

let ``ECE8803 P5 study: no samples, no bins and a non-positive sigma are reported`` () =
    let errs = errorsOf (Study.changeOfVariables "p5" 0 |> mapCov (fun c -> { c with Bins = 0; Transforms = [ ExpNormal(0.0, 0.0) ] }))
    Assert.Equal<DslError list>([ NonPositiveStudySetting("p5", "the number of samples", 0.0); NonPositiveStudySetting("p5", "the number of bins", 0.0); NonPositiveStudySetting("p5", "the sigma of Y", 0.0) ], errs)
    Assert.Equal<DslError list>([ EmptyStudy("p5", "transforms") ], errorsOf (Study.changeOfVariables "p5" 10 |> mapCov (fun c -> { c with Transforms = [] })))

let ``seed 002 AR study: explosive coefficients and a series too short for the order are reported`` () =
    // x_t = 0.5 x_{t-1} + 0.6 x_{t-2}: 1 - 0.5 z - 0.6 z^2 has the root z = 0.94 inside the unit circle
    Assert.Equal<DslError list>([ NonStationaryAr("ar", [ 0.5; 0.6 ]) ], errorsOf (Study.arFit "ar" [ 0.5; 0.6 ] 1.0 100))
    Assert.Equal<DslError list>([ OrderTooLong("ar", 4, 8) ], errorsOf (Study.arFit "ar" [ 0.5 ] 1.0 8 |> Study.order 4))
    Assert.Contains("not stationary", Check.message (NonStationaryAr("ar", [ 1.0 ])))

let ``the stationarity check agrees with the roots of 1 - sum phi_i z^i for AR(1) and AR(2)`` () =
    // AR(1): stationary iff |phi| < 1. AR(2): iff phi2 < 1 + ... the triangle |phi2| < 1, phi1 + phi2 < 1, phi2 - phi1 < 1.
    for phi in [ -1.5; -1.0; -0.99; 0.0; 0.5; 0.99; 1.0; 1.01 ] do
        Assert.Equal(abs phi < 1.0, ArFitStudy.stationary [ phi ])
    for p1 in [ -2.5 .. 0.25 .. 2.5 ] do
        for p2 in [ -1.5 .. 0.25 .. 1.5 ] do
            let inTriangle = abs p2 < 1.0 && p1 + p2 < 1.0 && p2 - p1 < 1.0
            Assert.True((inTriangle = ArFitStudy.stationary [ p1; p2 ]), sprintf "phi = (%g, %g)" p1 p2)

let ``study overrides change the named study's size and unknown study keys get a suggestion`` () =
    let e = Experiment.create "x" |> Experiment.withStudies [ Study.gda "q6" 0.1 100; Study.arFit "ar" [ 0.5 ] 1.0 500 ]
    match Settings.applyOverrides [ "q6.steps=7"; "ar.length=90" ] e with
    | Ok e2 ->
        Assert.Equal<StudyKind list>([ GdaDynamics { Alpha = 0.1; D0 = 1.0; G0 = 0.0; Steps = 7; Schemes = [ Simultaneous; Alternating ] }
                                       ArFit { Phi = [ 0.5 ]; Sigma2 = 1.0; Length = 90; Order = 1; Seed = None } ], e2.Studies |> List.map (fun s -> s.Kind))
    | Error errs -> failwithf "%A" errs
    Assert.Equal(Error [ UnknownOverride("q6.step", Some "q6.steps") ], Settings.applyOverrides [ "q6.step=7" ] e |> Result.map ignore)

let ``DS-GA 1008 2.3 study: no radii, a non-positive radius, K < 1, fewer than 2 points and a bad sweep are each reported`` () =
    let vb f = { Label = "vb"; Kind = VariationalBounds(f (match (Study.variationalBounds "vb").Kind with VariationalBounds v -> v | _ -> failwith "not a variational-bounds study")) }
    Assert.Equal<DslError list>([ EmptyStudy("vb", "radii"); NonPositiveStudySetting("vb", "the number of components K", 0.0)
                                  BadSetting("study 'vb'", "points: a standard error needs at least 2 points per ring, got 1"); EmptyStudy("vb", "numbers of components K to sweep") ],
                                errorsOf (vb (fun v -> { v with Radii = []; Components = 0; Points = 1; Sweep = [] })))
    Assert.Equal<DslError list>([ NonPositiveStudySetting("vb", "a radius", -1.0); NonPositiveStudySetting("vb", "a radius", 0.0); DuplicateName("radius", "10")
                                  NonPositiveStudySetting("vb", "a swept number of components K", 0.0); DuplicateName("swept K", "20") ],
                                errorsOf (Study.variationalBounds "vb" |> Study.radii [ 10.0; -1.0; 0.0; 10.0 ] |> Study.sweep [ 20; 0; 20 ]))
    Assert.Equal("study 'vb': a radius must be > 0, got -1", Check.message (NonPositiveStudySetting("vb", "a radius", -1.0)))
    // NaN is caught by the checker's one non-finite rule (by its describe path) as well as by the radius check
    Assert.Contains(NonPositiveStudySetting("vb", "a radius", nan) |> Check.message, errorsOf (Study.variationalBounds "vb" |> Study.radii [ nan ]) |> List.map Check.message)
    // the combinators leave other studies alone; the estimate grows with points x the largest K
    Assert.Equal(Study.gda "q6" 0.1 10, Study.gda "q6" 0.1 10 |> Study.radii [ 1.0 ] |> Study.sweep [ 5 ] |> Study.points 3)
    Assert.True(Studies.bytes (Study.variationalBounds "vb" |> Study.sweep [ 10; 1280 ]) = 2.0 * Studies.bytes (Study.variationalBounds "vb"))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.StudyCheckTests" [
        Expecto.Tests.testCase "every study builder gives a valid seed setting, and an experiment of studies alone needs no case" ``every study builder gives a valid seed setting, and an experiment of studies alone needs no case``
        Expecto.Tests.testCase "ECE8803 P1b study: an even quadrature grid, an empty interval and mismatched target lists are each reported" ``ECE8803 P1b study: an even quadrature grid, an empty interval and mismatched target lists are each reported``
        Expecto.Tests.testCase "Mila Q1 study: an output pixel off the map is reported with the 1-based ranges" ``Mila Q1 study: an output pixel off the map is reported with the 1-based ranges``
        Expecto.Tests.testCase "Mila Q6 study: a non-positive step, no steps and a repeated scheme are reported" ``Mila Q6 study: a non-positive step, no steps and a repeated scheme are reported``
        Expecto.Tests.testCase "ECE8803 P5 study: no samples, no bins and a non-positive sigma are reported" ``ECE8803 P5 study: no samples, no bins and a non-positive sigma are reported``
        Expecto.Tests.testCase "seed 002 AR study: explosive coefficients and a series too short for the order are reported" ``seed 002 AR study: explosive coefficients and a series too short for the order are reported``
        Expecto.Tests.testCase "the stationarity check agrees with the roots of 1 - sum phi_i z^i for AR(1) and AR(2)" ``the stationarity check agrees with the roots of 1 - sum phi_i z^i for AR(1) and AR(2)``
        Expecto.Tests.testCase "DS-GA 1008 2.3 study: no radii, a non-positive radius, K < 1, fewer than 2 points and a bad sweep are each reported" ``DS-GA 1008 2.3 study: no radii, a non-positive radius, K < 1, fewer than 2 points and a bad sweep are each reported``
        Expecto.Tests.testCase "study overrides change the named study's size and unknown study keys get a suggestion" ``study overrides change the named study's size and unknown study keys get a suggestion``
    ]
