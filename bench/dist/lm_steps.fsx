// lm_steps.fsx: the Transformer LM (b) of experiments/cse599i_hw1_p8_transformer_wikitext2.fsx (2 layers, 2 heads,
// width 400, feed-forward 900, context 150, batch 32, tied embeddings, Adam, clipping at 0.25) for a fixed number of
// steps, no evaluation during training and no checkpoint: the training half of bench/dist/throughput.sh
// (`--set budget.steps=N`). The final test NLL, which a language-model case always computes, is taken on the first
// 1,510 test tokens (10 windows) only: the whole test split would cost minutes per run outside the timing.
//   dotnet src/Cli/bin/Release/net10.0/gendsl.dll run bench/dist/lm_steps.fsx --threads 2 --set budget.steps=40 -o /tmp/runs
#if !GENDSL_HOST
#r "../../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let experiment =
    Experiment.create "bench_dist_lm_steps"
    |> Experiment.seed 599UL
    |> Experiment.withCase (
        Case.create "b" (Data.wikiText2 150 |> Data.evalTokens 1510) (Model.transformerLm 2 2)
            [ Fit.adam 1e-4 (Steps 40) |> Fit.batch 32 |> Fit.clip 0.25 |> Fit.checkpointEvery (Steps 0) ])
    |> Experiment.metrics [ TokensPerSecond ]
