// Mila DGM Q4: the importance-weighted bounds L_K = E log (1/K) sum_k p(x, z_k) / q(z_k | x) of a trained VAE rise
// with K toward log p(x): L_1 (the ELBO) <= L_5 <= L_50 <= L_5000, estimated on the same 1000 test images.
//
// Run:    dotnet run --project src/Cli -- experiments/mila_dgm_q4_iwae_bounds.fsx
// Quick:  dotnet run --project src/Cli -- experiments/mila_dgm_q4_iwae_bounds.fsx --set budget.epochs=1
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let images = 1000
let bound k = NegIwae(k, images)

let experiment =
    Experiment.create "mila_dgm_q4_iwae_bounds"
    |> Experiment.titled "Mila DGM Q4 — IWAE bounds of a trained VAE: L_1 <= L_5 <= L_50 <= L_5000"
    |> Experiment.seed 4UL
    |> Experiment.withCase (
        Case.create "vae" (Data.mnist |> Data.dynamicBinarized) (Model.vaeMlp 784 400 20)
            [ Fit.adam 1e-3 (Epochs 10) |> Fit.batch 128 |> Fit.objective Elbo |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Steps 2000) ])
    |> Experiment.metrics [ NegElbo; bound 1; bound 5; bound 50; bound 5000 ]
    |> Experiment.plots [ LearningCurves; Samples 36 ]
    // -L_K falls with K (each bound is at most the next one's negative); a Monte Carlo slack of 0 is enough on 1000
    // images since the gaps (about 1-5 nats) are many standard errors (about 0.05 nats) wide.
    |> Experiment.expect (Expect.atMost (bound 5) (bound 1) 0.0)
    |> Experiment.expect (Expect.atMost (bound 50) (bound 5) 0.0)
    |> Experiment.expect (Expect.atMost (bound 5000) (bound 50) 0.0)
    |> Experiment.note "neg_iwae_K is -L_K in nats per image on the first 1000 test images (the same images and model for every K). Q4's claim L_K <= L_{K+1} <= log p(x) shows as neg_iwae falling with K; neg_elbo is -L_1 on the whole test split."
