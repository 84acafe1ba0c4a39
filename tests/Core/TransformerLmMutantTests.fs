/// TransformerLmMutantTests.fs: the Transformer LM's whole forward pass against one written from its raw parameters, where each dropout acts, its initialisation, evaluation and sampling edges, and every check's message.
module GenDsl.Tests.Core.TransformerLmMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// V = 11, context 6, width 8, 2 heads of 3, 2 layers, feed-forward 12.
let private opts (tied: bool) (dropout: float) (embeddingDropout: float) (std: float) =
    TransformerLmOptions(Vocab = 11L, Context = 6L, Width = 8L, Heads = 2L, HeadDim = 3L, Layers = 2L, FeedForward = 12L,
                         Dropout = dropout, EmbeddingDropout = embeddingDropout, Tied = tied, InitStd = std)

let private build (o: TransformerLmOptions) (seed: uint64) =
    use g = new Generator(seed)
    new TransformerLm(o, g)

let private ids (rows: int64 list list) =
    Torch.Tensor<int64>(rows |> List.concat |> List.toArray, [| int64 rows.Length; int64 rows.Head.Length |])

/// A float64 model with weights of std 0.5 and LayerNorm gains and shifts set away from (1, 0), so every term shows.
let private model64 (tied: bool) (seed: uint64) =
    let m = build (opts tied 0.0 0.0 0.5) seed
    m.To(f64) |> ignore
    use g = new Generator(seed + 100UL)
    using (Autograd.NoGrad()) (fun _ ->
        for l in 0 .. 1 do
            for n in [ "norm1"; "norm2" ] do
                m.GetParameter(sprintf "blocks.%d.%s.weight" l n).Copy_(Torch.Rand([| 8L |], g, f64) + 0.5) |> ignore
                m.GetParameter(sprintf "blocks.%d.%s.bias" l n).Copy_(Torch.Randn([| 8L |], g, f64) * 0.3) |> ignore
            m.GetParameter(sprintf "blocks.%d.ff1.bias" l).Copy_(Torch.Randn([| 12L |], g, f64) * 0.3) |> ignore
            m.GetParameter(sprintf "blocks.%d.ff2.bias" l).Copy_(Torch.Randn([| 8L |], g, f64) * 0.3) |> ignore
        m.OutputBias.Copy_(Torch.Randn([| 11L |], g, f64)) |> ignore)
    m

/// LayerNorm over the last dim by its definition: (x - mean) / sqrt(biased var + 1e-5) * w + b.
let private layerNorm (x: Tensor) (w: Tensor) (b: Tensor) =
    let mean = x.Mean(-1L, keepdim = true)
    let var = (x - mean).Square().Mean(-1L, keepdim = true)
    (x - mean) / (var + 1e-5).Sqrt() * w + b

/// The model's logits (B, T, V) written from its parameters: z0 = ReLU(sqrt(d) E[x] + P[t]); per block, attention as a
/// loop over heads (softmax of Q K^T / sqrt(k) over the keys j <= i), h = LN1(z + attn), out = LN2(h + W2 ReLU(W1 h + b1) + b2);
/// logits = z_L W_out^T + b.
let private handLogits (m: TransformerLm) (x: Tensor) (outWeight: string) =
    let p (n: string) = m.GetParameter(n)
    let b, t = x.Size(0), x.Size(1)
    let e = p "tok.weight"
    let mutable z = (e.IndexSelect(0L, x.Reshape(-1L)).Reshape(b, t, 8L) * sqrt 8.0 + p("pos.weight").Narrow(0L, 0L, t)).Relu()
    let allowed = Torch.Ones([| t; t |], ScalarType.Bool).Tril()
    for l in 0 .. 1 do
        let w (n: string) = p (sprintf "blocks.%d.%s" l n)
        let heads =
            [| for i in 0L .. 1L ->
                let rows (wt: Tensor) = wt.Narrow(0L, 3L * i, 3L)
                let qi, ki, vi = z.MatMul((rows (w "attn.q.weight")).T), z.MatMul((rows (w "attn.k.weight")).T), z.MatMul((rows (w "attn.v.weight")).T)
                let scores = qi.MatMul(ki.Transpose(1L, 2L)) / sqrt 3.0                                   // (B, T, T)
                let ex = scores.MaskedFill(allowed.LogicalNot(), Scalar.op_Implicit -infinity).Exp()
                (ex / ex.Sum(-1L, keepdim = true)).MatMul(vi) |]                                         // (B, T, k)
        let attn = Torch.Cat(heads, -1L).MatMul((w "attn.o.weight").T)                                  // (B, T, d)
        let h = layerNorm (z + attn) (w "norm1.weight") (w "norm1.bias")
        let f = (h.MatMul((w "ff1.weight").T) + w "ff1.bias").Relu().MatMul((w "ff2.weight").T) + w "ff2.bias"
        z <- layerNorm (h + f) (w "norm2.weight") (w "norm2.bias")
    z.MatMul((p outWeight).T) + m.OutputBias

let ``the whole forward pass equals one written from the raw parameters (embeddings, attention per head, post-norm blocks, output layer), tied and untied`` () =
    // float64 throughout; the two sides differ only in the order of float64 operations: 1e-10 on logits of size ~1-10
    use s = Scope.Begin()
    for tied, outWeight in [ true, "tok.weight"; false, "head.weight" ] do
        use m = model64 tied 3UL
        let x = ids [ [ 1L; 4L; 2L; 9L; 4L ]; [ 0L; 10L; 3L; 3L; 7L ] ]
        close 1e-10 (vals (handLogits m x outWeight)) (m.Logits(x))
        close 1e-10 (vals ((handLogits m x outWeight).LogSoftmax(-1L))) (m.LogProbs(x))
        // Module.Forward is Logits
        close 0.0 (vals (m.Logits(x))) (m.Forward(x))
        // Hidden is z_L: the logits are Hidden E^T + b
        close 1e-12 (vals (m.Logits(x))) (m.Hidden(x).MatMul(m.OutputWeight.T) + m.OutputBias)

let ``each dropout acts only in training mode: on the embeddings alone (p_io), on the attention weights, and on the block's residual branches`` () =
    use s = Scope.Begin()
    let x = ids [ [ 1L; 2L; 3L; 4L; 5L; 6L ] ]
    // p_io only
    use io = build (opts true 0.0 0.5 0.02) 4UL
    use plain = build (opts true 0.0 0.0 0.02) 4UL
    Assert.False(io.Logits(x, generator = new Generator(1UL)).AllClose(io.Logits(x, generator = new Generator(2UL))), "p_io drops in training")
    io.Eval() |> ignore
    close 0.0 (vals (plain.Logits(x))) (io.Logits(x, generator = new Generator(1UL)))
    // the attention weights: a block with p = 0.5, its attention alone
    use g = new Generator(5UL)
    use block = new TransformerBlock(8L, 2L, 3L, 12L, 0.5, g)
    let z = Torch.Randn([| 1L; 6L; 8L |], g)
    let mask = Functional.CausalBias(6L, 6L, ScalarType.Float32)
    let attn = block.Attention
    Assert.False(attn.Forward(z, mask, new Generator(1UL)).AllClose(attn.Forward(z, mask, new Generator(2UL))), "attention dropout in training")
    attn.Eval() |> ignore
    close 0.0 (vals (attn.Forward(z, mask, new Generator(1UL)))) (attn.Forward(z, mask, new Generator(2UL)))
    Assert.Contains("heads=2, head_dim=3, dropout=0.5", attn.ToString())
    // the residual branches: with W_o = 0 the attention adds nothing, so only the block's own dropouts can vary the output
    using (Autograd.NoGrad()) (fun _ -> block.GetParameter("attn.o.weight").Zero_() |> ignore)
    block.Train() |> ignore
    Assert.Equal(0.5, block.DropoutP)
    Assert.False(block.Forward(z, mask, new Generator(1UL)).AllClose(block.Forward(z, mask, new Generator(2UL))), "residual dropouts in training")
    block.Eval() |> ignore
    close 0.0 (vals (block.Forward(z, mask, new Generator(1UL)))) (block.Forward(z, mask, new Generator(2UL)))

let ``initialisation: every weight and embedding N(0, InitStd^2), every bias 0 (gm-hw1)`` () =
    // InitStd 0.5 against the defaults it replaces (Linear's U(+-1/sqrt(in)) has sd 0.07-0.14 here, Embedding's N(0, 1)):
    // the sample sd of n >= 128 normal entries is within 4 SE = 4 / sqrt(2n) <= 25% of 0.5
    let o = TransformerLmOptions(Vocab = 50L, Context = 8L, Width = 16L, Heads = 2L, HeadDim = 8L, Layers = 1L, FeedForward = 32L, Tied = false, InitStd = 0.5)
    use m = build o 6UL
    for struct (name, t) in m.NamedParameters() do
        let v = vals t
        if name.EndsWith("bias") && not (name.Contains("norm")) then
            Assert.True(v |> Array.forall (fun a -> a = 0.0), sprintf "%s should start at 0" name)
        elif not (name.Contains("norm")) then
            let n = float v.Length
            let sd = sqrt (Array.sumBy (fun a -> a * a) v / n)
            Assert.True(abs (sd - 0.5) < 4.0 * 0.5 / sqrt (2.0 * n), sprintf "%s: sd %g over %g entries" name sd n)
    Assert.Equal(ScalarType.Float32, m.OutputBias.Dtype)

let ``Loss: two-id windows are the shortest, windows of Context + 1 ids fit, reductions Mean and Sum only, and the messages name the shape`` () =
    use s = Scope.Begin()
    use m = model64 true 7UL
    m.Eval() |> ignore
    let two = ids [ [ 3L; 5L ] ]
    closeScalar 1e-12 (-(m.LogProbs(ids [ [ 3L ] ]).[[| 0L; 0L; 5L |]].ToDouble())) (m.Loss(two).ToDouble())
    let seven = ids [ [ 1L; 2L; 3L; 4L; 5L; 6L; 7L ] ]                             // 6 inputs = Context
    Assert.True(Double.IsFinite(m.Loss(seven).ToDouble()))
    throws<ArgumentException> "TransformerLm: tokens has 7 input positions but the model has position embeddings for Context = 6; cut it into windows of at most 6" (fun () -> box (m.Loss(ids [ [ 1L; 2L; 3L; 4L; 5L; 6L; 7L; 8L ] ])))
    throws<ArgumentException> "TransformerLm: input has 7 input positions but the model has position embeddings for Context = 6" (fun () -> box (m.Logits(seven)))
    throws<ArgumentException> "TransformerLm.Loss: windows need at least 2 ids (inputs and the next ids), got shape [1, 1]" (fun () -> box (m.Loss(ids [ [ 3L ] ])))
    throws<ArgumentException> "TransformerLm.Loss: use Mean (nats per token) or Sum (total nats); for per-token values call LogProbs" (fun () -> box (m.Loss(two, reduction = Reduction.None)))
    throws<ArgumentException> "TransformerLm: input must be token ids (B, T), got shape [1, 2, 2]; unsqueeze a single sequence with .Unsqueeze(0)" (fun () -> box (m.Logits(Torch.Zeros([| 1L; 2L; 2L |], ScalarType.Int64))))
    throws<ArgumentException> "TransformerLm: tokens must hold token ids as Int64, got Float32; convert with .Long()" (fun () -> box (m.Loss(Torch.Zeros([| 1L; 4L |]))))
    Assert.Throws<ArgumentNullException>(fun () -> m.Loss(null) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> m.Hidden(null) |> ignore) |> ignore

let ``key masks must be Bool (B, T): each wrong dtype, rank or size is refused with the expected and the given shape`` () =
    use m = build (opts true 0.0 0.0 0.02) 8UL
    let x = ids [ [ 1L; 2L; 3L; 4L; 5L ]; [ 2L; 7L; 0L; 0L; 0L ] ]
    let bad (mask: Tensor) = fun () -> box (m.Logits(x, mask))
    throws<ArgumentException> "TransformerLm: keyMask must be Bool (2, 5) like the input, true for real tokens; got Float32 [2, 5]" (bad (Torch.Ones([| 2L; 5L |])))
    throws<ArgumentException> "got Bool [10]" (bad (Torch.Ones([| 10L |], ScalarType.Bool)))
    throws<ArgumentException> "got Bool [1, 5]" (bad (Torch.Ones([| 1L; 5L |], ScalarType.Bool)))
    throws<ArgumentException> "got Bool [2, 4]" (bad (Torch.Ones([| 2L; 4L |], ScalarType.Bool)))
    // an all-true key mask is plain causal attention
    close 1e-6 (vals (m.Logits(x))) (m.Logits(x, Torch.Ones([| 2L; 5L |], ScalarType.Bool)))

/// The smallest valid options (V = C = d = h = k = m = 1, no blocks), with one value changed.
type private Small =
    static member O(?vocab, ?context, ?width, ?heads, ?headDim, ?layers, ?ff, ?dropout, ?edrop, ?std) =
        TransformerLmOptions(Vocab = defaultArg vocab 1L, Context = defaultArg context 1L, Width = defaultArg width 1L,
                             Heads = defaultArg heads 1L, HeadDim = defaultArg headDim 1L, Layers = defaultArg layers 0L,
                             FeedForward = defaultArg ff 1L, Dropout = defaultArg dropout 0.0,
                             EmbeddingDropout = defaultArg edrop 0.0, InitStd = defaultArg std 0.02)

let ``options: each bad value is refused naming the option and its range; the smallest valid values are accepted; the model prints its options`` () =
    let ok = Small.O()
    ok.Validate()
    Assert.True(ok.Tied)
    let fails (o: TransformerLmOptions) (text: string) = throws<ArgumentException> text (fun () -> (o.Validate(); box ()))
    fails (Small.O(vocab = 0L)) "TransformerLmOptions.Vocab: the vocabulary size must be at least 1 (got 0); WikiText-2 has 33,278 words"
    fails (Small.O(context = 0L)) "TransformerLmOptions.Context: must be at least 1 position (got 0)"
    fails (Small.O(width = 0L)) "TransformerLmOptions.Width: must be at least 1 (got 0)"
    fails (Small.O(heads = 0L)) "TransformerLmOptions.Heads: must be at least 1 head (got 0)"
    fails (Small.O(headDim = 0L)) "TransformerLmOptions.HeadDim: must be at least 1 (got 0)"
    fails (Small.O(layers = -1L)) "TransformerLmOptions.Layers: must be >= 0 blocks (got -1)"
    fails (Small.O(ff = 0L)) "TransformerLmOptions.FeedForward: must be at least 1 (got 0)"
    for p in [ -0.1; 1.0; nan ] do
        fails (Small.O(dropout = p)) "TransformerLmOptions.Dropout: must be a probability in [0, 1) (got"
        fails (Small.O(edrop = p)) "TransformerLmOptions.EmbeddingDropout: must be a probability in [0, 1) (got"
    for sd in [ 0.0; -1.0; infinity; nan ] do
        fails (Small.O(std = sd)) "TransformerLmOptions.InitStd: must be finite and > 0 (got"
    Assert.Throws<ArgumentNullException>(fun () -> new TransformerLm(Unchecked.defaultof<TransformerLmOptions>, new Generator(0UL)) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> new TransformerLm(ok, null) |> ignore) |> ignore
    use m = build (opts true 0.0 0.0 0.02) 9UL
    Assert.Contains("vocab=11, context=6, width=8, heads=2, head_dim=3, layers=2, feed_forward=12, dropout=0, embedding_dropout=0, tied=True", m.ToString())
    // no blocks at all: the logits are ReLU(sqrt(d) E[x] + P[t]) E^T + b
    use g = new Generator(1UL)
    use shallow = new TransformerLm(TransformerLmOptions(Vocab = 5L, Context = 3L, Width = 4L, Layers = 0L), g)
    let x = ids [ [ 1L; 4L; 0L ] ]
    let e = shallow.TokenEmbedding
    let z = (e.IndexSelect(0L, x.Reshape(-1L)) * 2.0 + shallow.GetParameter("pos.weight")).Relu()
    close 1e-6 (vals (z.MatMul(e.T) + shallow.OutputBias)) (shallow.Logits(x).Reshape(3L, 5L))

let ``Evaluate: a stream that ends on a window boundary has no tail; bits are nats / ln 2, the log-likelihood is minus the nats; edges and bad arguments`` () =
    use s = Scope.Begin()
    use m = model64 true 10UL
    let stream = Array.init 13 (fun i -> (3 * i + 1) % 11)                   // 12 predictions = 2 windows of 6, no tail
    let r = m.Evaluate(stream, batchSize = 1)
    let mutable total = 0.0
    for start in [ 0; 6 ] do
        let lp = m.LogProbs(Torch.Tensor<int64>(Array.init 6 (fun j -> int64 stream.[start + j]), [| 1L; 6L |]))
        for j in 0 .. 5 do total <- total - lp.[[| 0L; int64 j; int64 stream.[start + j + 1] |]].ToDouble()
    Assert.Equal(12L, r.Tokens)
    closeScalar 1e-10 total r.TotalNats
    closeScalar 1e-12 (total / 12.0 / log 2.0) r.BitsPerToken
    closeScalar 1e-12 (-total) r.LogLikelihood
    closeScalar 1e-12 (exp (total / 12.0)) r.Perplexity
    // two tokens score one prediction
    let two = m.Evaluate([| 3; 5 |])
    Assert.Equal(1L, two.Tokens)
    closeScalar 1e-10 (-(m.LogProbs(ids [ [ 3L ] ]).[[| 0L; 0L; 5L |]].ToDouble())) two.TotalNats
    throws<ArgumentException> "TransformerLm.Evaluate: a stream needs at least 2 tokens to score one, got 1" (fun () -> box (m.Evaluate([| 3 |])))
    throws<ArgumentException> "TransformerLm.Evaluate: batchSize must be at least 1, got 0" (fun () -> box (m.Evaluate(stream, 0)))
    Assert.Throws<ArgumentNullException>(fun () -> m.Evaluate(null) |> ignore) |> ignore

let ``Generate: draws from softmax(logits / T) with the generator (T = 3), top-k keeps the k best (k = V is the whole vocabulary), dropout is off while generating`` () =
    use s = Scope.Begin()
    use m = model64 true 11UL
    let prompt = [| 3L; 1L; 4L |]
    let next (window: int64 list) = m.Logits(ids [ window ]).Select(1L, int64 window.Length - 1L).Squeeze(0L)   // (V)
    // T = 3 (a flat softmax, so that the order of the ids matters to a draw) over the whole vocabulary, and top-k with
    // k = V: the same draws as Multinomial(softmax(l / T)) step by step, for 5 seeds
    for topK in [ 0; 11 ] do
        for seed in 1UL .. 5UL do
            let drawn = m.Generate(prompt, 3, 3.0, topK, new Generator(seed))
            use g = new Generator(seed)
            let mutable seq = List.ofArray prompt
            for i in 0 .. 2 do
                let id = Torch.Multinomial((next seq / 3.0).Softmax(-1L), 1L, generator = g).Item<int64>()
                Assert.Equal(id, drawn.[i])
                seq <- seq @ [ id ]
    // top-3: every draw is one of the 3 most likely ids after the prompt (one step, 100 seeds), and not always the same
    let top3 = next (List.ofArray prompt) |> fun l -> l.TopK(3L) |> fun struct (_, i) -> vals i |> Array.map int64
    let firsts = [ for seed in 1UL .. 100UL -> (m.Generate(prompt, 1, 1.0, 3, new Generator(seed))).[0] ]
    Assert.True(firsts |> List.forall (fun i -> Array.contains i top3), sprintf "%A not in %A" firsts top3)
    Assert.True((List.distinct firsts).Length >= 2)
    // dropout off while generating: temperature 0 follows the eval-mode argmax; the training mode comes back
    use d = build (opts true 0.3 0.5 0.5) 12UL
    Torch.ManualSeed 17UL                                                       // were dropout on, its masks would come from here
    let greedy = d.Generate(prompt, 6, 0.0)
    d.Eval() |> ignore
    let mutable seq = List.ofArray prompt
    for i in 0 .. 5 do
        let window = seq |> List.skip (max 0 (seq.Length - 6))                  // the last Context ids
        let id = d.Logits(ids [ window ]).Select(1L, int64 window.Length - 1L).ArgMax().Item<int64>()
        Assert.Equal(id, greedy.[i])
        seq <- seq @ [ id ]
    d.Train() |> ignore
    ignore (d.Generate(prompt, 1, 0.0))
    Assert.True(d.Training)
    // edges and bad arguments
    Assert.Empty(m.Generate(prompt, 0))
    Assert.Equal(2, m.Generate([| 0L; 10L |], 2, 0.0).Length)
    let gen (p: int64[]) count temp topK = fun () -> box (m.Generate(p, count, temp, topK))
    throws<ArgumentException> "TransformerLm.Generate: give at least one prompt id (gm-hw1 starts from one random token)" (gen [||] 1 1.0 0)
    throws<ArgumentException> "TransformerLm.Generate: count must be >= 0, got -1" (gen prompt (-1) 1.0 0)
    for t in [ -1.0; infinity; nan ] do
        throws<ArgumentException> "TransformerLm.Generate: temperature must be finite and >= 0 (0 = most likely id), got" (gen prompt 1 t 0)
    throws<ArgumentException> "TransformerLm.Generate: topK must be >= 0 (0 = no limit), got -1" (gen prompt 1 1.0 (-1))
    throws<ArgumentException> "TransformerLm.Generate: prompt id 11 is outside the vocabulary [0, 11)" (gen [| 1L; 11L |] 1 1.0 0)
    throws<ArgumentException> "TransformerLm.Generate: prompt id -1 is outside the vocabulary [0, 11)" (gen [| -1L |] 1 1.0 0)
    Assert.Throws<ArgumentNullException>(fun () -> m.Generate(null, 1) |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.TransformerLmMutantTests" [
        Expecto.Tests.testCase "the whole forward pass equals one written from the raw parameters (embeddings, attention per head, post-norm blocks, output layer), tied and untied" ``the whole forward pass equals one written from the raw parameters (embeddings, attention per head, post-norm blocks, output layer), tied and untied``
        Expecto.Tests.testCase "each dropout acts only in training mode: on the embeddings alone (p_io), on the attention weights, and on the block's residual branches" ``each dropout acts only in training mode: on the embeddings alone (p_io), on the attention weights, and on the block's residual branches``
        Expecto.Tests.testCase "initialisation: every weight and embedding N(0, InitStd^2), every bias 0 (gm-hw1)" ``initialisation: every weight and embedding N(0, InitStd^2), every bias 0 (gm-hw1)``
        Expecto.Tests.testCase "Loss: two-id windows are the shortest, windows of Context + 1 ids fit, reductions Mean and Sum only, and the messages name the shape" ``Loss: two-id windows are the shortest, windows of Context + 1 ids fit, reductions Mean and Sum only, and the messages name the shape``
        Expecto.Tests.testCase "key masks must be Bool (B, T): each wrong dtype, rank or size is refused with the expected and the given shape" ``key masks must be Bool (B, T): each wrong dtype, rank or size is refused with the expected and the given shape``
        Expecto.Tests.testCase "options: each bad value is refused naming the option and its range; the smallest valid values are accepted; the model prints its options" ``options: each bad value is refused naming the option and its range; the smallest valid values are accepted; the model prints its options``
        Expecto.Tests.testCase "Evaluate: a stream that ends on a window boundary has no tail; bits are nats / ln 2, the log-likelihood is minus the nats; edges and bad arguments" ``Evaluate: a stream that ends on a window boundary has no tail; bits are nats / ln 2, the log-likelihood is minus the nats; edges and bad arguments``
        Expecto.Tests.testCase "Generate: draws from softmax(logits / T) with the generator (T = 3), top-k keeps the k best (k = V is the whole vocabulary), dropout is off while generating" ``Generate: draws from softmax(logits / T) with the generator (T = 3), top-k keeps the k best (k = V is the whole vocabulary), dropout is off while generating``
    ]
