// Optimizer.cs: torch.optim.Optimizer — parameter groups, per-parameter state, Step/ZeroGrad, state dicts.
using System.Globalization;

namespace GenDsl.Torch.Optim;

/// <summary>
/// Parameters that share a learning rate and weight decay (PyTorch's param_groups entry). Values left null
/// take the optimizer's defaults: <c>new ParamGroup(model.Parameters())</c>, <c>new ParamGroup(biases, weightDecay: 0)</c>.
/// </summary>
public sealed class ParamGroup
{
    private readonly double? lr, weightDecay;

    public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        (this.lr, this.weightDecay) = (lr, weightDecay);
    }

    public IReadOnlyList<Tensor> Parameters { get; }
    /// <summary>The learning rate now; LR schedulers write it.</summary>
    public double LR { get; set; }
    public double WeightDecay { get; set; }
    /// <summary>The learning rate the first scheduler attached found (PyTorch's 'initial_lr'); schedules scale it.</summary>
    public double? InitialLR { get; internal set; }

    internal void Fill(double defaultLR, double defaultWeightDecay)
    {
        LR = lr ?? defaultLR;
        WeightDecay = weightDecay ?? defaultWeightDecay;
        Optimizer.CheckNonNegative("lr", LR);
        Optimizer.CheckNonNegative("weightDecay", WeightDecay);
    }
}

/// <summary>One parameter's optimizer state: the number of steps taken and named tensors (momentum buffers, moments).</summary>
public sealed class ParamState
{
    public long Step { get; internal set; }
    public Dictionary<string, Tensor> Tensors { get; } = new();

    /// <summary>The state tensor <paramref name="name"/>, created by <paramref name="create"/> (outside every scope) on first use.</summary>
    internal Tensor GetOrAdd(string name, Func<Tensor> create)
    {
        if (!Tensors.TryGetValue(name, out var t)) Tensors[name] = t = create().DetachFromScope();
        return t;
    }
}

/// <summary>
/// The base of SGD, Adam, AdamW: holds parameter groups and per-parameter state. <see cref="Step()"/> updates
/// every parameter that has a gradient, in place, without recording autograd, freeing its temporaries.
/// <code>opt.ZeroGrad(); loss.Backward(); opt.Step();</code>
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> groups;
    private readonly Dictionary<Tensor, ParamState> state = new(ReferenceEqualityComparer.Instance);

    protected Optimizer(IEnumerable<ParamGroup> paramGroups, double lr, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        groups = paramGroups.ToList();
        if (groups.Count == 0 || groups.All(g => g.Parameters.Count == 0))
            throw new ArgumentException($"{GetType().Name}: got an empty parameter list; pass model.Parameters() of a model that has parameters");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in groups)
        {
            g.Fill(lr, weightDecay);
            foreach (var p in g.Parameters)
            {
                if (p.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"{GetType().Name}: a parameter was already disposed");
                if (!p.IsLeaf) throw new ArgumentException($"{GetType().Name}: can only optimize leaf tensors (parameters), not results of operations");
                if (!seen.Add(p)) throw new ArgumentException($"{GetType().Name}: a parameter appears twice (in one group or in two)");
            }
        }
    }

    internal static void CheckNonNegative(string what, double v)
    {
        if (!(v >= 0)) throw new ArgumentException($"{what} must be a non-negative number, got {v}");
    }

    public IReadOnlyList<ParamGroup> ParamGroups => groups;

    /// <summary>Every parameter, group by group.</summary>
    public IEnumerable<Tensor> Parameters => groups.SelectMany(g => g.Parameters);

    /// <summary>The first group's learning rate; setting it sets every group's.</summary>
    public double LR
    {
        get => groups[0].LR;
        set
        {
            CheckNonNegative("lr", value);
            foreach (var g in groups) g.LR = value;
        }
    }

    /// <summary>The state of <paramref name="parameter"/> (empty before its first step).</summary>
    public ParamState State(Tensor parameter)
    {
        if (!state.TryGetValue(parameter, out var s)) state[parameter] = s = new ParamState();
        return s;
    }

    /// <summary>Clears the gradients of every parameter (set to none, PyTorch's default) or zeroes them in place.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters) NN.Module.ZeroGradOf(p, setToNone);
    }

    /// <summary>One update of every parameter with a gradient (parameters without one are skipped, as in PyTorch).</summary>
    public void Step()
    {
        using var scope = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        foreach (var g in groups)
            foreach (var p in g.Parameters)
                if (p.Grad is { } grad)
                    Update(p, grad, g, State(p));
    }

    /// <summary>Evaluates <paramref name="closure"/> (which should zero grads, compute the loss and call Backward), then steps; returns the loss.</summary>
    public Tensor Step(Func<Tensor> closure)
    {
        Tensor loss;
        using (Autograd.EnableGrad()) loss = closure();
        Step();
        return loss;
    }

    /// <summary>Updates one parameter in place; called under no-grad inside a scope that frees temporaries.</summary>
    protected abstract void Update(Tensor param, Tensor grad, ParamGroup group, ParamState state);

    /// <summary>Rescales the gradients of all parameters so their joint norm is at most maxNorm; returns the norm before.</summary>
    public double ClipGradNorm(double maxNorm, double normType = 2) => NN.Utils.ClipGradNorm_(Parameters, maxNorm, normType);

    // ---- state dicts: flat {name: tensor}, so Torch.Save writes them ----
    /// <summary>
    /// The optimizer's state as tensors: "state.{i}.{name}" and "state.{i}.step" for the i-th parameter (counting
    /// across groups, as PyTorch), and "param_groups.{g}.lr" / ".weight_decay" / ".initial_lr". Copies.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        var i = 0;
        foreach (var p in Parameters)
        {
            if (state.TryGetValue(p, out var s))
            {
                d[$"state.{i}.step"] = Torch.Scalar(s.Step, ScalarType.Float64);
                foreach (var (name, t) in s.Tensors) d[$"state.{i}.{name}"] = t.Clone();
            }
            i++;
        }
        for (var g = 0; g < groups.Count; g++)
        {
            d[$"param_groups.{g}.lr"] = Torch.Scalar(groups[g].LR, ScalarType.Float64);
            d[$"param_groups.{g}.weight_decay"] = Torch.Scalar(groups[g].WeightDecay, ScalarType.Float64);
            if (groups[g].InitialLR is { } lr0) d[$"param_groups.{g}.initial_lr"] = Torch.Scalar(lr0, ScalarType.Float64);
        }
        return d;
    }

    /// <summary>Restores a state from <see cref="StateDict"/> of an optimizer of the same kind over the same parameter shapes.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var ps = Parameters.ToList();
        var parsed = new Dictionary<int, (long Step, Dictionary<string, Tensor> Tensors)>();
        foreach (var (key, t) in stateDict)
        {
            var parts = key.Split('.');
            if (parts.Length == 3 && parts[0] == "state" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            {
                if (i >= ps.Count) throw new ArgumentException($"{GetType().Name}.LoadStateDict: '{key}' refers to parameter {i} but this optimizer has {ps.Count}");
                if (!parsed.TryGetValue(i, out var e)) parsed[i] = e = (0, new Dictionary<string, Tensor>());
                if (parts[2] == "step") parsed[i] = (checked((long)t.ToDouble()), e.Tensors);
                else if (!t.Shape.SequenceEqual(ps[i].Shape))
                    throw new ArgumentException($"{GetType().Name}.LoadStateDict: '{key}' has shape [{string.Join(", ", t.Shape)}] but parameter {i} has [{string.Join(", ", ps[i].Shape)}]");
                else e.Tensors[parts[2]] = t;
            }
            else if (parts.Length == 3 && parts[0] == "param_groups" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g < groups.Count)
            {
                switch (parts[2])
                {
                    case "lr": groups[g].LR = t.ToDouble(); break;
                    case "weight_decay": groups[g].WeightDecay = t.ToDouble(); break;
                    case "initial_lr": groups[g].InitialLR = t.ToDouble(); break;
                    default: throw new ArgumentException($"{GetType().Name}.LoadStateDict: unknown key '{key}'");
                }
            }
            else throw new ArgumentException($"{GetType().Name}.LoadStateDict: unknown key '{key}' (expected state.<i>.<name> or param_groups.<g>.<setting>)");
        }
        ClearState();
        using var scope = Scope.Begin();
        foreach (var (i, (step, tensors)) in parsed)
        {
            var s = State(ps[i]);
            s.Step = step;
            using (Autograd.NoGrad())
                foreach (var (name, t) in tensors)
                    s.Tensors[name] = t.To(ps[i].Device, ps[i].Dtype).Clone().DetachFromScope();
        }
    }

    private void ClearState()
    {
        foreach (var s in state.Values)
            foreach (var t in s.Tensors.Values) t.Dispose();
        state.Clear();
    }

    /// <summary>Frees the state tensors (not the parameters, which the model owns).</summary>
    public void Dispose()
    {
        ClearState();
        GC.SuppressFinalize(this);
    }
}
