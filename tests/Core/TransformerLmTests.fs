/// TransformerLmTests.fs: CSE 599i P8's Transformer LM — attention against per-head loops, causality by autograd, masking, tied embeddings, uniform perplexity, training through the Trainer, eval determinism, generation.
module GenDsl.Tests.Core.TransformerLmTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// Tiny LM settings: V = 11, context 6, width 8, 2 heads of 3, 2 layers, feed-forward 12, unless given.
type private Tiny =
    static member Options(?vocab, ?width, ?headDim, ?layers, ?ff, ?dropout, ?embeddingDropout, ?tied, ?std) =
        TransformerLmOptions(Vocab = defaultArg vocab 11L, Context = 6L, Width = defaultArg width 8L, Heads = 2L,
                             HeadDim = defaultArg headDim 3L, Layers = defaultArg layers 2L, FeedForward = defaultArg ff 12L,
                             Dropout = defaultArg dropout 0.0, EmbeddingDropout = defaultArg embeddingDropout 0.0,
                             Tied = defaultArg tied true, InitStd = defaultArg std 0.02)

let private build (o: TransformerLmOptions) (seed: uint64) =
    use g = new Generator(seed)
    new TransformerLm(o, g)

/// Float64 and larger weights (std 0.5), so every path carries a clearly non-zero signal.
let private tiny64 seed =
    let m = build (Tiny.Options(std = 0.5)) seed
    m.To(f64) |> ignore
    m

let private ids (rows: int64 list list) =
    let b, t = List.length rows, List.length rows.Head
    Torch.Tensor<int64>(rows |> List.concat |> List.toArray, [| int64 b; int64 t |])

let private at (t: Tensor) (i: int64 list) = t.[List.toArray i].ToDouble()

// ---- attention ----

let ``CSE599i P8: scaled dot-product attention equals a per-head loop of exp, sums and products, with and without the causal mask`` () =
    use s = Scope.Begin()
    use g = new Generator(3UL)
    let b, h, l, e = 2L, 3L, 5L, 4L
    let q = Torch.Randn([| b; h; l; e |], g, f64)
    let k = Torch.Randn([| b; h; l; e |], g, f64)
    let v = Torch.Randn([| b; h; l; 2L |], g, f64)
    for causal in [ false; true ] do
        let out = Functional.ScaledDotProductAttention(q, k, v, isCausal = causal)
        for bi in 0L .. b - 1L do
            for hi in 0L .. h - 1L do
                for i in 0L .. l - 1L do
                    let last = if causal then i else l - 1L
                    let score j = (Seq.sum (seq { for c in 0L .. e - 1L -> at q [ bi; hi; i; c ] * at k [ bi; hi; j; c ] })) / sqrt (float e)
                    let w = [| for j in 0L .. last -> exp (score j) |]
                    let z = Array.sum w
                    for c in 0L .. 1L do
                        let expected = Seq.sum (seq { for j in 0L .. last -> w.[int j] / z * at v [ bi; hi; j; c ] })
                        closeScalar 1e-12 expected (at out [ bi; hi; i; c ])

let ``CSE599i P8: a Bool key mask gives the attention over the unpadded keys, and a float mask is added to the scores`` () =
    use s = Scope.Begin()
    use g = new Generator(4UL)
    let q = Torch.Randn([| 1L; 3L; 4L |], g, f64)
    let k = Torch.Randn([| 1L; 5L; 4L |], g, f64)
    let v = Torch.Randn([| 1L; 5L; 2L |], g, f64)
    // keys 3 and 4 are padding: masked attention over 5 keys = plain attention over the first 3
    let mask = Torch.Tensor<bool>([| true; true; true; false; false |], [| 1L; 1L; 5L |])
    let masked = Functional.ScaledDotProductAttention(q, k, v, mask)
    let short = Functional.ScaledDotProductAttention(q, k.Narrow(1L, 0L, 3L), v.Narrow(1L, 0L, 3L))
    close 1e-12 (vals short) masked
    // the padding's values do not leak: changing them changes nothing
    let v2 = v.Clone()
    v2.Narrow(1L, 3L, 2L).Fill_(Scalar.op_Implicit 1e6) |> ignore
    close 0.0 (vals masked) (Functional.ScaledDotProductAttention(q, k, v2, mask))
    // a float mask of 0 / -inf is the same as the Bool mask
    let bias = Torch.Tensor<float>([| 0.0; 0.0; 0.0; -infinity; -infinity |], [| 1L; 1L; 5L |])
    close 1e-15 (vals masked) (Functional.ScaledDotProductAttention(q, k, v, bias))
    let ex = Assert.Throws<ArgumentException>(fun () -> Functional.ScaledDotProductAttention(q, k, v, mask, isCausal = true) |> ignore)
    Assert.Contains("not both", ex.Message)

let ``CSE599i P8: the block's multi-head attention equals a loop over heads using slices of W_q, W_k, W_v and W_o`` () =
    use s = Scope.Begin()
    use m = tiny64 5UL
    use g = new Generator(6UL)
    let attn = (m.GetSubmodule("blocks.0") :?> TransformerBlock).Attention
    let x = Torch.Randn([| 2L; 4L; 8L |], g, f64)                                   // (B, T, d)
    let out = attn.Forward(x, Functional.CausalBias(4L, 4L, f64))
    let wq, wk, wv, wo = m.GetParameter("blocks.0.attn.q.weight"), m.GetParameter("blocks.0.attn.k.weight"),
                         m.GetParameter("blocks.0.attn.v.weight"), m.GetParameter("blocks.0.attn.o.weight")
    let heads =
        [| for i in 0L .. 1L ->
            let rows (w: Tensor) = w.Narrow(0L, 3L * i, 3L)                         // head i's (k, d) slice
            let qi, ki, vi = x.MatMul((rows wq).T), x.MatMul((rows wk).T), x.MatMul((rows wv).T)   // (B, T, k)
            let scores = qi.MatMul(ki.Transpose(1L, 2L)) / sqrt 3.0                 // (B, T, T)
            let allowed = Torch.Ones([| 4L; 4L |], ScalarType.Bool).Tril()
            let w = scores.MaskedFill(allowed.LogicalNot(), Scalar.op_Implicit -infinity).Exp()
            (w / w.Sum(-1L, keepdim = true)).MatMul(vi) |]                          // (B, T, k)
    let expected = Torch.Cat(heads, -1L).MatMul(wo.T)                               // (B, T, d)
    close 1e-12 (vals expected) out

// ---- the model ----

let ``CSE599i P8: causality — the logits at t have zero gradient with respect to the position embeddings after t, non-zero before`` () =
    use s = Scope.Begin()
    use m = tiny64 7UL
    m.Eval() |> ignore
    let x = ids [ [ 1L; 4L; 2L; 9L; 4L; 0L ] ]
    let pos = m.GetParameter("pos.weight")
    let logits = m.Logits(x)                                                        // (1, 6, V)
    for t in 0L .. 5L do
        let gradPos = Autograd.Grad(logits.Select(1L, t).Sum(), pos, retainGraph = true)   // (Context, d)
        let perPosition = gradPos.Abs().Sum(1L) |> vals                             // how much output t depends on position s
        for sPos in 0 .. 5 do
            if int64 sPos > t then Assert.True((perPosition.[sPos] = 0.0), sprintf "output %d depends on position %d: %g" t sPos perPosition.[sPos])
            else Assert.True(perPosition.[sPos] > 1e-6, sprintf "output %d should depend on position %d" t sPos)
    // and changing the tokens after t leaves the logits up to t unchanged, exactly
    let y = ids [ [ 1L; 4L; 2L; 3L; 3L; 3L ] ]
    close 0.0 (vals (logits.Narrow(1L, 0L, 3L))) (m.Logits(y).Narrow(1L, 0L, 3L))
    Assert.False(m.Logits(y).Narrow(1L, 3L, 1L).AllClose(logits.Narrow(1L, 3L, 1L)))

let ``CSE599i P8: in a right-padded batch the real positions' logits equal each sequence run alone, whatever the padding ids`` () =
    use s = Scope.Begin()
    use m = tiny64 8UL
    m.Eval() |> ignore
    let batch = ids [ [ 3L; 1L; 4L; 1L; 5L ]; [ 2L; 7L; 0L; 0L; 0L ] ]
    let keyMask = Torch.Tensor<bool>([| true; true; true; true; true; true; true; false; false; false |], [| 2L; 5L |])
    let alone = m.Logits(ids [ [ 2L; 7L ] ])                                        // (1, 2, V)
    for mask in [ null; keyMask ] do
        let out = m.Logits(batch, mask)
        close 1e-12 (vals alone) (out.Narrow(0L, 1L, 1L).Narrow(1L, 0L, 2L))
        close 1e-12 (vals (m.Logits(ids [ [ 3L; 1L; 4L; 1L; 5L ] ]))) (out.Narrow(0L, 0L, 1L))
    // with the key mask the padded queries see only the real keys: their attention ignores other padding ids
    let batch2 = ids [ [ 3L; 1L; 4L; 1L; 5L ]; [ 2L; 7L; 0L; 9L; 0L ] ]        // a different padding id at position 3
    let b2 = m.Logits(batch2, keyMask).Narrow(0L, 1L, 1L).Narrow(1L, 4L, 1L)
    let b1 = m.Logits(batch, keyMask).Narrow(0L, 1L, 1L).Narrow(1L, 4L, 1L)
    close 1e-12 (vals b1) b2                                                        // position 4 does not attend to padded key 3
    Assert.False(m.Logits(batch2).Narrow(0L, 1L, 1L).Narrow(1L, 4L, 1L).AllClose(b1)) // without the mask it does

let ``CSE599i P8: tied embeddings are one tensor — its gradient is the sum of the input and output uses, and a step moves both`` () =
    use s = Scope.Begin()
    use tied = tiny64 9UL
    Assert.True(obj.ReferenceEquals(tied.TokenEmbedding, tied.OutputWeight))
    // the same weights untied: head.weight a copy of E
    use untied = build (Tiny.Options(tied = false, std = 0.5)) 9UL
    untied.To(f64) |> ignore
    let sd = tied.StateDict()
    sd.["head.weight"] <- sd.["tok.weight"].Clone()
    untied.LoadStateDict(sd) |> ignore
    let batch = ids [ [ 1L; 2L; 3L; 2L; 5L; 6L; 7L ]; [ 3L; 3L; 10L; 0L; 1L; 2L; 4L ] ]
    tied.Loss(batch).Backward()
    untied.Loss(batch).Backward()
    close 1e-12 (vals (untied.TokenEmbedding.Grad + untied.OutputWeight.Grad)) tied.TokenEmbedding.Grad
    // counted once: V·d fewer parameters than untied
    Assert.Equal(untied.ParameterCount - 11L * 8L, tied.ParameterCount)
    // an SGD step changes the embedding rows the input reads and the output weight together (one tensor)
    let before = tied.OutputWeight.Clone()
    use opt = new SGD(tied.Parameters(), lr = 0.1)
    opt.Step()
    let expected = before - 0.1 * tied.TokenEmbedding.Grad
    close 1e-12 (vals expected) tied.OutputWeight
    close 1e-12 (vals (expected.Select(0L, 3L))) (Functional.Embedding(ids [ [ 3L ] ], tied.TokenEmbedding).Reshape(8L))
    // moving the model keeps the tie
    tied.To(ScalarType.Float32) |> ignore
    Assert.True(obj.ReferenceEquals(tied.TokenEmbedding, tied.OutputWeight))

let ``CSE599i P8: gm-hw1's configuration (b) has 15,106,278 parameters at V = 33,278, counted layer by layer`` () =
    use g = new Generator(0UL)
    use m = new TransformerLm(TransformerLmOptions(Vocab = 33278L, Layers = 2L, Heads = 2L), g)
    let v, c, d, h, k, ff = 33278L, 150L, 400L, 2L, 40L, 900L
    let block = 3L * d * h * k + h * k * d + 2L * (2L * d) + (d * ff + ff) + (ff * d + d)
    Assert.Equal(v * d + c * d + v + 2L * block, m.ParameterCount)
    Assert.Equal(15_106_278L, m.ParameterCount)
    // (gm-hw1's notebook prints 15,106,679 = this + 401 = one more word's embedding row and bias: its vocabulary has 33,279 entries)

let ``CSE599i P8: the loss is the mean of -log p of the next ids read off LogProbs, and Sum is Mean times B·T`` () =
    use s = Scope.Begin()
    use m = tiny64 10UL
    m.Eval() |> ignore
    let batch = ids [ [ 1L; 2L; 3L; 4L; 5L ]; [ 6L; 7L; 8L; 9L; 10L ] ]
    let lp = m.LogProbs(batch.Narrow(1L, 0L, 4L))                                   // (2, 4, V)
    let byHand = -(List.average [ for b in 0L .. 1L do for t in 0L .. 3L -> at lp [ b; t; at batch [ b; t + 1L ] |> int64 ] ])
    closeScalar 1e-12 byHand (m.Loss(batch).ToDouble())
    closeScalar 1e-10 (8.0 * byHand) (m.Loss(batch, reduction = Reduction.Sum).ToDouble())

let ``CSE599i P8: a model that predicts uniformly has perplexity V (zero output weights and bias)`` () =
    use m = build (Tiny.Options()) 11UL
    using (Autograd.NoGrad()) (fun _ -> m.OutputWeight.Zero_() |> ignore; m.OutputBias.Zero_() |> ignore)
    let r = m.Evaluate(Array.init 40 (fun i -> (i * 7) % 11))
    Assert.Equal(39L, r.Tokens)
    // logits exactly 0 in float32: each term is log 11 to ~3e-7, the float32 sums of 39 terms to ~1e-5
    closeScalar 1e-3 11.0 r.Perplexity
    closeScalar 1e-3 (39.0 * log 11.0) r.TotalNats

let ``CSE599i P8: Evaluate scores every token after the first in gm-hw1's windows, plus the short tail, by LogProbs`` () =
    use s = Scope.Begin()
    use m = tiny64 12UL
    let stream = Array.init 23 (fun i -> (i * i + 3) % 11)                          // 22 predictions: windows of 6 at 0, 6, 12, tail of 4 at 18
    let r = m.Evaluate(stream, batchSize = 2)
    let mutable total = 0.0
    for start, len in [ 0, 6; 6, 6; 12, 6; 18, 4 ] do
        let x = Torch.Tensor<int64>(Array.init len (fun j -> int64 stream.[start + j]), [| 1L; int64 len |])
        let lp = m.LogProbs(x)
        for j in 0 .. len - 1 do total <- total - at lp [ 0L; int64 j; int64 stream.[start + j + 1] ]
    Assert.Equal(22L, r.Tokens)
    closeScalar 1e-10 total r.TotalNats
    Assert.True(m.Training, "Evaluate restores training mode")

let ``CSE599i P8: dropout acts only in training mode; evaluation is deterministic and equals the dropout-free model`` () =
    use s = Scope.Begin()
    use m = build (Tiny.Options(dropout = 0.2, embeddingDropout = 0.6)) 13UL
    use plain = build (Tiny.Options()) 13UL                                                       // same seed, same weights, no dropout
    let x = ids [ [ 1L; 2L; 3L; 4L; 5L; 6L ] ]
    use g1 = new Generator(1UL)
    use g2 = new Generator(2UL)
    let t1, t2 = m.Logits(x, generator = g1), m.Logits(x, generator = g2)
    Assert.False(t1.AllClose(t2), "training mode draws dropout masks")
    m.Eval() |> ignore
    plain.Eval() |> ignore
    let e1, e2 = m.Logits(x, generator = g1), m.Logits(x, generator = g2)
    close 0.0 (vals e1) e2
    close 0.0 (vals (plain.Logits(x))) e1
    m.Train() |> ignore
    let stream = Array.init 30 (fun i -> i % 11)
    let a, b = m.Evaluate(stream), m.Evaluate(stream)
    Assert.Equal(a.TotalNats, b.TotalNats)
    closeScalar 0.0 (plain.Evaluate(stream).TotalNats) a.TotalNats
    Assert.True(m.Training)

let ``CSE599i P8: a tiny LM trained through the Trainer with Adam gets below 0.1 nats per token on a repeated sentence within 150 steps`` () =
    // "the cat sat on the mat ." repeated: 6 word types, period 7. Every next id is fixed by the id before it except after
    // "the" (cat or mat), which the id before "the" decides; only a window whose first input is "the" (2 of 7 phases)
    // cannot know, so the floor is (2/7)·log 2 / 6 ≈ 0.033 nats per token over windows of 6. Uniform is log 6 ≈ 1.79.
    // (Measured: 0.037 after 150 steps, from 2.19.)
    let words = [| 0; 1; 2; 3; 0; 4; 5 |]
    let stream = Array.init 400 (fun i -> words.[i % 7])
    use windows = new GenDsl.Data.WikiTextWindows(stream, 6)
    use m = build (Tiny.Options(vocab = 6L, layers = 1L, width = 16L, headDim = 8L, ff = 32L, std = 0.1)) 14UL
    use trainer = new Trainer(m, (fun ps -> new Adam(ps, lr = 1e-2) :> Optimizer), null,
                              TrainOptions(Steps = 150L, BatchSize = 16, Seed = 1UL, ClipGradNorm = Nullable 0.25))
    let result = trainer.Fit(windows, Objective(fun batch ctx -> m.Loss(batch, ctx.Generator)))
    let first = result.StepRecords.[0].Loss
    Assert.True(first > 1.5, sprintf "the first loss %g should be near log 6 = 1.79 or above (small random weights)" first)
    let ev = m.Evaluate(stream)
    Assert.True(ev.NatsPerToken < 0.1, sprintf "nats/token after 150 steps: %g (started at %g)" ev.NatsPerToken first)

let ``CSE599i P8: generation — temperature 0 follows the argmax of the logits, top-k 1 is greedy, a seed repeats a draw`` () =
    use s = Scope.Begin()
    use m = tiny64 15UL
    let prompt = [| 3L; 1L; 4L; 1L; 5L; 9L; 2L |]                                   // longer than the context: the last 6 ids are used
    let greedy = m.Generate(prompt, 5, temperature = 0.0)
    Assert.Equal(5, greedy.Length)
    let mutable seq = List.ofArray prompt
    for i in 0 .. 4 do
        let window = seq |> List.skip (seq.Length - 6)
        let next = m.Logits(ids [ window ]).Select(1L, 5L).ArgMax().Item<int64>()
        Assert.Equal(next, greedy.[i])
        seq <- seq @ [ next ]
    Assert.Equal<int64[]>(greedy, m.Generate(prompt, 5, temperature = 1.0, topK = 1))
    use g1 = new Generator(21UL)
    use g2 = new Generator(21UL)
    let a, b = m.Generate(prompt, 20, 1.0, 3, g1), m.Generate(prompt, 20, 1.0, 3, g2)
    Assert.Equal<int64[]>(a, b)
    Assert.True(a |> Array.forall (fun i -> i >= 0L && i < 11L))
    Assert.True(m.Training)

let ``CSE599i P8: inputs longer than the context, float ids and bad options are refused with the fix in the message`` () =
    use m = build (Tiny.Options()) 16UL
    let long = Torch.Zeros([| 1L; 8L |], ScalarType.Int64)
    let ex = Assert.Throws<ArgumentException>(fun () -> m.Logits(long) |> ignore)
    Assert.Contains("Context = 6", ex.Message)
    let ex2 = Assert.Throws<ArgumentException>(fun () -> m.Loss(Torch.Zeros([| 1L; 4L |])) |> ignore)
    Assert.Contains("Int64", ex2.Message)
    use g = new Generator(0UL)
    let ex3 = Assert.Throws<ArgumentException>(fun () -> new TransformerLm(TransformerLmOptions(Vocab = 10L, Dropout = 1.5), g) |> ignore)
    Assert.Contains("TransformerLmOptions.Dropout", ex3.Message)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.TransformerLmTests" [
        Expecto.Tests.testCase "CSE599i P8: scaled dot-product attention equals a per-head loop of exp, sums and products, with and without the causal mask" ``CSE599i P8: scaled dot-product attention equals a per-head loop of exp, sums and products, with and without the causal mask``
        Expecto.Tests.testCase "CSE599i P8: a Bool key mask gives the attention over the unpadded keys, and a float mask is added to the scores" ``CSE599i P8: a Bool key mask gives the attention over the unpadded keys, and a float mask is added to the scores``
        Expecto.Tests.testCase "CSE599i P8: the block's multi-head attention equals a loop over heads using slices of W_q, W_k, W_v and W_o" ``CSE599i P8: the block's multi-head attention equals a loop over heads using slices of W_q, W_k, W_v and W_o``
        Expecto.Tests.testCase "CSE599i P8: causality — the logits at t have zero gradient with respect to the position embeddings after t, non-zero before" ``CSE599i P8: causality — the logits at t have zero gradient with respect to the position embeddings after t, non-zero before``
        Expecto.Tests.testCase "CSE599i P8: in a right-padded batch the real positions' logits equal each sequence run alone, whatever the padding ids" ``CSE599i P8: in a right-padded batch the real positions' logits equal each sequence run alone, whatever the padding ids``
        Expecto.Tests.testCase "CSE599i P8: tied embeddings are one tensor — its gradient is the sum of the input and output uses, and a step moves both" ``CSE599i P8: tied embeddings are one tensor — its gradient is the sum of the input and output uses, and a step moves both``
        Expecto.Tests.testCase "CSE599i P8: gm-hw1's configuration (b) has 15,106,278 parameters at V = 33,278, counted layer by layer" ``CSE599i P8: gm-hw1's configuration (b) has 15,106,278 parameters at V = 33,278, counted layer by layer``
        Expecto.Tests.testCase "CSE599i P8: the loss is the mean of -log p of the next ids read off LogProbs, and Sum is Mean times B·T" ``CSE599i P8: the loss is the mean of -log p of the next ids read off LogProbs, and Sum is Mean times B·T``
        Expecto.Tests.testCase "CSE599i P8: a model that predicts uniformly has perplexity V (zero output weights and bias)" ``CSE599i P8: a model that predicts uniformly has perplexity V (zero output weights and bias)``
        Expecto.Tests.testCase "CSE599i P8: Evaluate scores every token after the first in gm-hw1's windows, plus the short tail, by LogProbs" ``CSE599i P8: Evaluate scores every token after the first in gm-hw1's windows, plus the short tail, by LogProbs``
        Expecto.Tests.testCase "CSE599i P8: dropout acts only in training mode; evaluation is deterministic and equals the dropout-free model" ``CSE599i P8: dropout acts only in training mode; evaluation is deterministic and equals the dropout-free model``
        Expecto.Tests.testCase "CSE599i P8: a tiny LM trained through the Trainer with Adam gets below 0.1 nats per token on a repeated sentence within 150 steps" ``CSE599i P8: a tiny LM trained through the Trainer with Adam gets below 0.1 nats per token on a repeated sentence within 150 steps``
        Expecto.Tests.testCase "CSE599i P8: generation — temperature 0 follows the argmax of the logits, top-k 1 is greedy, a seed repeats a draw" ``CSE599i P8: generation — temperature 0 follows the argmax of the logits, top-k 1 is greedy, a seed repeats a draw``
        Expecto.Tests.testCase "CSE599i P8: inputs longer than the context, float ids and bad options are refused with the fix in the message" ``CSE599i P8: inputs longer than the context, float ids and bad options are refused with the fix in the message``
    ]
