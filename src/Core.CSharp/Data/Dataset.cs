// Dataset.cs: what the trainer draws mini-batches from — a count and a batch for given example indices.
using GenDsl.Torch;

namespace GenDsl.Data;

/// <summary>
/// A finite data set of N examples, as torch.utils.data.Dataset with a batched __getitem__. The trainer (or
/// EM) asks for batches by index; a data set whose examples are random per draw (dynamic binarisation,
/// dequantisation) draws that randomness from the generator it is given, so a seeded run is repeatable.
/// </summary>
public interface IDataset
{
    /// <summary>N, the number of examples.</summary>
    long Count { get; }

    /// <summary>The shape of one example (e.g. [784] or [1, 28, 28]).</summary>
    long[] ExampleShape { get; }

    /// <summary>The examples at <paramref name="indices"/>, stacked: (B, ...ExampleShape). Made in the caller's scope.</summary>
    Tensor Batch(long[] indices, Generator generator);

    /// <summary>Integer labels of the examples at <paramref name="indices"/> (B,), or null when the data has none.</summary>
    Tensor? Labels(long[] indices) => null;
}

/// <summary>A data set over one tensor (N, ...) held in memory, with optional labels (N,).</summary>
public sealed class TensorDataset : IDataset
{
    private readonly Tensor data;
    private readonly Tensor? labels;

    public TensorDataset(Tensor data, Tensor? labels = null)
    {
        if (data.Dim < 1) throw new ArgumentException("TensorDataset: the data needs a first (example) dimension");
        if (labels is not null && (labels.Dim != 1 || labels.Size(0) != data.Size(0)))
            throw new ArgumentException($"TensorDataset: labels must be ({data.Size(0)}), got [{string.Join(", ", labels.Shape)}]");
        this.data = data.DetachFromScope();
        this.labels = labels?.DetachFromScope();
    }

    public long Count => data.Size(0);
    public long[] ExampleShape => data.Shape[1..];
    public Tensor All => data;

    public Tensor Batch(long[] indices, Generator generator)
    {
        using var idx = Torch.Torch.Tensor<long>(indices, indices.LongLength);
        return data.IndexSelect(0, idx);
    }

    public Tensor? Labels(long[] indices)
    {
        if (labels is null) return null;
        using var idx = Torch.Torch.Tensor<long>(indices, indices.LongLength);
        return labels.IndexSelect(0, idx);
    }
}
