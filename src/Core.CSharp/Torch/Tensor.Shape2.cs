// Tensor.Shape2.cs: the shape and indexing ops of issue 14 — tensor_split, movedim/swapaxes, broadcast_to, unflatten,
// roll, tile, take_along_dim, index_add/index_copy, scatter_reduce.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    /// <summary>
    /// torch.tensor_split(x, sections, dim): exactly <paramref name="sections"/> views along dim, the first (len % sections)
    /// one element longer (np.array_split; Split takes a piece size instead).
    /// </summary>
    public Tensor[] TensorSplit(long sections, long dim = 0)
    {
        if (sections <= 0) throw new ArgumentException($"TensorSplit: sections must be positive, got {sections}");
        var hs = new IntPtr[sections];
        Check(gd_tensor_tensor_split(this, sections, dim, hs, out var n));
        return Adopt(hs, n);
    }
    /// <summary>torch.tensor_split(x, [i0, i1, ...], dim): views x[:i0], x[i0:i1], ..., x[ik:] along dim (k + 1 pieces).</summary>
    public Tensor[] TensorSplit(long[] indices, long dim = 0)
    {
        var hs = new IntPtr[indices.Length + 1];
        Check(gd_tensor_tensor_split_indices(this, indices, indices.Length, dim, hs, out var n));
        return Adopt(hs, n);
    }
    /// <summary>Moves dims source[i] to positions destination[i], the others keeping their order (a view).</summary>
    public Tensor MoveDim(long[] source, long[] destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"MoveDim: {source.Length} source dims but {destination.Length} destinations; give one destination per source");
        return Wrap(gd_tensor_movedim(this, source, destination, source.Length, out var r), r);
    }
    public Tensor MoveDim(long source, long destination) => MoveDim(new[] { source }, new[] { destination });
    /// <summary>torch.swapaxes / swapdims: an alias of Transpose.</summary>
    public Tensor SwapAxes(long axis0, long axis1) => Transpose(axis0, axis1);
    public Tensor SwapDims(long dim0, long dim1) => Transpose(dim0, dim1);
    /// <summary>torch.broadcast_to: a view expanded to shape by broadcasting rules (-1 keeps a dim).</summary>
    public Tensor BroadcastTo(params long[] shape) => Expand(shape);
    /// <summary>Splits dim into sizes (one may be -1): (A, B*C) unflatten(1, [B, C]) -> (A, B, C).</summary>
    public Tensor Unflatten(long dim, params long[] sizes) => Wrap(gd_tensor_unflatten(this, dim, sizes, sizes.Length, out var r), r);
    /// <summary>Rolls elements along dims by shifts (wrapping round); without dims, the flattened tensor rolls and keeps its shape.</summary>
    public Tensor Roll(long[] shifts, long[]? dims = null) =>
        Wrap(gd_tensor_roll(this, shifts, dims ?? Array.Empty<long>(), shifts.Length, dims?.Length ?? 0, out var r), r);
    public Tensor Roll(long shift, long dim) => Roll(new[] { shift }, new[] { dim });
    /// <summary>Repeats the tensor reps times per dim; fewer reps than dims pad reps with leading 1s (torch.tile, unlike Repeat).</summary>
    public Tensor Tile(params long[] reps) => Wrap(gd_tensor_tile(this, reps, reps.Length, out var r), r);
    /// <summary>Picks values at indices along dim, indices broadcast against this (np.take_along_axis); without dim, on the flattened tensor.</summary>
    public Tensor TakeAlongDim(Tensor indices, long? dim = null) =>
        Wrap(gd_tensor_take_along_dim(this, indices, dim is { } d ? new[] { d } : null, out var r), r);
    /// <summary>A copy with alpha * source[i] added to the slice index[i] along dim (repeated indices accumulate).</summary>
    public Tensor IndexAdd(long dim, Tensor index, Tensor source, Scalar? alpha = null) =>
        Wrap(gd_tensor_index_add(this, dim, index, source, alpha ?? 1, out var r), r);
    public Tensor IndexAdd_(long dim, Tensor index, Tensor source, Scalar? alpha = null)
    {
        Check(gd_tensor_index_add_(this, dim, index, source, alpha ?? 1));
        return this;
    }
    /// <summary>A copy with the slice index[i] along dim replaced by source[i].</summary>
    public Tensor IndexCopy(long dim, Tensor index, Tensor source) => Wrap(gd_tensor_index_copy(this, dim, index, source, out var r), r);
    public Tensor IndexCopy_(long dim, Tensor index, Tensor source)
    {
        Check(gd_tensor_index_copy_(this, dim, index, source));
        return this;
    }
    /// <summary>
    /// Scatters src into a copy of this along dim at index, combining with <paramref name="reduce"/> ("sum", "prod", "mean",
    /// "amax", "amin"); includeSelf decides whether this tensor's values take part (torch.scatter_reduce).
    /// </summary>
    public Tensor ScatterReduce(long dim, Tensor index, Tensor src, string reduce, bool includeSelf = true)
    {
        if (reduce is not ("sum" or "prod" or "mean" or "amax" or "amin"))
            throw new ArgumentException($"ScatterReduce: reduce '{reduce}' is unknown; use sum, prod, mean, amax or amin");
        return Wrap(gd_tensor_scatter_reduce(this, dim, index, src, reduce, includeSelf ? 1 : 0, out var r), r);
    }
}
