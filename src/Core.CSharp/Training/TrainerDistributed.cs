// TrainerDistributed.cs: the Trainer's data-parallel step — each rank's shard of the global batch, the ranks' agreement on loss, metrics and stops, gradients all-reduced before the optimizer step.
using GenDsl.Data;
using GenDsl.Distributed;
using GenDsl.Torch;

namespace GenDsl.Training;

public sealed partial class Trainer
{
    private ProcessGroup? group;
    private GradSync? gradSync;
    private OverlappedGradSync? overlapSync;   // DistributedOptions.OverlapBackward: all-reduces during backward
    private IReadOnlyDictionary<string, double>? stepMetrics;   // this step's metrics averaged over the ranks

    /// <summary>This process's rank (0 without TrainOptions.Distributed).</summary>
    public int Rank => options.Distributed?.Rank ?? 0;

    /// <summary>W, the number of ranks (1 without TrainOptions.Distributed).</summary>
    public int WorldSize => options.Distributed?.WorldSize ?? 1;

    /// <summary>The process group the trainer joined (null without TrainOptions.Distributed); the trainer disposes it.</summary>
    public ProcessGroup? Group => group;

    /// <summary>
    /// Joins the group of TrainOptions.Distributed and copies rank 0's state dict (parameters and buffers) into this
    /// rank's model, so every rank starts from the same parameters (DDP's broadcast at construction).
    /// </summary>
    private void JoinGroup(DistributedOptions dist)
    {
        group = ProcessGroup.Join(dist);
        try
        {
            group.BroadcastModule(Model, root: 0);
            if (dist.OverlapBackward) overlapSync = new OverlappedGradSync(group, parameters, dist.BucketBytes, Math.Min(dist.BucketBytes, OverlappedGradSync.DefaultFirstBucketBytes));
            else gradSync = new GradSync(group, parameters, dist.BucketBytes);
        }
        catch { group.Dispose(); group = null; throw; }
    }

    /// <summary>
    /// Rank r's part of a global batch: positions r, r + W, r + 2W, ... of the batch (so of the epoch's order): the
    /// ranks' parts are disjoint and together the whole batch. share = n_r / n, this rank's fraction of the batch.
    /// </summary>
    internal static long[] Shard(long[] batch, int rank, int world, out double share)
    {
        var part = new long[(batch.Length - rank + world - 1) / world];
        for (var i = 0; i < part.Length; i++) part[i] = batch[rank + i * world];
        share = (double)part.Length / batch.Length;
        return part;
    }

    /// <summary>
    /// One data-parallel step after ZeroGrad, every rank in lockstep: loss_r = objective(shard_r), with the run generator
    /// restricted to the shard's rows of the global batch (<see cref="Generator.Rows"/>); one all-reduce of
    /// [stop requested, share_r · loss_r, share_r · metric_r ...] makes the step's loss Σ_r share_r loss_r (the global
    /// batch's mean loss when the objective is a mean) and its metrics the same weighted average on every rank, and
    /// stops every rank when any objective requested it; the NaN guard then judges that global loss, so all ranks
    /// throw together; backward; <see cref="GradSync.Sync_"/> (grad = Σ_r share_r grad_r; with OverlapBackward the same
    /// through <see cref="OverlappedGradSync"/>, its all-reduces during backward); clipping of the synchronised
    /// gradients. Returns false when the step is not to be taken. The objective must log the same metric names on
    /// every rank.
    /// </summary>
    private bool DistributedStep(IDataset data, Objective objective, EpochOrder order, StepContext ctx, out double loss, out double? gradNorm)
    {
        var s = ctx.Step;
        var global = order.Indices(s);
        var idx = Shard(global, Rank, WorldSize, out var share);
        // A last batch smaller than the world leaves some ranks nothing: such a rank runs the objective on the batch's
        // first example with share 0 (its loss, metrics and gradient weigh nothing), so every rank still takes part in
        // each collective with the same metric names.
        var rows = Shard(Enumerable.Range(0, global.Length).Select(i => (long)i).ToArray(), Rank, WorldSize, out _);
        if (idx.Length == 0) (idx, rows) = (new[] { global[0] }, new[] { 0L });
        // The run generator, identical on every rank, is restricted to this rank's rows of the global batch while the
        // batch is made and the objective runs: per-example noise (dynamic binarisation, reparameterisation, dropout)
        // is drawn for the whole batch and cut to these rows (GeneratorRows.cs), so example i gets the noise a single
        // process draws for it and every rank's generator stays in the single process's state.
        Tensor lossTensor;
        runGenerator.Rows = WorldSize > 1 ? new BatchRows(global.Length, rows) : null;
        try
        {
            var batch = data.Batch(idx, runGenerator);
            lossTensor = objective(batch, ctx)
                         ?? throw new InvalidOperationException($"Trainer.Fit: the objective returned null at step {s}; return the scalar loss tensor");
        }
        finally { runGenerator.Rows = null; }
        (loss, gradNorm) = (double.NaN, null);
        double localLoss = double.NaN;
        if (!ctx.StopRequested)
        {
            CheckScalar(lossTensor, s);
            localLoss = lossTensor.ToDouble();
        }
        var keys = ctx.Metrics.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var v = new double[2 + keys.Length];
        v[0] = ctx.StopRequested ? 1 : 0;
        v[1] = ctx.StopRequested ? 0 : share * localLoss;
        for (var i = 0; i < keys.Length; i++) v[2 + i] = share * ctx.Metrics[keys[i]];
        v = group!.AllReduceSum(v);
        if (v[0] > 0) return false;
        loss = v[1];
        if (!double.IsFinite(loss)) throw new TrainingDivergedException(s, "loss", loss, CheckpointIfWritten());
        stepMetrics = keys.Select((k, i) => (k, v[2 + i])).ToDictionary(x => x.k, x => x.Item2);
        if (overlapSync is { } o)
        {
            o.Arm(share);
            lossTensor.Backward();
            o.Finish_();
        }
        else
        {
            lossTensor.Backward();
            gradSync!.Sync_(share);
        }
        gradNorm = Clip(s, parameters, "gradient norm");
        return true;
    }

    /// <summary>
    /// A data-parallel checkpoint, a collective: every rank's run generator state is gathered (row r of a (W, S) uint8
    /// tensor that is zero elsewhere, summed over the ranks), then rank 0 alone writes the file with them as
    /// "rng.run.rank&lt;r&gt;" and "trainer.world_size". The model and optimizer are rank 0's (every rank holds the same).
    /// </summary>
    private void SaveDistributedCheckpoint(string path)
    {
        using var scope = Scope.Begin();
        var mine = runGenerator.GetState();                                    // (S,)
        var all = Torch.Torch.Zeros(new[] { WorldSize, mine.NumEl }, mine.Dtype); // (W, S)
        all.Select(0, Rank).Copy_(mine);
        group!.AllReduce_(all);
        if (Rank != 0) return;
        var extra = new Dictionary<string, Tensor> { ["trainer.world_size"] = Long(WorldSize) };
        for (var r = 0; r < WorldSize; r++) extra[$"rng.run.rank{r}"] = all.Select(0, r).Clone();
        WriteCheckpoint(path, extra);
    }

    /// <summary>
    /// The run generator state this rank resumes with: its own "rng.run.rank&lt;r&gt;" when the checkpoint has one (same
    /// or larger world size), else rank 0's "rng.run" (a single-process checkpoint, or a rank the run did not have).
    /// Every rank's generator draws what a single process draws (per-example noise for the whole global batch, cut to
    /// the rank's rows), so the states agree and a resume with any world size continues that single process's noise;
    /// the per-rank copies keep a resume with the same world size bit-identical even for draws that are not per-example.
    /// </summary>
    private Tensor RunStateForThisRank(IReadOnlyDictionary<string, Tensor> checkpoint, Tensor rank0State) =>
        checkpoint.TryGetValue($"rng.run.rank{Rank}", out var own) ? own : rank0State;

    /// <summary>true on every rank when it is true on any rank (a stop one rank's callback asked for).</summary>
    private bool AnyRank(bool flag) => group!.AllReduceSum(new[] { flag ? 1.0 : 0.0 })[0] > 0;

    /// <summary>The evaluation metrics averaged over the ranks (equal when every rank evaluates the same data).</summary>
    private Dictionary<string, double> AverageOverRanks(Dictionary<string, double> metrics)
    {
        var keys = metrics.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var sums = group!.AllReduceSum(keys.Select(k => metrics[k]).ToArray());
        return keys.Select((k, i) => (k, sums[i] / WorldSize)).ToDictionary(x => x.k, x => x.Item2);
    }
}
