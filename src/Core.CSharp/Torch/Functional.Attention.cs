// Functional.Attention.cs: scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention), composed from matmul, masking, softmax and dropout.
namespace GenDsl.Torch;

public static partial class Functional
{
    /// <summary>
    /// Attention(Q, K, V) = softmax(Q K^T · scale + M) V (Vaswani et al. 2017, eq. 1; CSE 599i HW1 P8's Transformer block),
    /// with PyTorch's <c>F.scaled_dot_product_attention</c> arguments and semantics:
    /// query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev); the leading dims broadcast (batch, heads).
    /// <list type="bullet">
    /// <item><c>scale</c>: defaults to 1/sqrt(E).</item>
    /// <item><c>attnMask</c>, broadcastable to (..., L, S): a Bool mask is true where query i may attend to key j (false
    /// entries get -inf before the softmax); a floating mask is added to the scores (0 or -inf, or any bias).</item>
    /// <item><c>isCausal</c>: query i attends to keys j &lt;= i (the lower triangle, top-left aligned, as PyTorch). As in
    /// PyTorch it cannot be combined with <c>attnMask</c>: fold the triangle into the mask instead.</item>
    /// <item><c>dropoutP</c>: dropout on the attention weights, always applied when &gt; 0 (as PyTorch, whose modules pass
    /// 0 in evaluation); masks are drawn from <c>generator</c> (null: libtorch's default generator).</item>
    /// </list>
    /// A query whose keys are all masked gets NaN (the softmax of a row of -inf), as PyTorch's math path does.
    /// libtorch 1.13 has no fused kernel, so this is the math path: q·scale, one matmul, one masked add, softmax, matmul.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null,
        double dropoutP = 0, bool isCausal = false, double? scale = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (query.Dim < 2 || key.Dim < 2 || value.Dim < 2)
            throw new ArgumentException($"ScaledDotProductAttention: query, key and value need at least 2 dims (..., L, E); got {query.Dim}, {key.Dim} and {value.Dim}");
        long l = query.Size(query.Dim - 2), e = query.Size(query.Dim - 1);
        long s = key.Size(key.Dim - 2), ek = key.Size(key.Dim - 1);
        if (ek != e)
            throw new ArgumentException($"ScaledDotProductAttention: query has {e} features per position but key has {ek}; their last dims must agree");
        if (value.Size(value.Dim - 2) != s)
            throw new ArgumentException($"ScaledDotProductAttention: key has {s} positions but value has {value.Size(value.Dim - 2)}; they must agree");
        if (!(dropoutP >= 0 && dropoutP < 1))
            throw new ArgumentException($"ScaledDotProductAttention: dropoutP must be in [0, 1), got {dropoutP}");
        if (isCausal && attnMask is not null)
            throw new ArgumentException("ScaledDotProductAttention: give either isCausal or attnMask, not both (as PyTorch); AND the causal triangle into the mask");

        using var scope = Scope.Begin();
        var q = query * (scale ?? 1 / Math.Sqrt(e));                          // (..., L, E)
        var scores = q.MatMul(key.Transpose(-2, -1));                         // (..., L, S)
        if (isCausal) scores = scores + CausalBias(l, s, scores.Dtype, scores.Device);
        else if (attnMask is not null)
            scores = attnMask.Dtype == ScalarType.Bool
                ? scores.MaskedFill(attnMask.LogicalNot(), double.NegativeInfinity)
                : scores + attnMask;
        var weights = scores.Softmax(-1);                                     // (..., L, S)
        if (dropoutP > 0) weights = Dropout(weights, dropoutP, training: true, generator);
        return weights.MatMul(value).MoveToOuterScope();                      // (..., L, Ev)
    }

    /// <summary>The additive causal mask (L, S): 0 where j &lt;= i, -inf above the diagonal (PyTorch's top-left alignment).</summary>
    public static Tensor CausalBias(long l, long s, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using var scope = Scope.Begin();
        return Torch.Full(new[] { l, s }, double.NegativeInfinity, dtype, device).Triu(1).MoveToOuterScope();
    }
}
