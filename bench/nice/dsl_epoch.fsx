// dsl_epoch.fsx: the NICE benchmark (the seed's setting, one epoch of all 60,000 dequantised MNIST images, batch 256,
// Adam 1e-3) written in the DSL and run through the Trainer: compare its fit seconds (summary.json) with
// bench/nice/run.sh's hand loop and PyTorch.
//   dotnet run --project src/Cli -- bench/nice/dsl_epoch.fsx --threads 2 -o /tmp/bench-runs
#if !GENDSL_HOST
#r "../../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let experiment =
    Experiment.create "bench_nice_dsl_epoch"
    |> Experiment.seed 1UL
    |> Experiment.withCase (
        Case.create "nice" (Data.mnist |> Data.dequantized |> Data.noValidation) Model.nice
            [ Fit.adam 1e-3 (Epochs 1) |> Fit.batch 256 |> Fit.checkpointEvery (Steps 0) ])
    |> Experiment.metrics [ Nll; BitsPerDim ]
