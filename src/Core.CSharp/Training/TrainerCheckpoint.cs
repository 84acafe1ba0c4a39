// TrainerCheckpoint.cs: the Trainer's checkpoint file — model, optimizer, schedule, both generators, position and best parameters in one Torch.Save dict.
using GenDsl.Torch;

namespace GenDsl.Training;

public sealed partial class Trainer
{
    /// <summary>
    /// Writes everything a bit-identical resume needs as one {name: tensor} file (Torch.Save; PyTorch's torch.load
    /// reads it): "model.*" (state dict), "optim.*" (optimizer state; "optim.&lt;player&gt;.*" for each player of a game), "sched.*" (the schedule's step; likewise), "trainer.batches_taken", "rng.run" (the
    /// run's generator), "rng.default" (libtorch's default CPU generator, which Dropout without a generator uses),
    /// "trainer.step", "trainer.epoch", "trainer.seed", "trainer.batches_per_epoch", "trainer.seconds" (the run's training
    /// time up to the checkpoint, so a resumed run reports its whole time), in a data-parallel run (written by rank
    /// 0) "rng.run.rank&lt;r&gt;" (every rank's run generator) and "trainer.world_size", and with KeepBest "best.*" (the best
    /// state dict), "trainer.best_value", "trainer.best_step", "trainer.evals_since_best". Atomic: the file is written to
    /// path + ".tmp" and renamed over <paramref name="path"/>, so a crash never leaves a half-written checkpoint.
    /// </summary>
    public void SaveCheckpoint(string path) => WriteCheckpoint(path, null);

    private void WriteCheckpoint(string path, IReadOnlyDictionary<string, Tensor>? extra)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        using var scope = Scope.Begin();
        var d = new Dictionary<string, Tensor>();
        foreach (var (k, t) in Model.StateDict()) d["model." + k] = t;
        for (var i = 0; i < players.Length; i++)
        {
            foreach (var (k, t) in optimizers[i].StateDict()) d[OptimPrefix(i) + k] = t;
            if (schedules[i] is { } sc) foreach (var (k, t) in sc.StateDict()) d[SchedPrefix(i) + k] = t;
        }
        d["trainer.batches_taken"] = Long(batchesTaken);
        d["rng.run"] = runGenerator.GetState();
        d["rng.default"] = Torch.Torch.GetRngState();
        d["trainer.step"] = Long(step);
        d["trainer.epoch"] = Long(batchesPerEpoch is { } b && step > 0 ? (step - 1) / b : 0);
        d["trainer.seed"] = Long(unchecked((long)options.Seed));
        d["trainer.seconds"] = Torch.Torch.Scalar(secondsBefore + (fitClock?.Elapsed.TotalSeconds ?? 0.0), ScalarType.Float64);
        if (batchesPerEpoch is { } bpe) d["trainer.batches_per_epoch"] = Long(bpe);
        if (bestState is not null)
        {
            foreach (var (k, t) in bestState) d["best." + k] = t;
            d["trainer.best_value"] = Torch.Torch.Scalar(bestValue!.Value, ScalarType.Float64);
            d["trainer.best_step"] = Long(bestStep!.Value);
            d["trainer.evals_since_best"] = Long(evalsSinceBest);
        }
        if (extra is not null) foreach (var (k, t) in extra) d[k] = t;
        var tmp = path + ".tmp";
        Torch.Torch.Save(d, tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Restores a checkpoint from <see cref="SaveCheckpoint"/> into this trainer, built as the one that wrote it (same
    /// model architecture, optimizer kind, schedule and TrainOptions.Seed): the model, the optimizer, the schedule's
    /// step, the run's generator, libtorch's default generator, the step, and the best metric, step and parameters.
    /// The next <see cref="Fit(GenDsl.Data.IDataset, Objective)"/> continues from the saved step.
    /// </summary>
    public void LoadCheckpoint(string path)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = Scope.Begin();
        var all = Torch.Torch.Load(path);
        Tensor Need(string key) => all.TryGetValue(key, out var t) ? t
            : throw new ArgumentException($"Trainer.LoadCheckpoint: '{path}' has no '{key}'; load a file written by Trainer.SaveCheckpoint");
        Dictionary<string, Tensor> Part(string prefix) =>
            all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

        var seed = unchecked((ulong)Need("trainer.seed").Item<long>());
        if (seed != options.Seed)
            throw new ArgumentException($"Trainer.LoadCheckpoint: '{path}' was written by a run with Seed {seed}, this trainer has Seed {options.Seed}; resume with the same TrainOptions.Seed (it fixes the data order)");
        var scheds = Enumerable.Range(0, players.Length).Select(i => Part(SchedPrefix(i))).ToArray();
        var optims = Enumerable.Range(0, players.Length).Select(i => Part(OptimPrefix(i))).ToArray();
        for (var i = 0; i < players.Length; i++)
        {
            if ((schedules[i] is null) != (scheds[i].Count == 0))
                throw new ArgumentException(schedules[i] is null
                    ? $"Trainer.LoadCheckpoint: '{path}' holds a schedule's state but this trainer has none; pass the same makeSchedule as the run that wrote it"
                    : $"Trainer.LoadCheckpoint: '{path}' holds no schedule state but this trainer has a schedule; build it without one, as the run that wrote it");
            if (players.Length > 1 && optims[i].Count == 0)
                throw new ArgumentException($"Trainer.LoadCheckpoint: '{path}' has no optimizer state for player '{players[i].Name}'; load a checkpoint of a trainer with the same players");
        }
        var newStep = Need("trainer.step").Item<long>();
        var runState = Need("rng.run");
        var defaultState = Need("rng.default");

        Model.LoadStateDict(Part("model."));
        for (var i = 0; i < players.Length; i++)
        {
            optimizers[i].LoadStateDict(optims[i]);
            schedules[i]?.LoadStateDict(scheds[i]);
        }
        runGenerator.SetState(RunStateForThisRank(all, runState));
        Torch.Torch.SetRngState(defaultState);
        step = newStep;
        // a checkpoint of a run of an objective written before games existed: one batch per step
        batchesTaken = all.TryGetValue("trainer.batches_taken", out var taken) ? taken.Item<long>() : newStep;
        batchesPerEpoch = all.TryGetValue("trainer.batches_per_epoch", out var bpe) ? bpe.Item<long>() : null;
        // a checkpoint written before the time was kept: the time before it is unknown, counted as 0
        secondsBefore = all.TryGetValue("trainer.seconds", out var secs) ? secs.ToDouble() : 0.0;

        ClearBest();
        (bestValue, bestStep, evalsSinceBest) = (null, null, 0);
        var best = Part("best.");
        if (best.Count > 0)
        {
            bestState = best.ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromScope());
            bestValue = Need("trainer.best_value").ToDouble();
            bestStep = Need("trainer.best_step").Item<long>();
            evalsSinceBest = Need("trainer.evals_since_best").Item<long>();
        }
    }

    /// <summary>One optimizer's keys: "optim." for a trainer of one player (as before games), "optim.&lt;player&gt;." for several.</summary>
    private string OptimPrefix(int i) => players.Length == 1 ? "optim." : $"optim.{players[i].Name}.";

    private string SchedPrefix(int i) => players.Length == 1 ? "sched." : $"sched.{players[i].Name}.";

    private static Tensor Long(long v) => Torch.Torch.Full(Array.Empty<long>(), v, ScalarType.Int64);
}
