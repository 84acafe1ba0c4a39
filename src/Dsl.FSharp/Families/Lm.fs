/// Families/Lm.fs: the Transformer language model (CSE 599i P8) trained through the Trainer on windows of a word-level
/// corpus (WikiText-2 or the user's own, Data.textCorpus).
module GenDsl.Dsl.LmFamily

open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.FamilyCommon

let name = "Transformer LM"

let private check (l: LmSpec) (c: Case) =
    [ match c.Data with
      | WikiText2 _ -> ()
      | MixtureSample _ | Points _ | DataFile _ | Mnist _ -> yield! refuse name c "token sequences (Data.wikiText2 150, Data.textCorpus train valid test 150)"
      if l.Layers < 1 || l.Heads < 1 || l.HeadDim < 1 || l.Width < 1 || l.FeedForward < 1 then
          BadSetting(where c, sprintf "layers, heads, head size, width and feed-forward must be >= 1, got %d, %d, %d, %d, %d" l.Layers l.Heads l.HeadDim l.Width l.FeedForward)
      for what, p in [ "dropout", l.Dropout; "embedding dropout", l.EmbeddingDropout ] do
          if not (p >= 0.0 && p < 1.0) then BadSetting(where c, sprintf "the %s must be in [0, 1), got %g" what p) ]

let private checkFit = maxLikelihoodOnly name "cross-entropy"

/// A Transformer LM over a vocabulary of `vocab` types and windows of `context` tokens.
let lmModule (l: LmSpec) (vocab: int) (context: int) (g: Generator) =
    let opts =
        GenDsl.Models.TransformerLmOptions(
            Vocab = int64 vocab, Context = int64 context, Width = int64 l.Width, Heads = int64 l.Heads, HeadDim = int64 l.HeadDim,
            Layers = int64 l.Layers, FeedForward = int64 l.FeedForward, Dropout = l.Dropout, EmbeddingDropout = l.EmbeddingDropout, Tied = l.Tied)
    new GenDsl.Models.TransformerLm(opts, g)

/// The vocabulary's size without reading the corpus: WikiText-2's 33,278 types (a user's corpus: the same order, stated).
let private vocabGuess = 33278.0

let private bytes (l: LmSpec) (_: Experiment) (pc: PlannedCase) =
    let ctx = match pc.Case.Data with WikiText2 w -> float w.Context | _ -> 1.0
    let w, ff, layers, attn = float l.Width, float l.FeedForward, float l.Layers, float (l.Heads * l.HeadDim)
    let pars = vocabGuess * w * (if l.Tied then 1.0 else 2.0) + ctx * w + layers * (4.0 * w * attn + 2.0 * w * ff + 4.0 * w)
    let b = largestBatch pc
    // per token of a batch: each block's attention maps (heads x context), projections and feed-forward, and the logits
    // over the vocabulary with their softmax (forward and backward).
    let perToken = layers * (float l.Heads * ctx + 8.0 * w + 2.0 * ff) + 3.0 * vocabGuess
    // the corpus as int64 tokens (train, valid, test).
    let tokens = 3.0 * float pc.N * ctx * 8.0
    tokens + trainedBytes pars + 2.0 * b * ctx * perToken * f32, sprintf "%d windows of %g tokens" pc.N ctx

let private fits (ctx: Context) (l: LmSpec) (w: WikiTextSpec) : FitOutcome list =
    let e = ctx.Experiment
    let corpus = match DataFiles.corpus w.Files with Ok c -> c | Error m -> failwith m   // the checker reports it
    let tokensOf (s: Split) =
        let all = corpus.Tokens(match s with Train -> WikiTextSplit.Train | Valid -> WikiTextSplit.Valid | Test -> WikiTextSplit.Test)
        let n = CheckData.wikiTextCount w s
        if n < all.Length then Array.sub all 0 n else all
    use splits = new SplitCache<WikiTextWindows>(fun s -> new WikiTextWindows(tokensOf s, w.Context))
    let split s = splits.Get s :> IDataset
    let lmOf (nn: Neural) = nn.Module :?> GenDsl.Models.TransformerLm
    let make (_: Training) (_: ResolvedFit) (g: Generator) =
        let lm = lmModule l corpus.VocabSize w.Context g
        { Module = lm; Moves = Minimise(fun x sc -> lm.Loss(x, sc.Generator)); Metric = "nll"
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

/// Text after the request's prompt, from the fit's checkpoint.
let private sample (l: LmSpec) (r: SampleRequest) =
    match r.Planned.Case.Data with
    | WikiText2 w ->
        DataFiles.corpus w.Files
        |> Result.bind (fun corpus ->
            let lm = lmModule l corpus.VocabSize w.Context r.Generator
            r.Load lm
            |> Result.map (fun () ->
                let ids = corpus.Encode r.Prompt
                let ids = if ids.Length = 0 then [| int64 (corpus.IdOf WikiTextCorpus.Eos) |] else ids
                Text(r.Prompt + " " + corpus.Decode(lm.Generate(ids, r.Count, r.Temperature, r.TopK, r.Generator)))))
    | MixtureSample _ | Points _ | DataFile _ | Mnist _ -> Error "a Transformer LM runs on token windows only"

let ops (l: LmSpec) : FamilyOps =
    { Name = name
      Check = check l
      CheckFit = checkFit
      Bytes = bytes l
      Run = fun ctx -> onOwnData ctx (fun () -> match ctx.Planned.Case.Data with WikiText2 w -> fits ctx l w | _ -> invalidOp "unreachable: the checker refuses a Transformer LM on other data")
      Sample = sample l }
