// GradSync.cs: gradient synchronisation of a module's parameters across a process group — bucketed all-reduce, weighted by each rank's share of the batch.
using GenDsl.Torch;
using GenDsl.Torch.NN;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Distributed;

/// <summary>
/// After each rank's backward on its shard, makes every rank's gradients the gradient of the global batch: for a loss
/// that is a mean over examples, L = Σ_r (n_r / N) L_r, so ∇L = Σ_r w_r ∇L_r with w_r = n_r / N the rank's share of
/// the N examples (1/W when the batch splits evenly: PyTorch DDP's average). The gradients are flattened into buckets
/// of at most BucketBytes (same dtype), one Gloo all-reduce per bucket, every bucket queued before the first wait,
/// and copied back. A parameter without a gradient on this rank counts as zeros (and gets a zero gradient), as DDP
/// does for unused parameters. Not overlapped with backward: the all-reduces start once backward has returned.
/// </summary>
public sealed class GradSync
{
    private readonly ProcessGroup group;
    private readonly Tensor[] parameters;

    public GradSync(ProcessGroup group, IEnumerable<Tensor> parameters, long bucketBytes = 25L << 20)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameters);
        if (bucketBytes < 1) throw new ArgumentException($"GradSync: bucketBytes must be at least 1 (got {bucketBytes}); PyTorch DDP uses 25 MB");
        (this.group, this.parameters, BucketBytes) = (group, parameters.ToArray(), bucketBytes);
    }

    /// <summary>For a module's parameters (<c>module.Parameters()</c>).</summary>
    public GradSync(ProcessGroup group, Module module, long bucketBytes = 25L << 20) : this(group, module.Parameters(), bucketBytes) { }

    public long BucketBytes { get; }

    /// <summary>grad ← Σ_r share_r · grad_r on every rank; share is this rank's n_r / N.</summary>
    public void Sync_(double share)
    {
        if (!(share >= 0 && share <= 1)) throw new ArgumentException($"GradSync.Sync_: the share of the batch must be in [0, 1] (got {share})");
        Check(gd_pg_sync_grads(group.Handle, Tensor.Handles(parameters), parameters.Length, share, BucketBytes));
        GC.KeepAlive(parameters);
    }

    /// <summary>grad ← the mean over ranks of grad (every rank had the same number of examples).</summary>
    public void Average_() => Sync_(1.0 / group.WorldSize);
}
