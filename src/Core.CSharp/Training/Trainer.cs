// Trainer.cs: the one training loop every gradient fit runs on — batches, objective, NaN guard, clipping, optimizer and schedule steps, evaluation, keep-best, early stop.
using System.Diagnostics;
using GenDsl.Data;
using GenDsl.Distributed;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;

namespace GenDsl.Training;

/// <summary>
/// Minimises an objective over a model's parameters by mini-batch steps:
/// <code>
/// using var trainer = new Trainer(model, ps => new Adam(ps, lr: 1e-3), opt => new StepLR(opt, 1000, 0.5),
///                                 new TrainOptions { Steps = 5000, BatchSize = 128, Seed = 1, ClipGradNorm = 1.0 });
/// trainer.Evaluate = () => new Dictionary&lt;string, double&gt; { ["nll"] = ValidNll(model) };
/// var result = trainer.Fit(data, (x, ctx) => Nll(model, x, ctx.Generator));
/// </code>
/// Step s (1-based), in its own <see cref="Scope"/> so memory stays flat: zero the gradients; batch = the examples of
/// step s in the epoch's order (see <see cref="EpochOrder"/>); loss = objective(batch, ctx) in training mode; if the loss
/// is NaN or infinite, throw <see cref="TrainingDivergedException"/> without stepping; backward; clip the gradient norm
/// (optional; a non-finite norm also throws); optimizer step with the current LR; then the schedule steps once, so the
/// schedule counts optimizer steps (PyTorch's <c>scheduler.step()</c> after each <c>optimizer.step()</c>) and step s
/// uses the schedule's LR at s - 1. Then, when due: evaluation (eval mode, no grad), keep-best, early stop, checkpoint.
/// <para>Keep-best: when TrainOptions.KeepBest is set, the parameters (the whole state dict, buffers included) are
/// copied at each evaluation that improves the metric, kept in memory and in checkpoints, and loaded back into the
/// model when Fit returns, so the model ends at its best evaluation, not its last step.</para>
/// <para>Resume: a run stopped after step n and resumed from its checkpoint (<see cref="LoadCheckpoint"/>, then
/// <see cref="Fit(IDataset, Objective)"/>) takes the same steps with bit-identical losses and parameters as a run that was never stopped.</para>
/// <para>Data parallelism (TrainOptions.Distributed, W processes, PyTorch DDP's semantics): the constructor joins the
/// process group and copies rank 0's parameters to every rank; every rank follows the same epoch order, and rank r
/// takes positions r, r + W, ... of each global batch of BatchSize (so no example twice per epoch); the step's loss and
/// logged metrics are averaged over the ranks (weighted by each rank's share of the batch), the gradients are
/// all-reduced the same way before clipping and the optimizer step (see TrainerDistributed.cs), evaluation metrics are
/// averaged, and only rank 0 writes checkpoints (holding every rank's run generator, so a resume with the same world
/// size is bit-identical). Every rank's run generator is seeded as a single process's and, during a step, restricted to
/// the rank's rows of the global batch (<see cref="Generator.Rows"/>): per-example noise is drawn for the whole batch and
/// cut to those rows, so an example gets the noise one process on the global batch gives it, whatever W is.</para>
/// </summary>
public sealed partial class Trainer : IDisposable
{
    private readonly TrainOptions options;
    private readonly Generator runGenerator;
    private readonly Tensor[] parameters;      // every player's, in player order
    private readonly Player[] players;
    private readonly Optimizer[] optimizers;   // one per player
    private readonly LRScheduler?[] schedules; // one per player
    private readonly Tensor[][] playerParameters;
    private long step;                         // optimizer steps the run has taken
    private double secondsBefore;              // training seconds of the run before this Fit (earlier Fits, or the checkpoint's run)
    private Stopwatch? fitClock;               // the Fit under way
    private long batchesTaken;                 // batches drawn in the epoch order (= step for an Objective; a Game may draw several per step)
    private long? batchesPerEpoch;             // set by Fit or a checkpoint; a resume must cut the data the same way
    private double? bestValue;
    private long? bestStep;
    private long evalsSinceBest;
    private Dictionary<string, Tensor>? bestState;
    private bool stopAfterStep;
    private bool stopWithoutEvaluation;
    private bool disposed;

    /// <summary>
    /// Builds the optimizer over <c>model.Parameters()</c> and the schedule (null: constant LR) over that optimizer.
    /// The trainer owns the optimizer (it disposes it); the caller owns the model.
    /// </summary>
    public Trainer(Module model, Func<IEnumerable<Tensor>, Optimizer> makeOptimizer, Func<Optimizer, LRScheduler?>? makeSchedule, TrainOptions options)
        : this(model, new[] { new Player("model", model?.Parameters() ?? throw new ArgumentNullException(nameof(model)), makeOptimizer ?? throw new ArgumentNullException(nameof(makeOptimizer))) }, makeSchedule, options)
    {
    }

    /// <summary>
    /// A trainer of several players over one model (a GAN's generator and discriminator): each player's parameters get
    /// their own optimizer and schedule (makeSchedule is applied to each), and <see cref="Fit(IDataset, Game)"/> runs a
    /// <see cref="Game"/> whose steps update the players. Everything else — the epoch order, the run's generator,
    /// evaluation, keep-best, early stop, checkpoints and a bit-identical resume — is the one loop's.
    /// </summary>
    public static Trainer OfPlayers(Module model, IReadOnlyList<Player> players, Func<Optimizer, LRScheduler?>? makeSchedule, TrainOptions options) =>
        new(model, players, makeSchedule, options);

    private Trainer(Module model, IReadOnlyList<Player> players, Func<Optimizer, LRScheduler?>? makeSchedule, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(players);
        ArgumentNullException.ThrowIfNull(options);
        if (players.Count == 0) throw new ArgumentException("Trainer: give at least one player (a name, its parameters and how to build its optimizer)", nameof(players));
        var names = players.Select(p => p?.Name).ToArray();
        if (names.Any(string.IsNullOrEmpty) || names.Distinct().Count() != names.Length)
            throw new ArgumentException($"Trainer: every player needs a distinct, non-empty name (got: {string.Join(", ", names.Select(n => $"'{n}'"))})", nameof(players));
        options.Validate();
        if (players.Count > 1 && options.Distributed is not null)
            throw new ArgumentException("Trainer: a game of several players runs in one process; leave TrainOptions.Distributed unset", nameof(options));
        (Model, this.options) = (model, options);
        this.players = players.ToArray();
        optimizers = new Optimizer[this.players.Length];
        schedules = new LRScheduler?[this.players.Length];
        playerParameters = new Tensor[this.players.Length][];
        for (var i = 0; i < this.players.Length; i++)
        {
            var pl = this.players[i];
            optimizers[i] = pl.MakeOptimizer(pl.Parameters) ?? throw new ArgumentException(this.players.Length == 1
                ? "Trainer: makeOptimizer returned null; return an optimizer over the parameters it is given"
                : $"Trainer: player '{pl.Name}': MakeOptimizer returned null; return an optimizer over the parameters it is given", this.players.Length == 1 ? "makeOptimizer" : nameof(players));
            schedules[i] = makeSchedule?.Invoke(optimizers[i]);
            if (schedules[i] is { } sc && !ReferenceEquals(sc.Optimizer, optimizers[i]))
                throw new ArgumentException("Trainer: makeSchedule must build the schedule over the optimizer it is given", nameof(makeSchedule));
            playerParameters[i] = optimizers[i].Parameters.ToArray();
        }
        parameters = playerParameters.SelectMany(p => p).ToArray();
        if (options.Distributed is { } dist) JoinGroup(dist);
        runGenerator = new Generator(EpochOrder.Mix(options.Seed, -1));
    }

    public Module Model { get; }

    /// <summary>The (first) player's optimizer: the only one of a trainer built with one optimizer.</summary>
    public Optimizer Optimizer => optimizers[0];

    /// <summary>The (first) player's schedule, or null.</summary>
    public LRScheduler? Schedule => schedules[0];

    /// <summary>A player's optimizer by name.</summary>
    public Optimizer OptimizerOf(string player) => optimizers[IndexOf(player)];

    private int IndexOf(string player)
    {
        for (var i = 0; i < players.Length; i++) if (players[i].Name == player) return i;
        throw new ArgumentException($"Trainer: no player named '{player}' (players: {string.Join(", ", players.Select(p => p.Name))})", nameof(player));
    }
    public TrainOptions Options => options;

    /// <summary>The optimizer steps the run has taken so far (the position a checkpoint saves).</summary>
    public long Step => step;

    /// <summary>The run's generator for per-step randomness (the one <see cref="StepContext.Generator"/> hands out).</summary>
    public Generator Generator => runGenerator;

    /// <summary>Where checkpoints go: &lt;CheckpointDir&gt;/last.pt, or null when CheckpointDir is not set.</summary>
    public string? CheckpointPath => options.CheckpointDir is { } d ? Path.Combine(d, "last.pt") : null;

    /// <summary>Evaluation metrics by name; called in eval mode under no-grad (inside a scope), then the model goes back to training mode.</summary>
    public Func<IReadOnlyDictionary<string, double>>? Evaluate { get; set; }

    /// <summary>Called after every step (progress, logging). It may call <see cref="RequestStop"/>.</summary>
    public Action<StepRecord>? OnStep { get; set; }

    /// <summary>Called after every evaluation. It may call <see cref="RequestStop"/>.</summary>
    public Action<EvalRecord>? OnEval { get; set; }

    /// <summary>
    /// Ends Fit after the current step, with that step's evaluation and checkpoint as at the last step (from OnStep,
    /// Evaluate or OnEval). With <paramref name="evaluate"/> false the step is evaluated only when its evaluation was
    /// due anyway (every EvalEvery steps): a user's interrupt should not wait for a pass over a validation split (a
    /// data-parallel fit evaluates regardless, since every rank must take part). The checkpoint is written either way.
    /// To end before a step's update, call <see cref="StepContext.RequestStop"/> in the objective.
    /// </summary>
    public void RequestStop(bool evaluate = true)
    {
        stopAfterStep = true;
        if (!evaluate && group is null) stopWithoutEvaluation = true;
    }

    /// <summary>
    /// Runs steps from the current position (0 for a new trainer, the checkpoint's after LoadCheckpoint, where the
    /// previous Fit ended otherwise) up to TrainOptions.Steps, unless stopped earlier. Leaves the model in training
    /// mode, holding the best parameters when KeepBest is set.
    /// </summary>
    public TrainResult Fit(IDataset data, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (players.Length > 1)
            throw new InvalidOperationException($"Trainer.Fit: this trainer has {players.Length} players ({string.Join(", ", players.Select(p => p.Name))}): give it a Game, which says how each step updates them");
        return Run(data, (order, ctx, s) =>
        {
            double? gradNorm = null;
            Optimizer.ZeroGrad();
            if (group is not null)
            {
                if (!DistributedStep(data, objective, order, ctx, out var dl, out gradNorm)) return (0.0, null, false);
                batchesTaken++;
                return (dl, gradNorm, true);
            }
            var batch = data.Batch(order.Indices(++batchesTaken), runGenerator);
            var lossTensor = objective(batch, ctx)
                             ?? throw new InvalidOperationException($"Trainer.Fit: the objective returned null at step {s}; return the scalar loss tensor");
            if (ctx.StopRequested) { batchesTaken--; return (0.0, null, false); }
            CheckScalar(lossTensor, s);
            var loss = lossTensor.ToDouble();
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(s, "loss", loss, CheckpointIfWritten());
            lossTensor.Backward();
            gradNorm = Clip(s, parameters, "gradient norm");
            return (loss, gradNorm, true);
        }, stepAll: true);
    }

    /// <summary>
    /// Runs a game's steps from the current position up to TrainOptions.Steps, as <see cref="Fit(IDataset, Objective)"/>
    /// runs an objective's: each step the game draws the batches it needs (<see cref="GameStep.NextBatch"/>, in the
    /// epoch order) and updates players (<see cref="GameStep.Update"/>, <see cref="GameStep.UpdateTogether"/>); then
    /// every schedule steps once, and evaluation, keep-best, early stop and checkpoints follow as for an objective. A
    /// step's record carries the last update's loss and each player's loss (and gradient norm when clipping) as
    /// metrics "&lt;player&gt;_loss" ("&lt;player&gt;_grad_norm").
    /// </summary>
    public TrainResult Fit(IDataset data, Game game)
    {
        ArgumentNullException.ThrowIfNull(game);
        return Run(data, (order, ctx, s) =>
        {
            var gs = new GameStep(this, data, order, ctx);
            game(gs);
            if (ctx.StopRequested) return (0.0, null, false);
            if (gs.Updates == 0)
                throw new InvalidOperationException($"Trainer.Fit: the game updated no player at step {s}; call GameStep.Update or UpdateTogether (or StepContext.RequestStop to end)");
            return (gs.LastLoss, null, true);
        }, stepAll: false);
    }

    /// <summary>The one loop: steps (each in its own scope), evaluation, keep-best, early stop, checkpoints.</summary>
    private TrainResult Run(IDataset data, Func<EpochOrder, StepContext, long, (double Loss, double? GradNorm, bool Step)> takeStep, bool stepAll)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        if (options.KeepBest is { } kb && Evaluate is null)
            throw new InvalidOperationException($"Trainer.Fit: TrainOptions.KeepBest = '{kb}' needs an evaluation: set Trainer.Evaluate to a function returning that metric");
        var order = new EpochOrder(data.Count, options.BatchSize, options.Shuffle, options.DropLast, options.Seed);
        if (batchesPerEpoch is { } bpe && bpe != order.BatchesPerEpoch)
            throw new ArgumentException($"Trainer.Fit: the run so far cut its data into {bpe} batches per epoch, this data set gives {order.BatchesPerEpoch}; resume with the same data set, BatchSize and DropLast");
        batchesPerEpoch = order.BatchesPerEpoch;

        var total = Stopwatch.StartNew();
        fitClock = total;
        var records = new List<StepRecord>();
        var evaluations = new List<EvalRecord>();
        var stopped = false;
        stopAfterStep = false;
        stopWithoutEvaluation = false;
        Model.Train();
        while (step < options.Steps)
        {
            var s = step + 1;
            var epoch = order.EpochOf(batchesTaken + 1);
            var clock = Stopwatch.StartNew();
            var ctx = new StepContext(s, epoch, runGenerator);
            double loss, lr;
            double? gradNorm;
            using (Scope.Begin())
            {
                (loss, gradNorm, var take) = takeStep(order, ctx, s);
                if (!take) { stopped = true; break; }
                lr = Optimizer.LR;
                if (stepAll) Optimizer.Step();
                foreach (var sc in schedules) sc?.Step();
            }
            step = s;
            var record = new StepRecord(s, epoch, loss, lr, gradNorm, stepMetrics ?? ctx.Metrics, clock.Elapsed.TotalSeconds);
            stepMetrics = null;
            records.Add(record);
            OnStep?.Invoke(record);
            if (group is not null) stopAfterStep = AnyRank(stopAfterStep);
            var due = options.EvalEvery > 0 && s % options.EvalEvery == 0;
            if (Evaluate is not null && (due || IsEnd() && !(stopWithoutEvaluation && step < options.Steps)))
            {
                var e = RunEvaluation(s, epoch);
                evaluations.Add(e);
                if (options.EarlyStopPatience is { } patience && evalsSinceBest >= patience) stopAfterStep = true;
                OnEval?.Invoke(e);
                if (group is not null) stopAfterStep = AnyRank(stopAfterStep);
            }
            if (options.CheckpointEvery > 0 && (IsEnd() || s % options.CheckpointEvery == 0))
            {
                if (group is null) SaveCheckpoint(CheckpointPath!);
                else SaveDistributedCheckpoint(CheckpointPath!);
            }
            if (stopAfterStep) { stopped = step < options.Steps; break; }
        }
        if (bestState is not null) Model.LoadStateDict(bestState);
        var epochs = step == 0 ? 0 : order.EpochOf(Math.Max(batchesTaken, 1)) + 1;
        var (before, seconds) = (secondsBefore, total.Elapsed.TotalSeconds);
        (secondsBefore, fitClock) = (before + seconds, null);
        return new TrainResult(step, epochs, stopped, records, evaluations, bestStep, seconds) { SecondsBefore = before };

        bool IsEnd() => step >= options.Steps || stopAfterStep;
    }

    /// <summary>The next batch of the epoch order (a game's draw).</summary>
    internal Tensor NextBatch(IDataset data, EpochOrder order) => data.Batch(order.Indices(++batchesTaken), runGenerator);

    /// <summary>One player's update from a loss whose gradients are already in its parameters: clip, step.</summary>
    internal double? StepPlayer(int i, long s)
    {
        var norm = Clip(s, playerParameters[i], players.Length == 1 ? "gradient norm" : players[i].Name + " gradient norm");
        optimizers[i].Step();
        return norm;
    }

    internal int PlayerIndex(string player) => IndexOf(player);
    internal Tensor[] ParametersOf(int i) => playerParameters[i];
    internal Optimizer OptimizerAt(int i) => optimizers[i];

    private static void CheckScalar(Tensor lossTensor, long s)
    {
        if (lossTensor.NumEl != 1)
            throw new ArgumentException($"Trainer.Fit: the objective must return a scalar loss, got shape [{string.Join(", ", lossTensor.Shape)}] at step {s}; reduce it with .Mean() or .Sum()");
    }

    /// <summary>Clips the gradient norm of `ps` when TrainOptions.ClipGradNorm is set; returns the norm before clipping.</summary>
    private double? Clip(long s, Tensor[] ps, string what)
    {
        if (options.ClipGradNorm is not { } maxNorm) return null;
        var norm = Utils.ClipGradNorm_(ps, maxNorm);
        if (!double.IsFinite(norm)) throw new TrainingDivergedException(s, what, norm, CheckpointIfWritten());
        return norm;
    }

    internal string? CheckpointIfWritten() => CheckpointPath is { } p && File.Exists(p) ? p : null;

    /// <summary>Runs Evaluate in eval mode under no-grad, then keep-best: copies the state dict when the metric improved.</summary>
    private EvalRecord RunEvaluation(long s, long epoch)
    {
        var clock = Stopwatch.StartNew();
        Dictionary<string, double> metrics;
        Model.Eval();
        try
        {
            using var scope = Scope.Begin();
            using var noGrad = Autograd.NoGrad();
            metrics = new Dictionary<string, double>(Evaluate!() ?? throw new InvalidOperationException($"Trainer: Evaluate returned null at step {s}; return a dictionary of metrics"));
        }
        finally { Model.Train(); }
        if (group is not null) metrics = AverageOverRanks(metrics);
        var isBest = false;
        if (options.KeepBest is { } key)
        {
            if (!metrics.TryGetValue(key, out var v))
                throw new ArgumentException($"TrainOptions.KeepBest = '{key}': the evaluation returned no such metric (it returned: {string.Join(", ", metrics.Keys)}); name one of those");
            isBest = bestValue is not { } b ? !double.IsNaN(v) : options.KeepBestMaximize ? v > b : v < b;
            if (isBest)
            {
                (bestValue, bestStep, evalsSinceBest) = (v, s, 0);
                CopyBest();
            }
            else evalsSinceBest++;
        }
        return new EvalRecord(s, epoch, metrics, isBest, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Copies the model's state dict into bestState (reusing its tensors), outside every scope.</summary>
    private void CopyBest()
    {
        bestState ??= new Dictionary<string, Tensor>();
        using var scope = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        foreach (var (name, t) in Model.StateDict())
        {
            if (bestState.TryGetValue(name, out var kept) && kept.Shape.SequenceEqual(t.Shape) && kept.Dtype == t.Dtype) kept.Copy_(t);
            else
            {
                kept?.Dispose();
                bestState[name] = t.Clone().DetachFromScope();
            }
        }
    }

    private void ClearBest()
    {
        if (bestState is not null) foreach (var t in bestState.Values) t.Dispose();
        bestState = null;
    }

    /// <summary>Frees the optimizer's state, the run's generator and the kept best parameters (not the model).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        ClearBest();
        foreach (var o in optimizers) o.Dispose();
        runGenerator.Dispose();
        overlapSync?.Dispose();
        group?.Dispose();
    }
}
