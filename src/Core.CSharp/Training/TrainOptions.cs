// TrainOptions.cs: the settings of one Trainer run (steps, batches, data order, clipping, evaluation, keep-best, checkpoints, data parallelism) and their checks.
using GenDsl.Distributed;

namespace GenDsl.Training;

/// <summary>
/// How a <see cref="Trainer"/> runs: <c>new TrainOptions { Steps = 5000, BatchSize = 128, Seed = 1, ClipGradNorm = 1.0 }</c>.
/// The optimizer and the schedule are not options: the trainer is given functions that build them.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Total optimizer steps of the run (>= 1), counting the steps before a resumed checkpoint.</summary>
    public long Steps { get; init; }

    /// <summary>Examples per mini-batch. Without <see cref="DropLast"/> the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>true: a new permutation of the examples each epoch (derived from Seed and the epoch); false: 0..N-1 in order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>true: drop an epoch's last batch when it is smaller than BatchSize (PyTorch's drop_last).</summary>
    public bool DropLast { get; init; }

    /// <summary>Seeds the data order and the run's generator (per-step randomness handed to the objective and the data set).</summary>
    public ulong Seed { get; init; }

    /// <summary>When set, clip_grad_norm_ to this 2-norm before each step (and the step's gradient norm is reported).</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Evaluate every this many steps; 0: only at the end. Evaluation always runs after the last step.</summary>
    public long EvalEvery { get; init; }

    /// <summary>The evaluation metric to keep the best parameters by (null: keep the last ones).</summary>
    public string? KeepBest { get; init; }

    /// <summary>false: a lower KeepBest metric is better (a loss); true: higher is better (an accuracy, a log-likelihood).</summary>
    public bool KeepBestMaximize { get; init; }

    /// <summary>Stop after this many evaluations in a row without improving KeepBest (needs KeepBest).</summary>
    public long? EarlyStopPatience { get; init; }

    /// <summary>0: no checkpoints; else write &lt;CheckpointDir&gt;/last.pt every this many steps and after the last step.</summary>
    public long CheckpointEvery { get; init; }

    public string? CheckpointDir { get; init; }

    /// <summary>
    /// Data parallelism (null: one process). BatchSize is then the global batch: each of the W ranks takes
    /// BatchSize / W of it (rank r: positions r, r + W, ... of the epoch's order), gradients are averaged across ranks
    /// before each optimizer step, and only rank 0 writes checkpoints. See <see cref="Trainer"/>.
    /// </summary>
    public DistributedOptions? Distributed { get; init; }

    /// <summary>Throws ArgumentException naming the option that is out of range and how to fix it.</summary>
    internal void Validate()
    {
        static void Fail(string option, string message) => throw new ArgumentException($"TrainOptions.{option}: {message}", option);
        if (Steps < 1) Fail(nameof(Steps), $"the number of optimizer steps must be at least 1 (got {Steps})");
        if (BatchSize < 1) Fail(nameof(BatchSize), $"the mini-batch size must be at least 1 (got {BatchSize})");
        if (ClipGradNorm is { } c && !(c > 0 && !double.IsInfinity(c)))
            Fail(nameof(ClipGradNorm), $"the largest gradient norm must be finite and > 0, or null for no clipping (got {c})");
        if (EvalEvery < 0) Fail(nameof(EvalEvery), $"must be >= 0; 0 evaluates only after the last step (got {EvalEvery})");
        if (KeepBest is { Length: 0 }) Fail(nameof(KeepBest), "give the name of a metric the evaluation returns, or null");
        if (EarlyStopPatience is { } p)
        {
            if (p < 1) Fail(nameof(EarlyStopPatience), $"must be at least 1 evaluation (got {p})");
            if (KeepBest is null) Fail(nameof(EarlyStopPatience), "early stopping watches the KeepBest metric: set KeepBest too");
        }
        if (CheckpointEvery < 0) Fail(nameof(CheckpointEvery), $"must be >= 0; 0 writes no checkpoints (got {CheckpointEvery})");
        if (CheckpointEvery > 0 && string.IsNullOrWhiteSpace(CheckpointDir))
            Fail(nameof(CheckpointDir), $"CheckpointEvery = {CheckpointEvery} needs a folder to write last.pt into");
        if (Distributed is { } d)
        {
            d.Validate();
            if (BatchSize % d.WorldSize != 0)
                Fail(nameof(BatchSize), $"the global batch of {BatchSize} is split evenly over Distributed.WorldSize = {d.WorldSize} ranks; choose a multiple of {d.WorldSize}");
        }
    }
}
