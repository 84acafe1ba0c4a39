// Issue 22's likelihood table on the 2-D ring (K = 10, R = 5): the zoo's flows (NICE, RealNVP, Glow-style, MAF), a
// MADE with Gaussian-mixture conditionals and a DDPM beside the GMM, KDE and energy-based model, every one scored on the
// same fresh test sample against the true density's test NLL (the issue asks for every family within 0.1 nats of it).
// The default budget took 17 minutes with --threads 1 beside another training on 2 cores (NICE's 30,000 steps: 14 of
// them). Gaps to the truth then (nats, SE ~0.02; the DDPM's 0.04): KDE 0.03, GMM and EBM 0.05, RealNVP 0.05, MAF 0.06,
// the DDPM's bound 0.08, MADE-MoG 0.08, Glow-style 0.09, NICE 0.12; NICE on jittered points (2026-12-07, its own
// `--case nice` run: 2 minutes) 0.085. docs/results.md has the runs.
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
// The slow learners: more steps, the learning rate decayed to 0 on a cosine.
let adamLong lr steps = adam lr |> Fit.budget (Steps steps) |> Fit.evalEvery (Steps 250) |> Fit.schedule (Cosine 0.0)

let experiment =
    Experiment.create "likelihood_table_ring"
    |> Experiment.titled "One likelihood table on the ring (K = 10, R = 5): flows, MADE and a DDPM beside GMM, KDE and EBM"
    |> Experiment.seed 22UL
    |> Experiment.withCases
        [ Case.create "gmm" ring (Model.gmm 10 |> Model.start KMeansPlusPlus |> Model.restarts 3) [ Fit.em 200 |> Fit.tol 1e-8 ]
          Case.create "kde" ring Model.kde [ Fit.closedForm ]
          Case.create "ebm" ring (Model.ebm |> Model.baseScale 4.5) [ Fit.adam 0.01 (Steps 1500) |> Fit.named "ebm" ]
          // Today's NICE as a value of the flow family: additive couplings on halves, a diagonal scaling. Volume-preserving
          // but for the scaling, it must fold the ten bumps onto one Gaussian by shears: 4 couplings of 64 x 2 stopped
          // 0.28 nats over the truth in 3,000 steps, 12 of 128 x 3 0.14 in 10,000, 20 of 128 x 3 0.11 in 20,000 (lr 1e-3).
          // What held it over 0.1 was the 2,000 training points: its training NLL fell below the truth's while the
          // validation NLL rose, and no size or weight decay moved it under 0.1 (20 x 128 x 3 0.121, 32 x 64 x 2 0.118,
          // 64 x 32 x 2 0.105-0.124, 96 x 24 x 2 0.106, 128 x 16 x 2 0.124; a logistic base 0.18; AdamW 0.14), while the
          // same 64 x 32 x 2 on 20,000 points came within 0.056 (2026-12-07). So it trains on jittered points: fresh
          // N(0, 0.3^2 I) noise on every batch (Data.jitter), the validation and test points as drawn. The density it
          // learns is the ring's smoothed by that kernel, which costs ~0.004 nats at the truth (each unit-variance bump
          // widened to 1.09); at 8,000 cosine steps the gaps were 0.124 without jitter, 0.092 / 0.085 / 0.090 with
          // sigma 0.2 / 0.3 / 0.5 (0.3 chosen by the best validation NLL, 4.926), and 0.121 for 20 x 128 x 3 at 0.3.
          Case.create "nice" (ring |> Data.jitter 0.3) (Model.flow Gaussian (Flow.nice 64 32 2)) [ adamLong 2e-3 8000 ]
          Case.create "realnvp" ring (Model.realNvp 8 64 2) [ adam 3e-3 ]
          // Glow's step on vectors: ActNorm, an invertible 1x1 convolution (a learned 2 x 2 matrix), an affine coupling.
          Case.create "glow" ring (Model.flow Gaussian [ for _ in 1 .. 6 do yield! [ Flow.actNorm; Flow.conv1x1; Flow.affine Halves 64 2 ] ]) [ adam 3e-3 ]
          Case.create "maf" ring (Model.maf 5 [ 64; 64 ]) [ adam 3e-3 ]
          // MADE with a mixture of 10 Gaussians per conditional, p(x_1) p(x_2 | x_1): the ring's marginals are multimodal,
          // so one Gaussian per conditional (a one-layer MAF) stayed 0.52 nats over the truth.
          Case.create "made" ring (Model.made [ 128; 128 ] |> Model.madeOutput (GaussianMixture 10)) [ adamLong 3e-3 10000 ]
          // Ho et al.'s T = 1000 linear schedule: the bound tightens with T (T = 200: 0.9 nats over the truth after 3,000
          // steps; T = 1000: 0.17, and 0.13 after 15,000). The cosine schedule's last betas (0.999) make the bound's
          // final terms amplify the predictor's error ~1/sqrt(alpha_T) = 30-fold on these unscaled points (7 nats over).
          Case.create "ddpm" ring (Model.ddpm (MlpDenoiser(128, 3))) [ adamLong 2e-3 30000 ] ]
    |> Experiment.metrics [ TestNll; TestNllSe; TrueTestNll; NegElbo ]
    |> Experiment.plots [ DensityHeatmap 60; FitDensityHeatmap 60; Samples 500; CurvesAcrossCases "valid nll" ]
    |> Experiment.note "test_nll is the mean -log p(x) in nats of one fresh sample of 2000 points from the true ring (the same for every case), test_nll_se its standard error, true_test_nll the true density's on that sample: the floor every model is measured against. It is exact for the GMM, KDE, the flows and the MADE, and estimated for the EBM (log Z by importance sampling). For the DDPM it is an UPPER BOUND: its variational bound on -log p(x) (one draw of each of its T + 1 terms per point); neg_elbo is the same bound on the training points; the DDPM is trained on the simple epsilon loss, which its curves show. 'made' is a MADE whose conditionals are mixtures of 10 Gaussians (MADE-MoG)."
