// TransformerLmOptions.cs: the settings of a TransformerLm (CSE 599i HW1 P8 / gm-hw1's notebook defaults) and their checks.
namespace GenDsl.Models;

/// <summary>
/// The shape of a <see cref="TransformerLm"/>. Defaults are gm-hw1's notebook: context 150, width 400, head size 40,
/// feed-forward 900, tied embeddings, configuration (b) of CSE 599i HW1 P8 (2 layers, 2 heads, no dropout).
/// (c) is <c>with { Layers = 16, Heads = 10 }</c>; (d) adds <c>Dropout = 0.2, EmbeddingDropout = 0.6</c>.
/// </summary>
public sealed record TransformerLmOptions
{
    /// <summary>V, the vocabulary size (33,278 for WikiText-2). Required.</summary>
    public long Vocab { get; init; }

    /// <summary>The longest input (positions 0 .. Context-1 get learned embeddings); 150 in gm-hw1.</summary>
    public long Context { get; init; } = 150;

    /// <summary>d, the model width (embedding and residual stream); 400.</summary>
    public long Width { get; init; } = 400;

    /// <summary>h, attention heads per block.</summary>
    public long Heads { get; init; } = 2;

    /// <summary>
    /// k, the size of each head; the attention projections are d -> h·k. gm-hw1 fixes k = 40 whatever h is (its notebook
    /// builds Transformer(context, V, 400, 40, 900, heads, depth)), so (b) attends in 2·40 = 80 dims and (c) in 10·40 = 400.
    /// </summary>
    public long HeadDim { get; init; } = 40;

    /// <summary>L, the number of blocks.</summary>
    public long Layers { get; init; } = 2;

    /// <summary>m, the hidden size of the feed-forward; 900.</summary>
    public long FeedForward { get; init; } = 900;

    /// <summary>p: dropout on the attention weights, both residual branches and the feed-forward hidden layer (0.2 in (d)).</summary>
    public double Dropout { get; init; }

    /// <summary>p_io: dropout on the token and position embeddings (input) and on the last hidden state (output); 0.6 in (d).</summary>
    public double EmbeddingDropout { get; init; }

    /// <summary>true: the output layer is the token embedding transposed (one tensor, gm-hw1's tied_weights=True).</summary>
    public bool Tied { get; init; } = true;

    /// <summary>The standard deviation of the normal initialisation of every weight matrix and embedding (gm-hw1: 0.02).</summary>
    public double InitStd { get; init; } = 0.02;

    /// <summary>Throws ArgumentException naming the option that is out of range and how to fix it.</summary>
    public void Validate()
    {
        static void Fail(string option, string message) => throw new ArgumentException($"TransformerLmOptions.{option}: {message}", option);
        if (Vocab < 1) Fail(nameof(Vocab), $"the vocabulary size must be at least 1 (got {Vocab}); WikiText-2 has 33,278 words");
        if (Context < 1) Fail(nameof(Context), $"must be at least 1 position (got {Context})");
        if (Width < 1) Fail(nameof(Width), $"must be at least 1 (got {Width})");
        if (Heads < 1) Fail(nameof(Heads), $"must be at least 1 head (got {Heads})");
        if (HeadDim < 1) Fail(nameof(HeadDim), $"must be at least 1 (got {HeadDim})");
        if (Layers < 0) Fail(nameof(Layers), $"must be >= 0 blocks (got {Layers})");
        if (FeedForward < 1) Fail(nameof(FeedForward), $"must be at least 1 (got {FeedForward})");
        if (!(Dropout >= 0 && Dropout < 1)) Fail(nameof(Dropout), $"must be a probability in [0, 1) (got {Dropout})");
        if (!(EmbeddingDropout >= 0 && EmbeddingDropout < 1)) Fail(nameof(EmbeddingDropout), $"must be a probability in [0, 1) (got {EmbeddingDropout})");
        if (!(InitStd > 0 && double.IsFinite(InitStd))) Fail(nameof(InitStd), $"must be finite and > 0 (got {InitStd})");
    }
}
