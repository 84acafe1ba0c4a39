/// TextFamilies.fs: the Transformer language model (CSE 599i P8) trained through the Trainer on WikiText-2 windows.
module GenDsl.Dsl.TextFamilies

open System
open System.Diagnostics
open System.IO
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Runs
open GenDsl.Dsl.Fitting

/// A Transformer LM over a vocabulary of `vocab` types and windows of `context` tokens.
let lmModule (l: LmSpec) (vocab: int) (context: int) (g: Generator) =
    let opts =
        GenDsl.Models.TransformerLmOptions(
            Vocab = int64 vocab, Context = int64 context, Width = int64 l.Width, Heads = int64 l.Heads, HeadDim = int64 l.HeadDim,
            Layers = int64 l.Layers, FeedForward = int64 l.FeedForward, Dropout = l.Dropout, EmbeddingDropout = l.EmbeddingDropout, Tied = l.Tied)
    new GenDsl.Models.TransformerLm(opts, g)

let lmFits (ctx: Context) (l: LmSpec) (w: WikiTextSpec) : FitOutcome list =
    let e = ctx.Experiment
    let corpus = match DataFiles.corpus w.Files with Ok c -> c | Error m -> failwith m   // the checker reports it
    let tokensOf (s: Split) =
        let all = corpus.Tokens(match s with Train -> WikiTextSplit.Train | Valid -> WikiTextSplit.Valid | Test -> WikiTextSplit.Test)
        let n = Check.wikiTextCount w s
        if n < all.Length then Array.sub all 0 n else all
    use splits = new SplitCache<WikiTextWindows>(fun s -> new WikiTextWindows(tokensOf s, w.Context))
    let split s = splits.Get s :> IDataset
    let lmOf (nn: Neural) = nn.Module :?> GenDsl.Models.TransformerLm
    let make (_: Training) (g: Generator) =
        let lm = lmModule l corpus.VocabSize w.Context g
        { Module = lm; Loss = (fun x sc -> lm.Loss(x, sc.Generator)); Metric = "nll"
          EvaluateOn = fun s _ -> lm.Evaluate((splits.Get s).Tokens, 32).NatsPerToken }
    let final (nn: Neural) (_: Generator) =
        let r = (lmOf nn).Evaluate((splits.Get Test).Tokens, 32)
        [ for ms in e.Metrics do
            match ms with
            | Nll -> ms, r.NatsPerToken
            | Perplexity -> ms, r.Perplexity
            | TotalLogLikelihood -> ms, r.LogLikelihood
            | BitsPerDim -> ms, r.BitsPerToken
            | _ -> () ]   // metrics of other families
    let texts (nn: Neural) (g: Generator) =
        [ for p in e.Plots do
            match p with
            | TextSamples (prompt, n, temperature, topK) ->
                let ids = corpus.Encode prompt
                let ids = if ids.Length = 0 then [| int64 (corpus.IdOf WikiTextCorpus.Eos) |] else ids
                let out = (lmOf nn).Generate(ids, n, temperature, topK, g)
                sprintf "\"%s\", %d tokens, temperature %g, top-k %d" prompt n temperature topK, prompt + " " + corpus.Decode out
            | _ -> () ]
    neuralFits ctx (split w.Split) make final (fun nn g o -> { o with Texts = texts nn g })

