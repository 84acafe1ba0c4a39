// CSE 599i HW1 P7: the means of a 3-component GMM fitted three ways (gradient ascent, SGD, EM) on 3000 points.
//
// Run:    dotnet run --project src/Cli -- experiments/cse599i_hw1_p7_gmm.fsx
// Check:  dotnet run --project src/Cli -- check experiments/cse599i_hw1_p7_gmm.fsx
// Quick:  dotnet run --project src/Cli -- experiments/cse599i_hw1_p7_gmm.fsx --set sgd.steps=500
//
// How this script finds the DSL: the gendsl host pre-references GenDsl.Dsl and GenDsl.Core (the very
// assemblies it runs with) and defines GENDSL_HOST, so `open GenDsl.Dsl` is all a script needs. The `#r`
// below is only for editors (Ionide, Rider, VS), relative to this file; build once with `dotnet build` first.
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// Part a: 1000 points from each of N((-2,0), I), N((1,3), I), N((2,-2), I).
let data = Data.cse599iP7 3000

// The seed fits only the means: pi_k = 1/3 and Sigma_k = I stay fixed.
let model = Model.gmm 3 |> Model.fixedWeights

// Parts b-d, each from the same K random data points: gradient ascent k = 0..10, SGD (one point per
// step) k = 0..5000, EM k = 0..10. Learning rates are on the mean log-likelihood.
let fits = [ Fit.gd 2.0 10; Fit.sgd 0.01 5000; Fit.em 10 ]

let experiment =
    Experiment.create "cse599i_hw1_p7_gmm"
    |> Experiment.titled "CSE 599i HW1 P7 — GMM means by gradient ascent, SGD and EM"
    |> Experiment.seed 599UL
    |> Experiment.withCase (Case.create "p7" data model fits)
    |> Experiment.metrics [ Nll; TrueNll; MeanError ]
    |> Experiment.plots [ DataScatter; LogLikelihoodCurves; FinalMeansOverData; FinalNllBars ]
    // "each algorithm produces comparable numerical results, with a final negative log-likelihood of around 3.9 nats"
    |> Experiment.expect (Expect.nll Below 3.95)
    |> Experiment.note "All three methods maximise the same likelihood from the same start, so they should end at about the same NLL (about 3.9 nats, close to the NLL of the true mixture on this sample). EM gets there in a few iterations, gradient ascent nearly as fast with a step size on the order of 1/pi_k = 3 (here 2), and SGD's final means jitter around the optimum by about sqrt(lr/2) per coordinate."
