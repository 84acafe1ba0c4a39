// TransformerLm.cs: the word-level Transformer language model of CSE 599i HW1 P8 (gm-hw1) — embeddings, post-norm blocks, tied output layer, loss and log-probabilities.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// p(x_t | x_&lt;t) for token ids, as gm-hw1's Transformer (CSE 599i HW1 P8) computes it, batch first:
/// <code>
/// z_0 = ReLU(Drop_pio(sqrt(d) E[x_t]) + Drop_pio(P[t]))           (B, T, d)   E (V, d) token, P (Context, d) position embedding
/// z_l = Block_l(z_{l-1}, M)                                       (B, T, d)   post-norm blocks (<see cref="TransformerBlock"/>)
/// logits_t = Drop_pio(z_L) E^T + b                                (B, T, V)   tied: the output layer is E itself; b (V) a bias
/// loss = -(1 / BT) sum_t log softmax(logits_t)[x_{t+1}]           nats per token (cross-entropy over the full vocabulary)
/// </code>
/// M is the causal mask (position t sees positions &lt;= t). The ReLU on the input and the sqrt(d) scale are gm-hw1's.
/// Dropout p sits where (d) puts it (attention weights, residual branches, feed-forward hidden), p_io on the input
/// embeddings and the last hidden state; both are active only in training mode. Parameters: tok.weight (the one tensor
/// of input and output embedding when tied), pos.weight, blocks.{l}.attn.{q,k,v,o}.weight,
/// blocks.{l}.{norm1,ff1,ff2,norm2}.{weight,bias}, head.weight (untied only), bias.
/// Every tensor it makes lives on the device of its parameters: <c>model.To(Device.CUDA())</c> is enough.
/// </summary>
public sealed partial class TransformerLm : Module
{
    private readonly Embedding tok, pos;
    private readonly ModuleList blocks;
    private readonly Linear? head;

    /// <summary>Builds the model with gm-hw1's initialisation (weights N(0, InitStd²), biases 0) drawn from <paramref name="generator"/>, on the CPU.</summary>
    public TransformerLm(TransformerLmOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        Options = options;
        var std = options.InitStd;
        tok = RegisterModule("tok", TransformerInit.Embedding(options.Vocab, options.Width, generator, std));
        pos = RegisterModule("pos", TransformerInit.Embedding(options.Context, options.Width, generator, std));
        blocks = RegisterModule("blocks", new ModuleList());
        for (var l = 0; l < options.Layers; l++)
            blocks.Append(new TransformerBlock(options.Width, options.Heads, options.HeadDim, options.FeedForward, options.Dropout, generator, std));
        if (!options.Tied) head = RegisterModule("head", TransformerInit.Linear(options.Width, options.Vocab, bias: false, generator, std));
        RegisterParameter("bias", Torch.Torch.Zeros(new[] { options.Vocab }, ScalarType.Float32));
    }

    public TransformerLmOptions Options { get; }

    /// <summary>The token embedding E (V, d); with Tied also the output weight.</summary>
    public Tensor TokenEmbedding => tok.Weight;

    /// <summary>The output weight (V, d): E when tied, else head.weight.</summary>
    public Tensor OutputWeight => head?.Weight ?? tok.Weight;

    /// <summary>The output bias b (V).</summary>
    public Tensor OutputBias => GetParameter("bias")!;

    /// <summary>The device of the parameters (where inputs are moved and every intermediate is made).</summary>
    public Device Device => tok.Weight.Device;

    /// <summary>The number of trained scalars (a tied embedding counted once).</summary>
    public long ParameterCount => Utils.ParameterCount(this);

    /// <summary>
    /// z_L (B, T, d), the last hidden state before the output dropout, for ids <paramref name="input"/> (B, T) with
    /// T &lt;= Context. <paramref name="keyMask"/> (B, T) Bool, optional: false marks padding that no position may attend
    /// to (on top of causality); a padded query still attends to the real keys before it. Dropout masks come from
    /// <paramref name="generator"/> (null: libtorch's default generator).
    /// </summary>
    public Tensor Hidden(Tensor input, Tensor? keyMask = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = Scope.Begin();
        var x = OnDevice(CheckIds(input, nameof(input)));
        long b = x.Size(0), t = x.Size(1);
        var dev = Device;
        var z = tok.Forward(x) * Math.Sqrt(Options.Width);                                      // (B, T, d)
        var p = pos.Forward(Torch.Torch.Arange(t, ScalarType.Int64, dev));                       // (T, d)
        z = (DropIo(z, generator) + DropIo(p, generator)).Relu();                                // (B, T, d)
        var mask = AttentionMask(b, t, keyMask);
        foreach (var block in blocks) z = ((TransformerBlock)block).Forward(z, mask, generator); // (B, T, d)
        return z.MoveToOuterScope();
    }

    /// <summary>Module.Forward: <see cref="Logits"/> of ids (B, T), no key mask, the default generator for dropout.</summary>
    public override Tensor Forward(Tensor input) => Logits(input);

    /// <summary>The unnormalised next-token scores (B, T, V) for ids (B, T): logits[:, t] scores x_{t+1}.</summary>
    public Tensor Logits(Tensor input, Tensor? keyMask = null, Generator? generator = null)
    {
        using var scope = Scope.Begin();
        var z = DropIo(Hidden(input, keyMask, generator), generator);                           // (B, T, d)
        return Functional.Linear(z, OutputWeight, OutputBias).MoveToOuterScope();               // (B, T, V)
    }

    /// <summary>log p(x_{t+1} = v | x_&lt;=t) (B, T, V): log_softmax of <see cref="Logits"/> (gm-hw1's forward returns this).</summary>
    public Tensor LogProbs(Tensor input, Tensor? keyMask = null, Generator? generator = null)
    {
        using var scope = Scope.Begin();
        return Logits(input, keyMask, generator).LogSoftmax(-1).MoveToOuterScope();
    }

    /// <summary>
    /// The cross-entropy of windows <paramref name="tokens"/> (B, T + 1): inputs tokens[:, :-1], targets tokens[:, 1:];
    /// Mean: nats per token (the training loss), Sum: total nats. A scalar; pass it to the Trainer as the objective:
    /// <c>trainer.Fit(windows, (batch, ctx) => model.Loss(batch, ctx.Generator))</c>.
    /// </summary>
    public Tensor Loss(Tensor tokens, Generator? generator = null, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (reduction == Reduction.None) throw new ArgumentException("TransformerLm.Loss: use Mean (nats per token) or Sum (total nats); for per-token values call LogProbs", nameof(reduction));
        using var scope = Scope.Begin();
        var all = OnDevice(CheckIds(tokens, nameof(tokens)));
        long b = all.Size(0), t = all.Size(1) - 1;
        if (t < 1) throw new ArgumentException($"TransformerLm.Loss: windows need at least 2 ids (inputs and the next ids), got shape [{b}, {t + 1}]", nameof(tokens));
        var logits = Logits(all.Narrow(1, 0, t), null, generator);                              // (B, T, V)
        var target = all.Narrow(1, 1, t).Reshape(b * t);                                        // (B·T)
        return Functional.CrossEntropy(logits.Reshape(b * t, Options.Vocab), target, reduction: reduction).MoveToOuterScope();   // ()
    }

    /// <summary>dropout p_io when training (input and output embedding), else x itself.</summary>
    private Tensor DropIo(Tensor x, Generator? generator) =>
        Training && Options.EmbeddingDropout > 0 ? Functional.Dropout(x, Options.EmbeddingDropout, training: true, generator) : x;

    /// <summary>The mask every block uses: the additive causal bias (T, T), or with a key mask the Bool (B, 1, T, T) of causal AND key.</summary>
    private Tensor AttentionMask(long b, long t, Tensor? keyMask)
    {
        if (keyMask is null) return Functional.CausalBias(t, t, tok.Weight.Dtype, Device);      // (T, T)
        if (keyMask.Dtype != ScalarType.Bool || keyMask.Dim != 2 || keyMask.Size(0) != b || keyMask.Size(1) != t)
            throw new ArgumentException($"TransformerLm: keyMask must be Bool ({b}, {t}) like the input, true for real tokens; got {keyMask.Dtype} [{string.Join(", ", keyMask.Shape)}]", nameof(keyMask));
        var causal = Torch.Torch.Ones(new[] { t, t }, ScalarType.Bool, Device).Tril();          // (T, T)
        return causal & OnDevice(keyMask).Reshape(b, 1, 1, t);                                     // (B, 1, T, T)
    }

    private Tensor CheckIds(Tensor ids, string name)
    {
        if (ids.Dim != 2)
            throw new ArgumentException($"TransformerLm: {name} must be token ids (B, T), got shape [{string.Join(", ", ids.Shape)}]; unsqueeze a single sequence with .Unsqueeze(0)", name);
        if (ids.Dtype != ScalarType.Int64)
            throw new ArgumentException($"TransformerLm: {name} must hold token ids as Int64, got {ids.Dtype}; convert with .Long()", name);
        var len = name == "tokens" ? ids.Size(1) - 1 : ids.Size(1);
        if (len > Options.Context)
            throw new ArgumentException($"TransformerLm: {name} has {len} input positions but the model has position embeddings for Context = {Options.Context}; cut it into windows of at most {Options.Context}", name);
        return ids;
    }

    private Tensor OnDevice(Tensor t) => t.Device == Device ? t : t.To(Device);

    protected override string ExtraRepr() =>
        $"vocab={Options.Vocab}, context={Options.Context}, width={Options.Width}, heads={Options.Heads}, head_dim={Options.HeadDim}, " +
        $"layers={Options.Layers}, feed_forward={Options.FeedForward}, dropout={Options.Dropout}, embedding_dropout={Options.EmbeddingDropout}, tied={Options.Tied}";
}
