// Issue 22's likelihood table on the 2-D ring (K = 10, R = 5): the zoo's flows (NICE, RealNVP, Glow-style, MAF), a
// Gaussian MADE and a DDPM beside the GMM, KDE and energy-based model, every one scored on the same fresh test sample
// against the true density's test NLL. The default budget took about 4 minutes with --threads 1 on a busy 2-core machine
// (gaps to the truth: RealNVP, Glow-style and MAF 0.07-0.08 nats, NICE 0.28, the Gaussian MADE 0.52, the DDPM's bound 0.21).
//
// Run:    dotnet run --project src/Cli -- experiments/likelihood_table_ring.fsx
// Quick:  dotnet run --project src/Cli -- experiments/likelihood_table_ring.fsx --set budget.steps=40 --set timesteps=50 --set ebm.model.samples=500
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Core.dll"
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let ring = Data.ring 10 5.0 2000
let adam lr = Fit.adam lr (Steps 3000) |> Fit.batch 256 |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Steps 100) |> Fit.keepBest

let experiment =
    Experiment.create "likelihood_table_ring"
    |> Experiment.titled "One likelihood table on the ring (K = 10, R = 5): flows, MADE and a DDPM beside GMM, KDE and EBM"
    |> Experiment.seed 22UL
    |> Experiment.withCases
        [ Case.create "gmm" ring (Model.gmm 10 |> Model.start KMeansPlusPlus |> Model.restarts 3) [ Fit.em 200 |> Fit.tol 1e-8 ]
          Case.create "kde" ring Model.kde [ Fit.closedForm ]
          Case.create "ebm" ring (Model.ebm |> Model.baseScale 4.5) [ Fit.adam 0.01 (Steps 1500) |> Fit.named "ebm" ]
          // Today's NICE as a value of the flow family: additive couplings on halves, a diagonal scaling.
          Case.create "nice" ring (Model.flow Gaussian (Flow.nice 4 64 2)) [ adam 3e-3 ]
          Case.create "realnvp" ring (Model.realNvp 8 64 2) [ adam 3e-3 ]
          // Glow's step on vectors: ActNorm, an invertible 1x1 convolution (a learned 2 x 2 matrix), an affine coupling.
          Case.create "glow" ring (Model.flow Gaussian [ for _ in 1 .. 6 do yield! [ Flow.actNorm; Flow.conv1x1; Flow.affine Halves 64 2 ] ]) [ adam 3e-3 ]
          Case.create "maf" ring (Model.maf 5 [ 64; 64 ]) [ adam 3e-3 ]
          // A MADE with Gaussian conditionals p(x_2 | x_1) p(x_1) is a one-layer MAF.
          Case.create "made" ring (Model.maf 1 [ 128; 128 ]) [ adam 3e-3 ]
          Case.create "ddpm" ring (Model.ddpm (MlpDenoiser(128, 3)) |> Model.timesteps 200) [ adam 1e-3 ] ]
    |> Experiment.metrics [ TestNll; TestNllSe; TrueTestNll; NegElbo ]
    |> Experiment.plots [ DensityHeatmap 60; FitDensityHeatmap 60; Samples 500; CurvesAcrossCases "valid nll" ]
    |> Experiment.note "test_nll is the mean -log p(x) in nats of one fresh sample of 2000 points from the true ring (the same for every case), test_nll_se its standard error, true_test_nll the true density's on that sample: the floor every model is measured against. It is exact for the GMM, KDE, the flows and the MADE, and estimated for the EBM (log Z by importance sampling). For the DDPM it is an UPPER BOUND: its variational bound on -log p(x) (one draw of each of its T + 1 terms per point); neg_elbo is the same bound on the training points; the DDPM is trained on the simple epsilon loss, which its curves show. 'made' is a MADE with Gaussian conditionals, i.e. a one-layer MAF."
