// CSE 599i HW1 P8: a Transformer language model on WikiText-2, trained three ways as the homework asks —
// (b) 2 layers, 2 heads, no dropout, 10 epochs; (c) 16 layers, 10 heads, no dropout, 10 epochs; (d) 16 layers,
// 10 heads, dropout 0.2 and input/output dropout 0.6, 80 epochs — with gm-hw1's setting: context 150, batch 32,
// width 400, feed-forward 900, tied embeddings, Adam at 1e-4 for the first epoch then 3.5e-4, clipping at 0.25,
// the model with the best validation loss kept. Reports the test log-likelihood, perplexity, samples and speed.
//
// Run:    dotnet run --project src/Cli -- experiments/cse599i_hw1_p8_transformer_wikitext2.fsx
// Quick:  dotnet run --project src/Cli -- experiments/cse599i_hw1_p8_transformer_wikitext2.fsx --set budget.epochs=1 --set data.subset=3000 --set data.eval_subset=1000 --set context=30 --set batch=8 --set eval_every=5 --set layers=1 --set width=64 --set feed_forward=64 --set head_dim=16
// (On a 2-core CPU one epoch of (b) takes about an hour and (c) most of a day: the README gives measured figures;
// `--device cuda` runs the same script on a GPU.)
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let text = Data.wikiText2 150

// (2,088,628 - 1) / 150 = 13,924 training windows: an epoch is 436 steps of 32 (`check` prints it), and the first
// epoch's low rate and the evaluations once an epoch follow `--set batch=...` and a subset.
let training epochs =
    Fit.adam 3.5e-4 (Epochs epochs)
    |> Fit.batch 32
    |> Fit.schedule (Hold(Epochs 1, 1e-4 / 3.5e-4, Constant))
    |> Fit.clip 0.25
    |> Fit.evalOn [ Valid ]
    |> Fit.evalEvery (Epochs 1)
    |> Fit.checkpointEvery (Epochs 1)   // a run stopped outright resumes losing at most one epoch
    |> Fit.keepBest

let experiment =
    Experiment.create "cse599i_hw1_p8_transformer_wikitext2"
    |> Experiment.titled "CSE 599i HW1 P8 — Transformer language models on WikiText-2"
    |> Experiment.seed 599UL
    |> Experiment.withCases
        [ Case.create "b" text (Model.transformerLm 2 2) [ training 10 ]
          Case.create "c" text (Model.transformerLm 16 10) [ training 10 ]
          Case.create "d" text (Model.transformerLm 16 10 |> Model.dropout 0.2 0.6) [ training 80 ] ]
    |> Experiment.metrics [ Nll; Perplexity; TotalLogLikelihood; TokensPerSecond ]
    |> Experiment.plots [ CurvesAcrossCases "valid nll"; CurvesAcrossCases "train loss"; TextSamples("the", 60, 1.0, 0); TextSamples("the", 60, 0.8, 40) ]
    |> Experiment.note "nll is nats per test token of the model kept at its best validation loss; total_log_likelihood is log p(test) in nats (245,568 predicted tokens); perplexity = exp(nll). A uniform model over the 33,278 types has perplexity 33,278."
