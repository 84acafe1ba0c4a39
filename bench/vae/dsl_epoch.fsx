// dsl_epoch.fsx: the MLP VAE benchmark (784-400-20, one epoch of all 60,000 continuous MNIST images, batch 128,
// Adam 1e-3, Bernoulli decoder scored by binary cross-entropy as PyTorch's VAE example) written in the DSL and run
// through the Trainer: compare its fit seconds (summary.json) with bench/vae/run.sh's hand loop and PyTorch.
//   dotnet run --project src/Cli -- bench/vae/dsl_epoch.fsx --threads 2 -o /tmp/bench-runs
#if !GENDSL_HOST
#r "../../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let experiment =
    Experiment.create "bench_vae_dsl_epoch"
    |> Experiment.seed 1UL
    |> Experiment.withCase (
        Case.create "vae" (Data.mnist |> Data.noValidation) (Model.vaeMlp 784 400 20)
            [ Fit.adam 1e-3 (Epochs 1) |> Fit.batch 128 |> Fit.objective Elbo |> Fit.checkpointEvery (Steps 0) ])
    |> Experiment.metrics [ NegElbo ]
