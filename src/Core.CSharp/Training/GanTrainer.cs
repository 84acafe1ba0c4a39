// GanTrainer.cs: the two-player step loop for a Gan — simultaneous or alternating updates with two optimizers, clipping, NaN guard, sample snapshots.
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

/// <summary>
/// Trains a <see cref="Gan"/> with one optimizer per player. Not the one <see cref="Trainer"/>: a Trainer step is one
/// loss, one backward and one optimizer over one parameter set, while a GAN step is two losses over two parameter
/// sets with opposite goals, and the alternating scheme must evaluate G's loss after D's update — no single
/// backward expresses that. The loop keeps the Trainer's conventions: one <see cref="Scope"/> per step, the core's
/// optimizers and <see cref="Utils.ClipGradNorm_"/>, <see cref="TrainingDivergedException"/> on a non-finite loss,
/// the data order of <see cref="EpochOrder"/>, and randomness only from the run's seed.
/// <para>Step (Simultaneous): real batch, z; fake = G(z); L_D(real, fake.detach()) and L_G(fake) at the same parameters;
/// both backward, then both optimizers step. Step (Alternating): DiscriminatorSteps times {real batch, z, L_D step};
/// then a fresh z and L_G against the updated D, and G's step.</para>
/// </summary>
public sealed class GanTrainer : IDisposable
{
    private readonly GanOptions options;
    private readonly Generator runGenerator;
    private readonly Tensor[] gParams, dParams;
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
        GeneratorOptimizer = makeGeneratorOptimizer(gan.GeneratorNet.Parameters());
        DiscriminatorOptimizer = makeDiscriminatorOptimizer(gan.DiscriminatorNet.Parameters());
        gParams = GeneratorOptimizer.Parameters.ToArray();
        dParams = DiscriminatorOptimizer.Parameters.ToArray();
        runGenerator = new Generator(EpochOrder.Mix(options.Seed, -1));
    }

    public Gan Gan { get; }
    public Optimizer GeneratorOptimizer { get; }
    public Optimizer DiscriminatorOptimizer { get; }
    public GanOptions Options => options;

    /// <summary>Called after every generator step.</summary>
    public Action<GanStepRecord>? OnStep { get; set; }

    /// <summary>Runs Options.Steps generator steps on real data (N, D); returns the records and snapshots.</summary>
    public GanResult Fit(IDataset data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        if (data.ExampleShape.Length != 1 || data.ExampleShape[0] != Gan.DataDim)
            throw new ArgumentException($"GanTrainer.Fit: examples must be vectors of size {Gan.DataDim}; got shape [{string.Join(", ", data.ExampleShape)}]", nameof(data));
        var order = new EpochOrder(data.Count, options.BatchSize, shuffle: true, dropLast: false, options.Seed);
        var total = Stopwatch.StartNew();
        var records = new List<GanStepRecord>();
        var snapshots = new List<GanSnapshot>();
        using var snapshotNoise = new Generator(EpochOrder.Mix(options.Seed, -2));
        using var fixedZ = Gan.Latent(options.SnapshotSize, snapshotNoise).DetachFromScope();
        if (options.SnapshotEvery > 0) snapshots.Add(Snapshot(0, fixedZ));
        long batchesTaken = 0;
        Gan.Train();
        for (long s = 1; s <= options.Steps; s++)
        {
            var clock = Stopwatch.StartNew();
            double dLoss = 0, gLoss = double.NaN;
            double? dNorm = null, gNorm = null;
            using (Scope.Begin())
            {
                Tensor Real() => data.Batch(order.Indices(++batchesTaken), runGenerator);
                if (options.Scheme == GdaScheme.Simultaneous)
                {
                    var fake = Gan.Generate(Gan.Latent(options.BatchSize, runGenerator));
                    var ld = Gan.DiscriminatorLoss(Real(), fake.Detach());
                    var lg = Gan.GeneratorLoss(fake);
                    dLoss = Finite(s, "discriminator loss", ld.ToDouble());
                    gLoss = Finite(s, "generator loss", lg.ToDouble());
                    GeneratorOptimizer.ZeroGrad();
                    lg.Backward();                                   // also fills D's gradients: cleared next
                    DiscriminatorOptimizer.ZeroGrad();
                    ld.Backward();                                   // fake is detached: only D's gradients
                    dNorm = Clip(s, dParams, "discriminator");
                    if (options.TrainGenerator) gNorm = Clip(s, gParams, "generator");
                    DiscriminatorOptimizer.Step();
                    if (options.TrainGenerator) GeneratorOptimizer.Step();
                }
                else
                {
                    for (var k = 0; k < options.DiscriminatorSteps; k++)
                    {
                        using var inner = Scope.Begin();
                        Tensor fake;
                        using (Autograd.NoGrad()) fake = Gan.Generate(Gan.Latent(options.BatchSize, runGenerator));
                        var ld = Gan.DiscriminatorLoss(Real(), fake);
                        dLoss = Finite(s, "discriminator loss", ld.ToDouble());
                        DiscriminatorOptimizer.ZeroGrad();
                        ld.Backward();
                        dNorm = Clip(s, dParams, "discriminator");
                        DiscriminatorOptimizer.Step();
                    }
                    if (options.TrainGenerator)
                    {
                        var lg = Gan.GeneratorLoss(Gan.Generate(Gan.Latent(options.BatchSize, runGenerator)));
                        gLoss = Finite(s, "generator loss", lg.ToDouble());
                        GeneratorOptimizer.ZeroGrad();
                        lg.Backward();
                        gNorm = Clip(s, gParams, "generator");
                        GeneratorOptimizer.Step();
                    }
                }
            }
            var record = new GanStepRecord(s, dLoss, gLoss, dNorm, gNorm, clock.Elapsed.TotalSeconds);
            records.Add(record);
            OnStep?.Invoke(record);
            if (options.SnapshotEvery > 0 && (s % options.SnapshotEvery == 0 || s == options.Steps)) snapshots.Add(Snapshot(s, fixedZ));
        }
        return new GanResult(options.Steps, records, snapshots, total.Elapsed.TotalSeconds);
    }

    private GanSnapshot Snapshot(long step, Tensor z)
    {
        using var s = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        Gan.Eval();
        try { return new GanSnapshot(step, Gan.Generate(z).To(ScalarType.Float64).DetachFromScope()); }
        finally { Gan.Train(); }
    }

    private double? Clip(long step, Tensor[] ps, string who)
    {
        if (options.ClipGradNorm is not { } max) return null;
        var norm = Utils.ClipGradNorm_(ps, max);
        return double.IsFinite(norm) ? norm : throw new TrainingDivergedException(step, who + " gradient norm", norm, null);
    }

    private static double Finite(long step, string what, double v) =>
        double.IsFinite(v) ? v : throw new TrainingDivergedException(step, what, v, null);

    /// <summary>Frees both optimizers and the run's generator (not the model).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        runGenerator.Dispose();
    }
}
