// TransformerBlock.cs: gm-hw1's Transformer block (CSE 599i HW1 P8) — multi-head causal self-attention and a ReLU feed-forward, each added back and LayerNormed (post-norm).
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// Multi-head self-attention without biases, as gm-hw1's block (wq, wk, wv: d -> h·k, wc: h·k -> d), named q, k, v, o:
/// <code>
/// Q_i = x W_q,i,  K_i = x W_k,i,  V_i = x W_v,i                       (each (B, T, k), i = 1..h)
/// head_i = Drop_p(softmax(Q_i K_i^T / sqrt(k) + M)) V_i               (M: 0 where key j may be seen from i, else -inf)
/// out = [head_1 .. head_h] W_o                                        ((B, T, d))
/// </code>
/// The mask M comes from the caller (<see cref="TransformerLm"/> builds it once per forward, causal by default).
/// </summary>
public sealed class MultiHeadSelfAttention : Module
{
    private readonly Linear q, k, v, o;

    public MultiHeadSelfAttention(long width, long heads, long headDim, double dropout, Generator generator, double initStd)
    {
        (Heads, HeadDim, DropoutP) = (heads, headDim, dropout);
        q = RegisterModule("q", TransformerInit.Linear(width, heads * headDim, bias: false, generator, initStd));
        k = RegisterModule("k", TransformerInit.Linear(width, heads * headDim, bias: false, generator, initStd));
        v = RegisterModule("v", TransformerInit.Linear(width, heads * headDim, bias: false, generator, initStd));
        o = RegisterModule("o", TransformerInit.Linear(heads * headDim, width, bias: false, generator, initStd));
    }

    public long Heads { get; }
    public long HeadDim { get; }
    public double DropoutP { get; }

    /// <summary>x (B, T, d) -> (B, T, d); <paramref name="mask"/> as <see cref="Functional.ScaledDotProductAttention"/>'s attnMask.</summary>
    public Tensor Forward(Tensor x, Tensor? mask, Generator? generator = null)
    {
        using var scope = Scope.Begin();
        long b = x.Size(0), t = x.Size(1);
        var qh = q.Forward(x).View(b, t, Heads, HeadDim).Transpose(1, 2);     // (B, h, T, k)
        var kh = k.Forward(x).View(b, t, Heads, HeadDim).Transpose(1, 2);     // (B, h, T, k)
        var vh = v.Forward(x).View(b, t, Heads, HeadDim).Transpose(1, 2);     // (B, h, T, k)
        var a = Functional.ScaledDotProductAttention(qh, kh, vh, mask, Training ? DropoutP : 0, generator: generator);   // (B, h, T, k)
        var joined = a.Transpose(1, 2).Reshape(b, t, Heads * HeadDim);       // (B, T, h·k)
        return o.Forward(joined).MoveToOuterScope();                          // (B, T, d)
    }

    protected override string ExtraRepr() => $"heads={Heads}, head_dim={HeadDim}, dropout={DropoutP}";
}

/// <summary>
/// One block, <b>post-norm</b> as gm-hw1 has it (its scaffold pairs LayerNorm 1 and 2 with residual dropouts 1 and 2 and
/// puts no LayerNorm after the last block, which a pre-norm stack needs), with a ReLU feed-forward (gm-hw1 uses ReLU; it
/// has no GELU) and dropout p where (d) puts it — the attention weights, each residual branch, the feed-forward hidden layer:
/// <code>
/// h   = LayerNorm_1(x + Drop_p(Attention(x)))
/// out = LayerNorm_2(h + Drop_p(W_2 Drop_p(ReLU(W_1 h + b_1)) + b_2))
/// </code>
/// Submodules: attn (q, k, v, o), norm1, ff1, ff2, norm2.
/// </summary>
public sealed class TransformerBlock : Module
{
    private readonly MultiHeadSelfAttention attn;
    private readonly LayerNorm norm1, norm2;
    private readonly Linear ff1, ff2;

    public TransformerBlock(long width, long heads, long headDim, long feedForward, double dropout, Generator generator, double initStd = 0.02)
    {
        DropoutP = dropout;
        attn = RegisterModule("attn", new MultiHeadSelfAttention(width, heads, headDim, dropout, generator, initStd));
        norm1 = RegisterModule("norm1", new LayerNorm(width));
        ff1 = RegisterModule("ff1", TransformerInit.Linear(width, feedForward, bias: true, generator, initStd));
        ff2 = RegisterModule("ff2", TransformerInit.Linear(feedForward, width, bias: true, generator, initStd));
        norm2 = RegisterModule("norm2", new LayerNorm(width));
    }

    public double DropoutP { get; }
    public MultiHeadSelfAttention Attention => attn;

    /// <summary>x (B, T, d) -> (B, T, d).</summary>
    public Tensor Forward(Tensor x, Tensor? mask, Generator? generator = null)
    {
        using var scope = Scope.Begin();
        var h = norm1.Forward(x + Drop(attn.Forward(x, mask, generator), generator));                 // (B, T, d)
        var f = ff2.Forward(Drop(ff1.Forward(h).Relu(), generator));                                  // (B, T, d)
        return norm2.Forward(h + Drop(f, generator)).MoveToOuterScope();                              // (B, T, d)
    }

    private Tensor Drop(Tensor x, Generator? generator) =>
        Training && DropoutP > 0 ? Functional.Dropout(x, DropoutP, training: true, generator) : x;
}

/// <summary>gm-hw1's initialisation: weights ~ N(0, 0.02²) (nn.init.normal_(w, 0, .02)), biases 0; LayerNorms keep (1, 0).</summary>
internal static class TransformerInit
{
    internal static Linear Linear(long inFeatures, long outFeatures, bool bias, Generator generator, double std)
    {
        var l = new Linear(inFeatures, outFeatures, bias, generator);
        Init.Normal_(l.Weight, 0, std, generator);
        if (l.Bias is { } b) Init.Zeros_(b);
        return l;
    }

    internal static Embedding Embedding(long count, long dim, Generator generator, double std)
    {
        var e = new Embedding(count, dim, generator: generator);
        Init.Normal_(e.Weight, 0, std, generator);
        return e;
    }
}
