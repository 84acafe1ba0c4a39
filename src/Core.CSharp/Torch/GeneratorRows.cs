// GeneratorRows.cs: a generator restricted to some rows of a batch — a draw for those rows is the draw for the whole batch, cut to them (data-parallel noise equal to one process's).
namespace GenDsl.Torch;

/// <summary>
/// Positions <see cref="Rows"/> (0-based, increasing) of a batch of <see cref="Count"/> examples: the rows one rank of a
/// data-parallel run holds (rank r of W: r, r + W, r + 2W, ...).
/// </summary>
public sealed class BatchRows
{
    public BatchRows(long count, long[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0 || rows.Any(i => i < 0 || i >= count))
            throw new ArgumentException($"BatchRows: give at least one row, each in 0..{count - 1} (the batch has {count}); got [{string.Join(", ", rows)}]");
        (Count, Rows) = (count, rows);
    }

    /// <summary>N, the examples in the whole batch.</summary>
    public long Count { get; }

    /// <summary>The positions of this part in the whole batch.</summary>
    public long[] Rows { get; }

    /// <summary>Rows as an int64 index (n_r,) on <paramref name="device"/>.</summary>
    internal Tensor Index(Device device) => Torch.Tensor<long>(Rows, new long[] { Rows.Length }, device);
}

public sealed partial class Generator
{
    /// <summary>
    /// While set (the Trainer sets it for the data-parallel step of each rank: its data batch and its objective), a
    /// draw from this generator whose first dimension is Rows.Length — per-example noise for this rank's n_r examples
    /// — is made for the whole batch, shape (N, ...), and cut to Rows. So example i of the global batch gets the noise
    /// one process on the whole batch draws for it, and every rank's generator advances exactly as that process's
    /// does. Applies to <see cref="Torch.Rand(long[], Generator?, ScalarType?, Device?)"/>, Randn, RandInt, Bernoulli,
    /// Normal and Functional.Dropout; any other draw (first dimension not n_r, or Multinomial) is made as asked.
    /// </summary>
    public BatchRows? Rows { get; internal set; }

    /// <summary>Rows when a draw of <paramref name="shape"/> is per-example noise for them, else null.</summary>
    internal static BatchRows? RowsFor(Generator? g, ReadOnlySpan<long> shape) =>
        g?.Rows is { } r && shape.Length > 0 && shape[0] == r.Rows.Length ? r : null;

    /// <summary>shape with its first dimension made the whole batch's N.</summary>
    internal static long[] Whole(BatchRows r, ReadOnlySpan<long> shape)
    {
        var s = shape.ToArray();
        s[0] = r.Count;
        return s;
    }

    /// <summary>Rows of a whole-batch draw (N, ...) → (n_r, ...), on its device; the draw is disposed.</summary>
    internal static Tensor Cut(BatchRows r, Tensor whole)
    {
        using (whole)
        {
            using var index = r.Index(whole.Device);                                    // (n_r,)
            return whole.IndexSelect(0, index);                                         // (n_r, ...)
        }
    }

    /// <summary>
    /// probs (n_r, ...) placed at Rows of a (N, ...) tensor of zeros: libtorch's CPU Bernoulli takes one uniform draw per
    /// element whatever its probability, so the other rows only keep the stream where the whole batch's draw has it.
    /// </summary>
    internal static Tensor Spread(BatchRows r, Tensor probs)
    {
        using var index = r.Index(probs.Device);                                       // (n_r,)
        using var zeros = Torch.Zeros(Whole(r, probs.Shape), probs.Dtype, probs.Device); // (N, ...)
        return zeros.IndexCopy(0, index, probs.Detach());                              // (N, ...)
    }
}
