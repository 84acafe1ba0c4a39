// LRScheduler.cs: learning-rate schedules as closed forms of the step count — step, exponential, cosine, linear, lambda, sequential.
namespace GenDsl.Torch.Optim;

/// <summary>
/// A learning-rate schedule over an optimizer, as torch.optim.lr_scheduler: after t calls of <see cref="Step"/>
/// each group's LR is <see cref="LRAt"/>(base, t), where base is the group's LR when the first scheduler was
/// attached (PyTorch's initial_lr). Call <c>scheduler.Step()</c> after <c>optimizer.Step()</c>.
/// Schedules are closed forms, so they compose: see <see cref="SequentialLR"/> and <see cref="WarmupCosine"/>.
/// </summary>
public abstract class LRScheduler
{
    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        foreach (var g in optimizer.ParamGroups) g.InitialLR ??= g.LR;
        baseLRs = optimizer.ParamGroups.Select(g => g.InitialLR!.Value).ToArray();
    }

    private readonly double[] baseLRs;

    public Optimizer Optimizer { get; }
    /// <summary>Each group's LR at step 0 of the schedule's scale (initial_lr).</summary>
    public IReadOnlyList<double> BaseLRs => baseLRs;
    /// <summary>How many times <see cref="Step"/> was called (PyTorch's last_epoch).</summary>
    public long LastEpoch { get; private set; }

    /// <summary>The LR of a group whose base LR is <paramref name="baseLR"/> after <paramref name="step"/> steps.</summary>
    public abstract double LRAt(double baseLR, long step);

    /// <summary>The first group's current LR.</summary>
    public double LR => Optimizer.ParamGroups[0].LR;

    /// <summary>Every group's current LR (PyTorch's get_last_lr()).</summary>
    public IReadOnlyList<double> GetLastLR() => Optimizer.ParamGroups.Select(g => g.LR).ToArray();

    /// <summary>Advances the schedule by one and writes the new LRs into the optimizer.</summary>
    public void Step()
    {
        LastEpoch++;
        Apply();
    }

    /// <summary>
    /// The schedule's position as tensors, so Torch.Save writes it: "last_epoch" (the number of Step calls) and
    /// "base_lrs.{g}" per group (PyTorch's state_dict keeps the same two). The settings (gamma, tMax ...) are not
    /// state: rebuild the schedule with them, then load.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor> { ["last_epoch"] = Torch.Scalar(LastEpoch, ScalarType.Int64) };
        for (var g = 0; g < baseLRs.Length; g++) d[$"base_lrs.{g}"] = Torch.Scalar(baseLRs[g], ScalarType.Float64);
        return d;
    }

    /// <summary>Restores <see cref="StateDict"/>'s position and writes the LRs of that step into the optimizer.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        if (!stateDict.TryGetValue("last_epoch", out var last))
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: the dict has no 'last_epoch' (pass what StateDict() returned)");
        var lrs = (double[])baseLRs.Clone();
        foreach (var (key, t) in stateDict)
        {
            if (key == "last_epoch") continue;
            var parts = key.Split('.');
            if (parts.Length == 2 && parts[0] == "base_lrs" && int.TryParse(parts[1], out var g) && g >= 0 && g < lrs.Length) lrs[g] = t.ToDouble();
            else throw new ArgumentException($"{GetType().Name}.LoadStateDict: unknown key '{key}' (expected last_epoch or base_lrs.<g> for {lrs.Length} groups)");
        }
        SetStep(last.Item<long>());
        Array.Copy(lrs, baseLRs, lrs.Length);
        Apply();
    }

    /// <summary>Moves the schedule to after <paramref name="step"/> Step calls and writes that step's LRs (resuming a run).</summary>
    public void SetStep(long step)
    {
        if (step < 0) throw new ArgumentException($"{GetType().Name}.SetStep: the step must be >= 0, got {step}");
        LastEpoch = step;
        Apply();
    }

    /// <summary>Writes LRAt(base, LastEpoch) into every group; each concrete schedule calls it at the end of its constructor.</summary>
    protected void Apply()
    {
        var groups = Optimizer.ParamGroups;
        for (var i = 0; i < groups.Count; i++) groups[i].LR = LRAt(BaseLRs[i], LastEpoch);
    }

    /// <summary>Linear warm-up from startFactor * base to base over warmupSteps, then cosine annealing to etaMin at totalSteps.</summary>
    public static SequentialLR WarmupCosine(Optimizer optimizer, long warmupSteps, long totalSteps, double etaMin = 0, double startFactor = 1e-3)
    {
        if (warmupSteps <= 0 || totalSteps <= warmupSteps)
            throw new ArgumentException($"WarmupCosine: need 0 < warmupSteps < totalSteps, got {warmupSteps} and {totalSteps}");
        return new SequentialLR(optimizer,
            new LRScheduler[] { new LinearLR(optimizer, startFactor, 1.0, warmupSteps), new CosineAnnealingLR(optimizer, totalSteps - warmupSteps, etaMin) },
            new[] { warmupSteps });
    }

    internal static void Positive(string who, string what, double v)
    {
        if (!(v > 0)) throw new ArgumentException($"{who}: {what} must be positive, got {v}");
    }
}

/// <summary>lr_t = base gamma^floor(t / stepSize).</summary>
public sealed class StepLR : LRScheduler
{
    public long StepSize { get; }
    public double Gamma { get; }

    public StepLR(Optimizer optimizer, long stepSize, double gamma = 0.1) : base(optimizer)
    {
        Positive(nameof(StepLR), "stepSize", stepSize);
        (StepSize, Gamma) = (stepSize, gamma);
        Apply();
    }

    public override double LRAt(double baseLR, long step) => baseLR * Math.Pow(Gamma, step / StepSize);
}

/// <summary>lr_t = base gamma^t.</summary>
public sealed class ExponentialLR : LRScheduler
{
    public double Gamma { get; }
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer) { Gamma = gamma; Apply(); }
    public override double LRAt(double baseLR, long step) => baseLR * Math.Pow(Gamma, step);
}

/// <summary>lr_t = etaMin + (base - etaMin) (1 + cos(pi t / tMax)) / 2 (SGDR without restarts; PyTorch's closed form).</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public long TMax { get; }
    public double EtaMin { get; }

    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin = 0) : base(optimizer)
    {
        Positive(nameof(CosineAnnealingLR), "tMax", tMax);
        (TMax, EtaMin) = (tMax, etaMin);
        Apply();
    }

    public override double LRAt(double baseLR, long step) =>
        EtaMin + (baseLR - EtaMin) * (1 + Math.Cos(Math.PI * step / TMax)) / 2;
}

/// <summary>
/// lr_t = base (startFactor + (endFactor - startFactor) min(t, totalIters) / totalIters): a linear warm-up
/// (startFactor &lt; 1 = endFactor) or decay.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    public double StartFactor { get; }
    public double EndFactor { get; }
    public long TotalIters { get; }

    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, long totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentException($"LinearLR: startFactor must be in (0, 1], got {startFactor}");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentException($"LinearLR: endFactor must be in [0, 1], got {endFactor}");
        Positive(nameof(LinearLR), "totalIters", totalIters);
        (StartFactor, EndFactor, TotalIters) = (startFactor, endFactor, totalIters);
        Apply();
    }

    public override double LRAt(double baseLR, long step) =>
        baseLR * (StartFactor + (EndFactor - StartFactor) * Math.Min(step, TotalIters) / TotalIters);
}

/// <summary>lr_t = base f(t) for a user function f (from F#: <c>LambdaLR(opt, fun t -> ...)</c>).</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<long, double> factor;

    public LambdaLR(Optimizer optimizer, Func<long, double> lrLambda) : base(optimizer)
    {
        factor = lrLambda ?? throw new ArgumentNullException(nameof(lrLambda));
        Apply();
    }

    public override double LRAt(double baseLR, long step) => baseLR * factor(step);
}

/// <summary>
/// Runs schedulers one after another: schedulers[i] from milestone[i-1] on, restarted at its own step 0
/// (PyTorch's SequentialLR). The inner schedulers must be built over the same optimizer and are not stepped themselves.
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] schedulers;
    private readonly long[] milestones;

    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<long> milestones) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0) throw new ArgumentException("SequentialLR: give at least one scheduler");
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"SequentialLR: {schedulers.Count} schedulers need {schedulers.Count - 1} milestones, got {milestones.Count}");
        for (var i = 0; i < milestones.Count; i++)
            if (milestones[i] <= (i == 0 ? 0 : milestones[i - 1]))
                throw new ArgumentException($"SequentialLR: milestones must be positive and increasing, got [{string.Join(", ", milestones)}]");
        foreach (var s in schedulers)
            if (!ReferenceEquals(s.Optimizer, optimizer))
                throw new ArgumentException("SequentialLR: every scheduler must belong to the optimizer given to SequentialLR");
        this.schedulers = schedulers.ToArray();
        this.milestones = milestones.ToArray();
        Apply();
    }

    public override double LRAt(double baseLR, long step)
    {
        var i = 0;
        while (i < milestones.Length && step >= milestones[i]) i++;
        return schedulers[i].LRAt(baseLR, i == 0 ? step : step - milestones[i - 1]);
    }
}
