/// CheckTests.fs: every kind of bad experiment gets its own error from Check, before anything is trained.
module GenDsl.Tests.Dsl.CheckTests

open Xunit
open GenDsl.Dsl
open GenDsl.Tests.Support

/// A valid P7-like experiment to break one thing at a time.
let good =
    Experiment.create "t"
    |> Experiment.withCase (Case.create "p7" (Data.cse599iP7 300) (Model.gmm 3 |> Model.fixedWeights) [ Fit.gd 2.0 5; Fit.sgd 0.01 50; Fit.em 5 ])

let private errorsOf e =
    match Check.plan e with
    | Ok _ -> failwith "expected errors, the experiment passed the check"
    | Error errs -> errs

let private withFits fits (e: Experiment) = { e with Cases = e.Cases |> List.map (fun c -> { c with Fits = fits }) }
let private withData d (e: Experiment) = { e with Cases = e.Cases |> List.map (fun c -> { c with Data = d }) }
let private withModel m (e: Experiment) = { e with Cases = e.Cases |> List.map (fun c -> { c with Model = m }) }

let ``a valid experiment passes the check with its data shape resolved`` () =
    match Check.plan good with
    | Ok p -> Assert.Equal<(int * int) list>([ 300, 2 ], p.Cases |> List.map (fun c -> c.N, c.Dim))
    | Error errs -> failwithf "unexpected errors: %A" errs

let ``a negative learning rate is reported for its fit`` () =
    let errs = errorsOf (good |> withFits [ Fit.sgd -0.1 50 ])
    Assert.Equal<DslError list>([ NonPositiveLearningRate("p7", "sgd", -0.1) ], errs)
    Assert.Contains("learning rate must be > 0", Check.message errs.Head)

let ``K = 0 components is reported as such`` () =
    let errs = errorsOf (good |> withModel (Model.gmm 0))
    Assert.Equal<DslError list>([ ZeroComponents("p7", 0) ], errs)

let ``empty data is reported, both sampled (N = 0) and given (no points)`` () =
    Assert.Contains(EmptyData "p7", errorsOf (good |> withData (Data.cse599iP7 0)))
    Assert.Contains(EmptyData "p7", errorsOf (good |> withData (Data.points [])))

let ``starting means of the wrong dimension are a dimension mismatch`` () =
    let m = Model.gmm 2 |> Model.start (StartMeans [ [ 0.0; 0.0; 0.0 ]; [ 1.0; 1.0; 1.0 ] ])
    let errs = errorsOf (good |> withModel m)
    Assert.Equal<DslError list>([ DimensionMismatch("p7", "a starting mean", 2, 3); DimensionMismatch("p7", "a starting mean", 2, 3) ], errs)
    Assert.Contains("dimension 3 but the data has dimension 2", Check.message errs.Head)

let ``given points of different lengths are ragged data`` () =
    let errs = errorsOf (good |> withData (Data.points [ [ 1.0; 2.0 ]; [ 3.0 ]; [ 4.0; 5.0 ]; [ 6.0; 7.0 ] ]))
    Assert.Contains(RaggedData("p7", 1, 2, 1), errs)

let ``fewer points than components, zero steps and zero batch each get their own error`` () =
    Assert.Contains(FewerPointsThanComponents("p7", 2, 3), errorsOf (good |> withData (Data.cse599iP7 2)))
    Assert.Contains(NonPositiveSteps("p7", "em", 0), errorsOf (good |> withFits [ Fit.em 0 ]))
    Assert.Contains(NonPositiveBatch("p7", "sgd", 0), errorsOf (good |> withFits [ Fit.sgd 0.1 10 |> Fit.batch 0 ]))

let ``an unknown override key is rejected with a did-you-mean`` () =
    match Settings.planWith [ "sgd.step=10" ] good with
    | Error [ UnknownOverride ("sgd.step", Some "sgd.steps") as e ] ->
        Assert.Equal("unknown parameter 'sgd.step': did you mean 'sgd.steps'?", Check.message e)
    | other -> failwithf "expected one UnknownOverride with a suggestion, got %A" other

let ``a swapped pair of letters counts as one edit, so sdg.steps suggests sgd.steps`` () =
    match Settings.planWith [ "sdg.steps=10" ] good with
    | Error [ UnknownOverride ("sdg.steps", Some "sgd.steps") ] -> ()
    | other -> failwithf "expected UnknownOverride suggesting sgd.steps, got %A" other

let ``a far-off override key gets no suggestion and a bad value names the expected type`` () =
    Assert.Equal(Error [ UnknownOverride("scheduler.warmup_factor", None) ], Settings.applyOverrides [ "scheduler.warmup_factor=0.9" ] good |> Result.map ignore)
    Assert.Equal(Error [ BadOverrideValue("em.iterations", "ten", "an integer") ], Settings.applyOverrides [ "em.iterations=ten" ] good |> Result.map ignore)
    Assert.Equal(Error [ BadOverrideValue("em.iterations", "2.5", "an integer") ], Settings.applyOverrides [ "em.iterations=2.5" ] good |> Result.map ignore)

let ``overrides change exactly the named parameter and are then checked`` () =
    match Settings.planWith [ "sgd.steps=7"; "data.n=90"; "seed=5" ] good with
    | Ok p ->
        let c = p.Experiment.Cases.Head
        Assert.Equal(5UL, p.Experiment.Seed)
        Assert.Equal<int list>([ 5; 7; 5 ], c.Fits |> List.map stepsOf)
        Assert.Equal(90, p.Cases.Head.N)
    | Error errs -> failwithf "%A" errs
    // An override that makes the experiment invalid is caught by the check that follows.
    Assert.Equal(Error [ NonPositiveLearningRate("p7", "gd", -1.0) ], Settings.planWith [ "gd.lr=-1" ] good |> Result.map ignore)

let ``all errors are reported at once, not just the first`` () =
    let bad = good |> withModel (Model.gmm 0) |> withFits [ Fit.gd -1.0 5; Fit.gd 1.0 0 ]
    let errs = errorsOf bad
    Assert.Contains(ZeroComponents("p7", 0), errs)
    Assert.Contains(NonPositiveLearningRate("p7", "gd", -1.0), errs)
    Assert.Contains(NonPositiveSteps("p7", "gd", 0), errs)
    Assert.Contains(DuplicateName("fit", "gd"), errs)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.CheckTests" [
        Expecto.Tests.testCase "a valid experiment passes the check with its data shape resolved" ``a valid experiment passes the check with its data shape resolved``
        Expecto.Tests.testCase "a negative learning rate is reported for its fit" ``a negative learning rate is reported for its fit``
        Expecto.Tests.testCase "K = 0 components is reported as such" ``K = 0 components is reported as such``
        Expecto.Tests.testCase "empty data is reported, both sampled (N = 0) and given (no points)" ``empty data is reported, both sampled (N = 0) and given (no points)``
        Expecto.Tests.testCase "starting means of the wrong dimension are a dimension mismatch" ``starting means of the wrong dimension are a dimension mismatch``
        Expecto.Tests.testCase "given points of different lengths are ragged data" ``given points of different lengths are ragged data``
        Expecto.Tests.testCase "fewer points than components, zero steps and zero batch each get their own error" ``fewer points than components, zero steps and zero batch each get their own error``
        Expecto.Tests.testCase "an unknown override key is rejected with a did-you-mean" ``an unknown override key is rejected with a did-you-mean``
        Expecto.Tests.testCase "a swapped pair of letters counts as one edit, so sdg.steps suggests sgd.steps" ``a swapped pair of letters counts as one edit, so sdg.steps suggests sgd.steps``
        Expecto.Tests.testCase "a far-off override key gets no suggestion and a bad value names the expected type" ``a far-off override key gets no suggestion and a bad value names the expected type``
        Expecto.Tests.testCase "overrides change exactly the named parameter and are then checked" ``overrides change exactly the named parameter and are then checked``
        Expecto.Tests.testCase "all errors are reported at once, not just the first" ``all errors are reported at once, not just the first``
    ]
