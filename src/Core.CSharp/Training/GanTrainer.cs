// GanTrainer.cs: a GAN's step as a Game of the one Trainer (simultaneous or alternating updates, one optimizer per player), and GanTrainer, its options, records and sample snapshots.
using System.Diagnostics;
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;

namespace GenDsl.Training;

/// <summary>How a <see cref="GanTrainer"/> runs.</summary>
public sealed record GanOptions
{
    /// <summary>Generator steps (iterations) of the run (>= 1).</summary>
    public long Steps { get; init; }
    /// <summary>Real examples per discriminator step, and generated ones per step of either player.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Seeds the data order and the run's generator (latent noise).</summary>
    public ulong Seed { get; init; }
    /// <summary>Simultaneous: both players step from the same parameters; Alternating: D steps first, then G against the new D (Mila Q6).</summary>
    public GdaScheme Scheme { get; init; } = GdaScheme.Alternating;
    /// <summary>Discriminator steps per generator step (Alternating only; Simultaneous takes exactly one).</summary>
    public int DiscriminatorSteps { get; init; } = 1;
    /// <summary>When set, clip each player's gradient 2-norm to this before its optimizer steps.</summary>
    public double? ClipGradNorm { get; init; }
    /// <summary>false: the generator is held fixed and only D trains (then D approaches p / (p + q)).</summary>
    public bool TrainGenerator { get; init; } = true;
    /// <summary>0: no snapshots; else keep SnapshotSize samples G(z) (the same z each time) before step 1 and every this many steps.</summary>
    public long SnapshotEvery { get; init; }
    public int SnapshotSize { get; init; } = 1000;

    internal void Validate()
    {
        static void Fail(string option, string message) => throw new ArgumentException($"GanOptions.{option}: {message}", option);
        if (Steps < 1) Fail(nameof(Steps), $"the number of generator steps must be at least 1 (got {Steps})");
        if (BatchSize < 1) Fail(nameof(BatchSize), $"the batch size must be at least 1 (got {BatchSize})");
        if (DiscriminatorSteps < 1) Fail(nameof(DiscriminatorSteps), $"must be at least 1 (got {DiscriminatorSteps})");
        if (Scheme == GdaScheme.Simultaneous && DiscriminatorSteps != 1)
            Fail(nameof(DiscriminatorSteps), $"simultaneous updates take one step of each player from the same parameters; use 1 or Scheme = Alternating (got {DiscriminatorSteps})");
        if (ClipGradNorm is { } c && !(c > 0 && !double.IsInfinity(c))) Fail(nameof(ClipGradNorm), $"must be finite and > 0, or null (got {c})");
        if (SnapshotEvery < 0) Fail(nameof(SnapshotEvery), $"must be >= 0 (got {SnapshotEvery})");
        if (SnapshotSize < 1) Fail(nameof(SnapshotSize), $"must be at least 1 (got {SnapshotSize})");
    }
}

/// <summary>One generator step: the last discriminator loss, the generator loss (both before their updates), gradient norms before clipping.</summary>
public sealed record GanStepRecord(long Step, double DiscriminatorLoss, double GeneratorLoss, double? DiscriminatorGradNorm, double? GeneratorGradNorm, double Seconds);

/// <summary>Samples G(z) (SnapshotSize, D), float64, after <paramref name="Step"/> steps (0: at the start); the tensor is outside every scope.</summary>
public sealed record GanSnapshot(long Step, Tensor Samples);

/// <summary>The end of a fit; dispose it to free the snapshots.</summary>
public sealed record GanResult(long Steps, IReadOnlyList<GanStepRecord> StepRecords, IReadOnlyList<GanSnapshot> Snapshots, double Seconds) : IDisposable
{
    public void Dispose()
    {
        foreach (var s in Snapshots) s.Samples.Dispose();
    }
}

/// <summary>A GAN's step as a <see cref="Game"/> of the one <see cref="Trainer"/> (players "discriminator" and "generator").</summary>
public static class GanGame
{
    public const string Discriminator = "discriminator";
    public const string Generator = "generator";

    /// <summary>The two players over a GAN's networks, each with its optimizer.</summary>
    public static Player[] Players(Gan gan, Func<IEnumerable<Tensor>, Optimizer> makeGeneratorOptimizer, Func<IEnumerable<Tensor>, Optimizer> makeDiscriminatorOptimizer) =>
        new[] { new Player(Discriminator, gan.DiscriminatorNet.Parameters(), makeDiscriminatorOptimizer), new Player(Generator, gan.GeneratorNet.Parameters(), makeGeneratorOptimizer) };

    /// <summary>The fixed z of the snapshots of a run seeded `seed`: n latents from a generator apart from the run's (outside every scope).</summary>
    public static Tensor SnapshotLatent(Gan gan, long n, ulong seed)
    {
        using var noise = new Generator(EpochOrder.Mix(seed, -2));
        return gan.Latent(n, noise).DetachFromScope();
    }

    /// <summary>
    /// One step. Simultaneous: a real batch, z; fake = G(z); L_D(real, fake.detach()) and L_G(fake) at the same
    /// parameters, both players updated together. Alternating: discriminatorSteps times {a real batch, z, L_D, D's
    /// update}; then a fresh z and L_G against the updated D, and G's update. trainGenerator = false holds G fixed.
    /// </summary>
    public static Game Step(Gan gan, GdaScheme scheme, int discriminatorSteps, bool trainGenerator, int batchSize) => step =>
    {
        var g = step.Generator;
        if (scheme == GdaScheme.Simultaneous)
        {
            var fake = gan.Generate(gan.Latent(batchSize, g));
            var ld = gan.DiscriminatorLoss(step.NextBatch(), fake.Detach());
            if (trainGenerator) step.UpdateTogether((Generator, gan.GeneratorLoss(fake)), (Discriminator, ld));
            else step.Update(Discriminator, ld);
        }
        else
        {
            for (var k = 0; k < discriminatorSteps; k++)
            {
                using var inner = Scope.Begin();
                Tensor fake;
                using (Autograd.NoGrad()) fake = gan.Generate(gan.Latent(batchSize, g));
                step.Update(Discriminator, gan.DiscriminatorLoss(step.NextBatch(), fake));
            }
            if (trainGenerator) step.Update(Generator, gan.GeneratorLoss(gan.Generate(gan.Latent(batchSize, g))));
        }
    };
}

/// <summary>
/// Trains a <see cref="Gan"/> on the one <see cref="Trainer"/> with one optimizer per player (<see cref="GanGame"/>):
/// options in the GAN's words, a record per generator step and snapshots of G(z) for one fixed z. For checkpoints,
/// evaluation, keep-best and resume, drive the Trainer with <see cref="GanGame"/> directly (as the DSL does).
/// </summary>
public sealed class GanTrainer : IDisposable
{
    private readonly GanOptions options;
    private readonly Trainer trainer;
    private bool disposed;

    public GanTrainer(Gan gan, Func<IEnumerable<Tensor>, Optimizer> makeGeneratorOptimizer,
        Func<IEnumerable<Tensor>, Optimizer> makeDiscriminatorOptimizer, GanOptions options)
    {
        ArgumentNullException.ThrowIfNull(gan);
        ArgumentNullException.ThrowIfNull(makeGeneratorOptimizer);
        ArgumentNullException.ThrowIfNull(makeDiscriminatorOptimizer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (Gan, this.options) = (gan, options);
        trainer = Trainer.OfPlayers(gan, GanGame.Players(gan, makeGeneratorOptimizer, makeDiscriminatorOptimizer), null,
            new TrainOptions { Steps = options.Steps, BatchSize = options.BatchSize, Seed = options.Seed, Shuffle = true, ClipGradNorm = options.ClipGradNorm });
    }

    public Gan Gan { get; }
    public Optimizer GeneratorOptimizer => trainer.OptimizerOf(GanGame.Generator);
    public Optimizer DiscriminatorOptimizer => trainer.OptimizerOf(GanGame.Discriminator);
    public GanOptions Options => options;

    /// <summary>The Trainer the steps run on.</summary>
    public Trainer Trainer => trainer;

    /// <summary>Called after every generator step.</summary>
    public Action<GanStepRecord>? OnStep { get; set; }

    /// <summary>Runs Options.Steps generator steps on real data (N, D); returns the records and snapshots.</summary>
    public GanResult Fit(IDataset data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        if (data.ExampleShape.Length != 1 || data.ExampleShape[0] != Gan.DataDim)
            throw new ArgumentException($"GanTrainer.Fit: examples must be vectors of size {Gan.DataDim}; got shape [{string.Join(", ", data.ExampleShape)}]", nameof(data));
        var records = new List<GanStepRecord>();
        var snapshots = new List<GanSnapshot>();
        using var fixedZ = GanGame.SnapshotLatent(Gan, options.SnapshotSize, options.Seed);
        if (options.SnapshotEvery > 0) snapshots.Add(Snapshot(Gan, 0, fixedZ));
        trainer.OnStep = r =>
        {
            static double? Get(IReadOnlyDictionary<string, double> m, string k) => m.TryGetValue(k, out var v) ? v : null;
            var record = new GanStepRecord(r.Step, Get(r.Metrics, GanGame.Discriminator + "_loss") ?? double.NaN, Get(r.Metrics, GanGame.Generator + "_loss") ?? double.NaN,
                Get(r.Metrics, GanGame.Discriminator + "_grad_norm"), Get(r.Metrics, GanGame.Generator + "_grad_norm"), r.Seconds);
            records.Add(record);
            OnStep?.Invoke(record);
            if (options.SnapshotEvery > 0 && (r.Step % options.SnapshotEvery == 0 || r.Step == options.Steps)) snapshots.Add(Snapshot(Gan, r.Step, fixedZ));
        };
        var result = trainer.Fit(data, GanGame.Step(Gan, options.Scheme, options.DiscriminatorSteps, options.TrainGenerator, options.BatchSize));
        return new GanResult(result.Steps, records, snapshots, result.Seconds);
    }

    /// <summary>G(z) in eval mode under no grad, float64, outside every scope (the GAN back in training mode after).</summary>
    public static GanSnapshot Snapshot(Gan gan, long step, Tensor z)
    {
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        var wasTraining = gan.Training;
        gan.Eval();
        try { return new GanSnapshot(step, gan.Generate(z).To(ScalarType.Float64).DetachFromScope()); }
        finally { if (wasTraining) gan.Train(); }
    }

    /// <summary>Frees the trainer (both optimizers and the run's generator), not the model.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        trainer.Dispose();
    }
}
