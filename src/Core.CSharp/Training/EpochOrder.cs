// EpochOrder.cs: which example indices make batch b of epoch e — a permutation that depends only on (seed, epoch), so a resumed run continues it.
using GenDsl.Torch;

namespace GenDsl.Training;

/// <summary>
/// The data order of a run over N examples in batches of B: epoch e visits the permutation randperm(N) drawn from a
/// generator seeded with mix(seed, e) (or 0..N-1 without shuffling), cut into ceil(N / B) batches, or floor(N / B)
/// with dropLast. Step s (1-based) takes batch (s - 1) mod batchesPerEpoch of epoch (s - 1) div batchesPerEpoch, so
/// the order at any step is a function of the step alone: no sampler state needs saving.
/// </summary>
internal sealed class EpochOrder
{
    private readonly long n;
    private readonly int batchSize;
    private readonly bool shuffle;
    private readonly ulong seed;
    private long cachedEpoch = -1;
    private long[] permutation = Array.Empty<long>();

    public EpochOrder(long count, int batchSize, bool shuffle, bool dropLast, ulong seed)
    {
        if (count < 1) throw new ArgumentException("Trainer.Fit: the data set is empty; give it at least one example");
        if (dropLast && count < batchSize)
            throw new ArgumentException($"Trainer.Fit: with DropLast every batch needs BatchSize = {batchSize} examples but the data set has {count}; lower BatchSize or set DropLast = false");
        (n, this.batchSize, this.shuffle, this.seed) = (count, batchSize, shuffle, seed);
        BatchesPerEpoch = dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
    }

    public long BatchesPerEpoch { get; }

    /// <summary>The 0-based epoch of 1-based step <paramref name="step"/>.</summary>
    public long EpochOf(long step) => (step - 1) / BatchesPerEpoch;

    /// <summary>The example indices of 1-based step <paramref name="step"/>.</summary>
    public long[] Indices(long step)
    {
        var epoch = EpochOf(step);
        var b = (step - 1) % BatchesPerEpoch;
        var start = b * batchSize;
        var len = (int)Math.Min(batchSize, n - start);
        var idx = new long[len];
        if (!shuffle)
        {
            for (var i = 0; i < len; i++) idx[i] = start + i;
            return idx;
        }
        if (epoch != cachedEpoch)
        {
            using var g = new Generator(Mix(seed, epoch));
            using var p = Torch.Torch.RandPerm(n, g);
            permutation = p.ToArray<long>();
            cachedEpoch = epoch;
        }
        Array.Copy(permutation, start, idx, 0, len);
        return idx;
    }

    /// <summary>SplitMix64 of seed and epoch: nearby (seed, epoch) pairs give unrelated permutation seeds.</summary>
    internal static ulong Mix(ulong seed, long epoch)
    {
        var z = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
