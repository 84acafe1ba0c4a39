// Records.cs: what the Trainer hands the objective (StepContext) and reports back (step, evaluation and run records, divergence).
using GenDsl.Data;
using GenDsl.Torch;
using GenDsl.Torch.Optim;

namespace GenDsl.Training;

/// <summary>The scalar loss to minimise on one mini-batch (B, ...ExampleShape); randomness comes from ctx.Generator.</summary>
public delegate Tensor Objective(Tensor batch, StepContext ctx);

/// <summary>One player of a game: its name (in metrics, messages and checkpoints), its parameters and its optimizer.</summary>
public sealed record Player(string Name, IEnumerable<Tensor> Parameters, Func<IEnumerable<Tensor>, Optimizer> MakeOptimizer);

/// <summary>One step of a game between players (a GAN's discriminator and generator): it draws batches and updates players.</summary>
public delegate void Game(GameStep step);

/// <summary>
/// What a game's step may do: draw batches in the epoch order, and update players from losses — one at a time
/// (<see cref="Update"/>: alternating steps see each other's updates) or together from the same parameters
/// (<see cref="UpdateTogether"/>: simultaneous steps).
/// </summary>
public sealed class GameStep
{
    private readonly Trainer trainer;
    private readonly IDataset data;
    private readonly EpochOrder order;

    internal GameStep(Trainer trainer, IDataset data, EpochOrder order, StepContext context) =>
        (this.trainer, this.data, this.order, Context) = (trainer, data, order, context);

    /// <summary>The step, epoch, run generator and metric log, as an objective gets them.</summary>
    public StepContext Context { get; }

    /// <summary>The run's generator (<see cref="StepContext.Generator"/>).</summary>
    public Generator Generator => Context.Generator;

    /// <summary>The next batch of the epoch order (each call takes a new one).</summary>
    public Tensor NextBatch() => trainer.NextBatch(data, order);

    internal int Updates { get; private set; }
    internal double LastLoss { get; private set; } = double.NaN;

    /// <summary>One update of `player`: zero its gradients, backpropagate `loss` (a scalar), clip, step; returns the loss.</summary>
    public double Update(string player, Tensor loss) => UpdateTogether((player, loss))[0];

    /// <summary>
    /// Updates several players from their losses at the same parameters: each player's gradients are those of its own
    /// loss alone (the others' are cleared before each backward pass and restored after), then each clips and steps.
    /// Returns the losses in order. A NaN or infinite loss throws <see cref="TrainingDivergedException"/> before any update.
    /// </summary>
    public double[] UpdateTogether(params (string Player, Tensor Loss)[] moves)
    {
        ArgumentNullException.ThrowIfNull(moves);
        var s = Context.Step;
        var idx = moves.Select(m => trainer.PlayerIndex(m.Player)).ToArray();
        if (idx.Distinct().Count() != idx.Length) throw new ArgumentException("GameStep.UpdateTogether: each player moves at most once per call", nameof(moves));
        var values = new double[moves.Length];
        for (var i = 0; i < moves.Length; i++)
        {
            var l = moves[i].Loss ?? throw new ArgumentNullException(nameof(moves), $"GameStep: the loss of player '{moves[i].Player}' is null");
            if (l.NumEl != 1) throw new ArgumentException($"GameStep: player '{moves[i].Player}''s loss must be a scalar, got shape [{string.Join(", ", l.Shape)}] at step {s}; reduce it with .Mean()");
            values[i] = l.ToDouble();
            if (!double.IsFinite(values[i])) throw new TrainingDivergedException(s, moves[i].Player + " loss", values[i], trainer.CheckpointIfWritten());
        }
        var grads = new Tensor?[moves.Length][];
        for (var i = 0; i < moves.Length; i++)
        {
            foreach (var j in idx) trainer.OptimizerAt(j).ZeroGrad();
            moves[i].Loss.Backward(retainGraph: i < moves.Length - 1);
            grads[i] = moves.Length == 1 ? Array.Empty<Tensor?>() : trainer.ParametersOf(idx[i]).Select(p => p.Grad?.Clone()).ToArray();
        }
        if (moves.Length > 1)
            for (var i = 0; i < moves.Length; i++)
            {
                var ps = trainer.ParametersOf(idx[i]);
                for (var k = 0; k < ps.Length; k++) ps[k].Grad = grads[i][k];
            }
        for (var i = 0; i < moves.Length; i++)
        {
            var norm = trainer.StepPlayer(idx[i], s);
            Context.Log(moves[i].Player + "_loss", values[i]);
            if (norm is { } n) Context.Log(moves[i].Player + "_grad_norm", n);
        }
        Updates += moves.Length;
        LastLoss = values[^1];
        return values;
    }
}

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
/// The end of a <see cref="Trainer.Fit(GenDsl.Data.IDataset, Objective)"/>: Steps is the run's position (counting steps before a resumed checkpoint),
/// Epochs the epochs begun; StepRecords and Evaluations hold what this call ran. StoppedEarly: ended before
/// TrainOptions.Steps (early stopping or a requested stop). BestStep: where KeepBest was best (its parameters are in the model).
/// Seconds: this call's time; SecondsBefore: the run's training time before it (earlier calls on this trainer, or the
/// run a loaded checkpoint came from), so SecondsBefore + Seconds is the whole run's.
/// </summary>
public sealed record TrainResult(long Steps, long Epochs, bool StoppedEarly, IReadOnlyList<StepRecord> StepRecords,
    IReadOnlyList<EvalRecord> Evaluations, long? BestStep, double Seconds)
{
    public double SecondsBefore { get; init; }
}

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
