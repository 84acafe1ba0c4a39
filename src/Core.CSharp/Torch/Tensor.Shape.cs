// Tensor.Shape.cs: views, reshapes, splits, rolls and tiles, slicing, indexing, gathers, scatters and index updates (PyTorch semantics).
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    public Tensor View(params long[] shape) => Wrap(gd_tensor_view(this, shape, shape.Length, out var r), r);
    public Tensor Reshape(params long[] shape) => Wrap(gd_tensor_reshape(this, shape, shape.Length, out var r), r);
    public Tensor Expand(params long[] shape) => Wrap(gd_tensor_expand(this, shape, shape.Length, out var r), r);
    public Tensor ExpandAs(Tensor other) => Expand(other.Shape);
    public Tensor Permute(params long[] dims) => Wrap(gd_tensor_permute(this, dims, dims.Length, out var r), r);
    public Tensor Transpose(long dim0, long dim1) => Wrap(gd_tensor_transpose(this, dim0, dim1, out var r), r);
    /// <summary>
    /// PyTorch's <c>.T</c>: a 2-D tensor transposed, a 0-D or 1-D tensor unchanged (a view). PyTorch reverses every dim
    /// of an n-D tensor (deprecated there); here n-D is refused so that a batch of matrices is never silently reversed:
    /// use <see cref="MT"/> for the batched matrix transpose, or Permute.
    /// </summary>
    public Tensor T
    {
        get
        {
            var n = Dim;
            if (n > 2)
                throw new ArgumentException($".T: the tensor is {n}-D [{string.Join(", ", Shape)}]; .T takes 0-D to 2-D tensors. " +
                    "Use .MT to transpose the last two dims (torch's .mT), or Permute to reverse the dims");
            var dims = new long[n];
            for (var i = 0; i < n; i++) dims[i] = n - 1 - i;
            return Permute(dims);
        }
    }
    /// <summary>PyTorch's <c>.mT</c>: the last two dims swapped, (*, m, n) -> (*, n, m); needs at least 2 dims.</summary>
    public Tensor MT => Dim >= 2 ? Transpose(-2, -1)
        : throw new ArgumentException($".MT: the tensor is {Dim}-D; .MT transposes matrices or batches of matrices (at least 2 dims)");
    public Tensor Unsqueeze(long dim) => Wrap(gd_tensor_unsqueeze(this, dim, out var r), r);
    public Tensor Squeeze() => Wrap(gd_tensor_squeeze(this, null, out var r), r);
    public Tensor Squeeze(long dim) => Wrap(gd_tensor_squeeze(this, new[] { dim }, out var r), r);
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(gd_tensor_flatten(this, startDim, endDim, out var r), r);

    public Tensor[] Chunk(long chunks, long dim = 0)
    {
        var hs = new IntPtr[chunks];
        Check(gd_tensor_chunk(this, chunks, dim, hs, out var n));
        var ts = new Tensor[n];
        for (var i = 0; i < n; i++) ts[i] = new Tensor(hs[i]);
        return ts;
    }

    /// <summary>torch.split(x, size, dim): views of <paramref name="size"/> along dim each, the last one shorter when size does not divide it.</summary>
    public Tensor[] Split(long size, long dim = 0)
    {
        if (size <= 0) throw new ArgumentException($"Split: size must be positive, got {size}");
        var hs = new IntPtr[Math.Max(1, Size((int)dim))];
        Check(gd_tensor_split(this, size, dim, hs, out var n));
        return Adopt(hs, n);
    }
    /// <summary>torch.split(x, [s0, s1, ...], dim): views of the given sizes along dim; they must add up to its length.</summary>
    public Tensor[] Split(long[] sizes, long dim = 0)
    {
        var hs = new IntPtr[sizes.Length];
        Check(gd_tensor_split_with_sizes(this, sizes, sizes.Length, dim, hs));
        return Adopt(hs, hs.Length);
    }
    /// <summary>torch.unbind(x, dim): the slices along dim, with that dim removed: (A, B, C) at dim 1 -> B tensors (A, C).</summary>
    public Tensor[] Unbind(long dim = 0)
    {
        var hs = new IntPtr[Size((int)dim)];
        Check(gd_tensor_unbind(this, dim, hs, out var n));
        return Adopt(hs, n);
    }
    private static Tensor[] Adopt(IntPtr[] hs, int n)
    {
        var ts = new Tensor[n];
        for (var i = 0; i < n; i++) ts[i] = new Tensor(hs[i]);
        return ts;
    }

    /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/> (that dim is removed); negative indices count from the end.</summary>
    public Tensor Select(long dim, long index) => Wrap(gd_tensor_select(this, dim, index, out var r), r);
    /// <summary>x[start:end:step] along dim; end is exclusive, clipped like Python slices.</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(gd_tensor_slice(this, dim, start, end, step, out var r), r);
    public Tensor Narrow(long dim, long start, long length) => Wrap(gd_tensor_narrow(this, dim, start, length, out var r), r);
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(gd_tensor_index_select(this, dim, index, out var r), r);

    /// <summary>
    /// Rows <paramref name="rows"/> of this uint8 CPU tensor (N, ...), every byte v replaced by
    /// <c>table[v]</c>: (rows.Length, ...) in the table's floating dtype. The same values as
    /// <c>table.Index(IndexSelect(0, rows).Long())</c>, in one pass and without an index tensor: a batch of bytes
    /// through a fixed per-byte map (a data set's pixel treatment).
    /// </summary>
    public Tensor IndexSelectMapped(long[] rows, Tensor table) =>
        Wrap(gd_tensor_index_select_mapped(this, rows, rows.LongLength, table, out var r), r);

    /// <summary>x[i] (first dim), x[i, j], ... — integer indexing, as in PyTorch.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[params long[] indices]
    {
        get
        {
            var t = this;
            for (var k = 0; k < indices.Length; k++)
            {
                var next = t.Select(0, indices[k]);
                if (!ReferenceEquals(t, this)) t.Dispose();
                t = next;
            }
            return ReferenceEquals(t, this) ? Alias() : t;
        }
    }

    /// <summary>Advanced indexing x[idx0, idx1, ...] with long or bool tensors; a null entry means ':'.</summary>
    public Tensor Index(params Tensor?[] indices)
    {
        var hs = new IntPtr[indices.Length];
        for (var i = 0; i < hs.Length; i++) hs[i] = indices[i]?.Ptr ?? IntPtr.Zero;
        var r = Wrap(gd_tensor_index(this, hs, hs.Length, out var h), h);
        GC.KeepAlive(indices);
        return r;
    }

    /// <summary>x[indices] = values (or += with accumulate), in place.</summary>
    public Tensor IndexPut_(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        var hs = new IntPtr[indices.Length];
        for (var i = 0; i < hs.Length; i++) hs[i] = indices[i]?.Ptr ?? IntPtr.Zero;
        Check(gd_tensor_index_put_(this, hs, hs.Length, values, accumulate ? 1 : 0));
        GC.KeepAlive(indices);
        return this;
    }

    public Tensor Gather(long dim, Tensor index) => Wrap(gd_tensor_gather(this, dim, index, out var r), r);
    public Tensor Scatter(long dim, Tensor index, Tensor src) => Wrap(gd_tensor_scatter(this, dim, index, src, out var r), r);
    public Tensor ScatterAdd(long dim, Tensor index, Tensor src) => Wrap(gd_tensor_scatter_add(this, dim, index, src, out var r), r);
    public Tensor MaskedFill(Tensor mask, Scalar value) => Wrap(gd_tensor_masked_fill(this, mask, value, out var r), r);
    public Tensor MaskedSelect(Tensor mask) => Wrap(gd_tensor_masked_select(this, mask, out var r), r);
    public Tensor Triu(long diagonal = 0) => Wrap(gd_tensor_triu(this, diagonal, out var r), r);
    public Tensor Tril(long diagonal = 0) => Wrap(gd_tensor_tril(this, diagonal, out var r), r);
    public Tensor Diagonal(long offset = 0, long dim1 = -2, long dim2 = -1) => Wrap(gd_tensor_diagonal(this, offset, dim1, dim2, out var r), r);
    /// <summary>A batch of diagonal matrices with this tensor's last dim on the diagonal.</summary>
    public Tensor DiagEmbed() => Wrap(gd_tensor_diag_embed(this, out var r), r);
    public Tensor Flip(params long[] dims) => Wrap(gd_tensor_flip(this, dims, dims.Length, out var r), r);
    public Tensor Repeat(params long[] repeats) => Wrap(gd_tensor_repeat(this, repeats, repeats.Length, out var r), r);
    public Tensor Nonzero() => Wrap(gd_tensor_nonzero(this, out var r), r);

    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        Check(gd_tensor_sort(this, dim, descending ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true)
    {
        Check(gd_tensor_topk(this, k, dim, largest ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>A new handle to the same storage (a view of the whole tensor).</summary>
    public Tensor Alias() => Wrap(gd_tensor_view(this, Shape, Dim, out var r), r);

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
