/// DescribeTests.fs: the resolved config (describe's JSON) parses back to the same experiment.
module GenDsl.Tests.Dsl.DescribeTests

open Xunit
open FsCheck
open FsCheck.FSharp
open GenDsl.Dsl

/// One of every kind of node the language has, none at its default.
let everything =
    Experiment.create "all"
    |> Experiment.titled "every node \"quoted\" </script>"
    |> Experiment.seed 18446744073709551615UL
    |> Experiment.withCases
        [ Case.create "a" (Data.cse599iP7 3000 |> Data.seeded 3UL) (Model.gmm 3 |> Model.fixedWeights) [ Fit.gd 2.0 10; Fit.sgd 0.01 5000 |> Fit.batch 4 |> Fit.evalEvery (Steps 10); Fit.em 10 |> Fit.tol 1e-7 ]
          Case.create "b" (Data.ring 10 0.1 1000) (Model.gmm 10 |> Model.covariance Full |> Model.restarts 4 |> Model.start KMeansPlusPlus) [ Fit.em 300 |> Fit.named "em-long" ]
          Case.create "c" (Data.sample (Custom([ 0.25; 0.75 ], [ [ 1.0; 2.0; 3.0 ]; [ -1.0; 0.5; 1e-300 ] ])) 7) (Model.gmm 2 |> Model.start (StartMeans [ [ 0.0; 0.0; 0.0 ]; [ 1.0; 1.0; 1.0 ] ]) |> Model.covariance Diagonal) [ Fit.gd 0.3 1 ]
          Case.create "d" (Data.points [ [ 1.5 ]; [ -2.25 ] ]) (Model.gmm 1 |> Model.covariance Spherical) [ Fit.em 1 ]
          Case.create "e" (Data.mnist |> Data.binarized |> Data.subset 100) (Model.bmm 3 |> Model.bmmStart RandomDataMeans |> Model.smoothing 0.1 0.2) [ Fit.em 2 |> Fit.tol 1e-3 ]
          Case.create "f" (Data.mnist |> Data.dynamicBinarized |> Data.images 2) Model.vaeConv
              [ Fit.adam 5e-4 (Epochs 2) |> Fit.objective (Iwae 5) |> Fit.schedule (Warmup(Steps 10, Cosine 0.1)) |> Fit.clip 1.0 |> Fit.evalOn [ Valid; Test ] |> Fit.keepBest |> Fit.earlyStop 3 |> Fit.checkpointEvery (Epochs 1) ]
          Case.create "g" (Data.mnist |> Data.dequantized |> Data.noValidation) (Model.nice |> Model.niceSize 2 10 1)
              [ Fit.train (Optim.sgd 0.1 |> Optim.momentum 0.9 |> Optim.nesterov |> Optim.weightDecay 1e-4) (Steps 3) |> Fit.schedule (StepDecay(Steps 2, 0.5)) |> Fit.batch 7
                Fit.train (Optim.adamw 1e-3) (Steps 2) |> Fit.named "w" ]
          Case.create "i" (Data.wikiText2 150 |> Data.tokens 1000 |> Data.evalTokens 500) (Model.transformerLm 2 2 |> Model.dropout 0.2 0.6)
              [ Fit.adam 3.5e-4 (Epochs 1) |> Fit.schedule (Hold(Epochs 1, 0.3, Constant)) ]
          Case.create "j" (Data.ring 10 1.0 100) (Model.kde |> Model.bandwidth Silverman) [ Fit.closedForm ]
          Case.create "k" (Data.ring 10 1.0 100) (Model.kde |> Model.bandwidth (FixedBandwidth 0.3)) [ Fit.closedForm ]
          Case.create "l" (Data.ring 10 1.0 100) (Model.ebm |> Model.proposal KdeProposal |> Model.importanceSamples 50 |> Model.baseScale 3.0) [ Fit.adam 0.01 (Steps 3) ]
          Case.create "m" (Data.ring 10 1.0 100) (Model.gan |> Model.scheme Simultaneous |> Model.snapshots 2) [ Fit.adam 0.01 (Steps 3) ]
          Case.create "h" Data.mnist (Model.vae [ Flatten; Linear 8; LeakyRelu 0.2; Tanh; Sigmoid; Gelu; Softplus; Dropout 0.1; LayerNorm; Linear 4 ] [ Linear 784; Unflatten [ 784 ] ] [ 2 ] |> Model.likelihood (GaussianPixels 0.5))
              [ Fit.adam 1e-3 (Steps 1) |> Fit.objective Elbo ] ]
    |> Experiment.metrics [ Nll; Aic; Bic; TrueNll; MeanError; WeightError; BitsPerDim; NegElbo; NegIwae(5, 10); Perplexity; TotalLogLikelihood
                            TokensPerSecond; TestNll; TestNllSe; TrueTestNll; ModesCovered; SampleNll; LogZ; LogZQuadrature ]
    |> Experiment.plots [ DataScatter; LogLikelihoodCurves; FinalMeansOverData; DensityHeatmap 50; FinalNllBars; ParameterComparison
                          Samples 4; Reconstructions 3; ComponentMeans; LearningCurves; LatentScatter; FitDensityHeatmap 20; BandwidthCurve
                          SamplesOverTraining; CurvesAcrossCases "valid nll"; TextSamples("the", 5, 0.8, 10) ]
    |> Experiment.expect (Expect.nll Below 3.95)
    |> Experiment.expect (Expect.atMost (NegIwae(5, 10)) NegElbo 0.5)
    |> Experiment.expect (Expect.metric MeanError Above 0.0 |> Expect.forFit "em")
    |> Experiment.note "a note"

let ``describe round-trips an experiment using every node of the language`` () =
    Assert.Equal(Ok everything, Describe.ofJson (Describe.toJson everything))

let ``describe makes every default explicit`` () =
    let json = Describe.toJson (Experiment.create "x" |> Experiment.withCase (Case.create "c" (Data.cse599iP7 30) (Model.gmm 3) [ Fit.em 10 ]))
    for key in [ "\"learn_weights\": true"; "\"n_init\": 1"; "\"reg_covar\": 1E-06"; "\"covariance\": \"identity\""; "\"iterations\": 10"
                 "\"tol\": 0"; "\"seed\": null"; "\"stratified\": true"; "\"start\": \"random_points\"" ] do
        Assert.Contains(key, json)

let ``describe's parser rejects an unknown model kind, naming where and what it accepts`` () =
    let json = (Describe.toJson everything).Replace("\"kind\": \"gmm\"", "\"kind\": \"banana\"")
    match Describe.ofJson json with
    | Error m -> Assert.Equal("cases[0].model: expected one of gmm {...}, bmm {...}, vae {...}, nice {...}, transformer_lm {...}, kde {...}, ebm {...}, gan {...}, user_model {...}", m)
    | Ok _ -> failwith "an unknown model kind was accepted"

/// Random variants `{ base with ... }` of P7: learning rates, steps, sizes, seeds and labels.
let private variants =
    gen {
        let! lr = Gen.elements [ 1e-5; 0.01; 0.3; 2.0; 1e9 ]
        let! steps = Gen.choose (1, 100000)
        let! n = Gen.choose (1, 5000)
        let! seed = Gen.choose (0, System.Int32.MaxValue)
        let! r = Gen.elements [ 0.5; 1.0; 10.0; 123.456 ]
        let! label = Gen.elements [ "x"; "R=1"; "ü ñ"; "" ]
        let c = Case.create label (Data.ring 10 r n) (Model.gmm 10) [ Fit.sgd lr steps |> Fit.batch n ]
        return { CheckTests.good with Seed = uint64 seed; Cases = CheckTests.good.Cases @ [ c ] }
    }

let ``describe round-trips random variants of an experiment`` () =
    let prop e = Describe.ofJson (Describe.toJson e) = Ok e
    Prop.forAll (Arb.fromGen variants) prop   // run by Expecto.FsCheck: 100 variants drawn from a fixed seed

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.DescribeTests" [
        Expecto.Tests.testCase "describe round-trips an experiment using every node of the language" ``describe round-trips an experiment using every node of the language``
        Expecto.Tests.testCase "describe makes every default explicit" ``describe makes every default explicit``
        Expecto.Tests.testCase "describe's parser rejects an unknown model kind, naming where and what it accepts" ``describe's parser rejects an unknown model kind, naming where and what it accepts``
        Expecto.ExpectoFsCheck.testPropertyWithConfig { Expecto.FsCheckConfig.defaultConfig with maxTest = 100; replay = Some (1008UL, 0x9E3779B97F4A7C15UL, None) } "describe round-trips random variants of an experiment" (``describe round-trips random variants of an experiment`` ())
    ]
