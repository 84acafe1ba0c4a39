// Records.cs: what the Trainer hands the objective (StepContext) and reports back (step, evaluation and run records, divergence).
using GenDsl.Torch;

namespace GenDsl.Training;

/// <summary>The scalar loss to minimise on one mini-batch (B, ...ExampleShape); randomness comes from ctx.Generator.</summary>
public delegate Tensor Objective(Tensor batch, StepContext ctx);

/// <summary>What one step's objective may use: the step, the epoch, the run's generator, a log of extra metrics.</summary>
public sealed class StepContext
{
    private readonly Dictionary<string, double> metrics = new();

    internal StepContext(long step, long epoch, Generator generator) => (Step, Epoch, Generator) = (step, epoch, generator);

    /// <summary>The step being taken, 1-based.</summary>
    public long Step { get; }

    /// <summary>The epoch the batch comes from, 0-based.</summary>
    public long Epoch { get; }

    /// <summary>
    /// The run's generator (seeded from TrainOptions.Seed, saved in checkpoints): draw per-step noise from it
    /// (reparameterisation noise, say); the data set draws its per-batch randomness (dynamic binarisation) from it too.
    /// In a data-parallel run it is restricted to this rank's rows of the global batch (<see cref="Generator.Rows"/>):
    /// a draw whose first dimension is the rank's batch size is made for the global batch and cut to the rank's rows,
    /// so draw per-example noise with the batch dimension first and every rank trains as one process would.
    /// </summary>
    public Generator Generator { get; }

    /// <summary>Records an extra metric of this step ("kl", "recon"); it appears in <see cref="StepRecord.Metrics"/>.</summary>
    public void Log(string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        metrics[name] = value;
    }

    /// <summary>
    /// Ends the fit now, without taking this step (the objective saw that training is over, e.g. converged): the
    /// returned loss is ignored and no evaluation or checkpoint follows. <see cref="TrainResult.StoppedEarly"/> is true.
    /// </summary>
    public void RequestStop() => StopRequested = true;

    internal bool StopRequested { get; private set; }
    internal IReadOnlyDictionary<string, double> Metrics => metrics;
}

/// <summary>
/// One optimizer step: its loss (before the update), the LR it used, the gradient norm before clipping (when
/// TrainOptions.ClipGradNorm is set), the metrics the objective logged, and its wall time.
/// </summary>
public sealed record StepRecord(long Step, long Epoch, double Loss, double LR, double? GradNorm, IReadOnlyDictionary<string, double> Metrics, double Seconds);

/// <summary>One evaluation after step <paramref name="Step"/>; IsBest: it improved TrainOptions.KeepBest.</summary>
public sealed record EvalRecord(long Step, long Epoch, IReadOnlyDictionary<string, double> Metrics, bool IsBest, double Seconds);

/// <summary>
/// The end of a <see cref="Trainer.Fit"/>: Steps is the run's position (counting steps before a resumed checkpoint),
/// Epochs the epochs begun; StepRecords and Evaluations hold what this call ran. StoppedEarly: ended before
/// TrainOptions.Steps (early stopping or a requested stop). BestStep: where KeepBest was best (its parameters are in the model).
/// </summary>
public sealed record TrainResult(long Steps, long Epochs, bool StoppedEarly, IReadOnlyList<StepRecord> StepRecords,
    IReadOnlyList<EvalRecord> Evaluations, long? BestStep, double Seconds);

/// <summary>The loss (or the gradient norm) was NaN or infinite at <see cref="Step"/>; that step was not taken.</summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(long step, string what, double value, string? checkpoint)
        : base($"the {what} was {Show(value)} at step {step}; the parameters were not updated at that step. " +
               "Lower the learning rate or clip gradients (TrainOptions.ClipGradNorm)" +
               (checkpoint is null ? "." : $"; the last checkpoint, {checkpoint}, is as it was before this step."))
        => Step = step;

    /// <summary>The 1-based step whose loss or gradient was not finite.</summary>
    public long Step { get; }

    private static string Show(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+inf" : "-inf";
}
