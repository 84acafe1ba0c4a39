// Module.cs: torch.nn.Module — named parameters, buffers and submodules, train/eval, state dicts and files.
using System.Text;

namespace GenDsl.Torch.NN;

/// <summary>What <see cref="Module.LoadStateDict"/> did not match: keys the module has but the dict lacks, and the reverse.</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

/// <summary>
/// A layer or model, as torch.nn.Module: it owns parameters (leaf tensors with requires_grad), buffers
/// (state that is saved but not trained) and submodules, each registered under a name. Names nest with
/// dots, as in PyTorch ("layers.0.weight"), so state dicts line up with PyTorch's.
/// <code>
/// sealed class Mlp : Module
/// {
///     private readonly Linear fc1, fc2;
///     public Mlp() { fc1 = RegisterModule("fc1", new Linear(2, 16)); fc2 = RegisterModule("fc2", new Linear(16, 1)); }
///     public override Tensor Forward(Tensor x) => fc2.Forward(fc1.Forward(x).Relu());
/// }
/// </code>
/// Parameters are taken out of every <see cref="Scope"/> when registered, so a model made inside a scope
/// survives it; dispose the module (or let the GC collect it) to free them.
/// </summary>
public abstract partial class Module : IDisposable
{
    private readonly OrderedDictionary<string, Tensor?> parameters = new();
    private readonly OrderedDictionary<string, Tensor?> buffers = new();
    private readonly HashSet<string> nonPersistent = new();
    private readonly OrderedDictionary<string, Module> modules = new();
    private bool disposed;

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>; Dropout reads it.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The module's output for one input. Modules with several inputs define their own methods instead.</summary>
    public virtual Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{GetType().Name} does not define Forward(Tensor); call its own forward method instead");

    /// <summary>Same as <see cref="Forward"/> (PyTorch's <c>module(x)</c>); from F#: <c>x |> model.Invoke</c>.</summary>
    public Tensor Invoke(Tensor input) => Forward(input);

    // ---- registration ----
    private void CheckName(string name, string what)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: {what} name '{name}' must be non-empty and contain no '.'", nameof(name));
        if (parameters.ContainsKey(name) || buffers.ContainsKey(name) || modules.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered; pick another for this {what}", nameof(name));
    }

    /// <summary>
    /// Registers a parameter (null registers an absent one, like a bias of None) and returns it. The tensor
    /// must be a leaf; it is set to require grad and detached from every scope.
    /// </summary>
    public Tensor RegisterParameter(string name, Tensor tensor) => RegisterOptionalParameter(name, tensor)!;

    /// <summary>As <see cref="RegisterParameter"/>, allowing null for an absent parameter (PyTorch's <c>register_parameter(name, None)</c>).</summary>
    public Tensor? RegisterOptionalParameter(string name, Tensor? tensor)
    {
        CheckName(name, "parameter");
        if (tensor is not null)
        {
            if (!tensor.IsLeaf)
                throw new ArgumentException($"{GetType().Name}: parameter '{name}' is not a leaf tensor (it was computed from others); register tensor.Detach() instead");
            tensor.DetachFromScope().RequiresGrad = true;
        }
        parameters.Add(name, tensor);
        return tensor;
    }

    /// <summary>Registers a buffer: state moved and saved with the module but not trained (persistent=false: not saved).</summary>
    public Tensor? RegisterBuffer(string name, Tensor? tensor, bool persistent = true)
    {
        CheckName(name, "buffer");
        tensor?.DetachFromScope();
        buffers.Add(name, tensor);
        if (!persistent) nonPersistent.Add(name);
        return tensor;
    }

    /// <summary>Registers a submodule; its parameters appear under "name.".</summary>
    public T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name, "submodule");
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{GetType().Name}: a module cannot contain itself");
        modules.Add(name, module);
        return module;
    }

    /// <summary>The parameter at a dotted path such as "layers.0.weight" (null when registered absent).</summary>
    public Tensor? GetParameter(string target)
    {
        var (m, name) = Resolve(target);
        return m.parameters.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"{m.GetType().Name} has no parameter '{name}' (looked up '{target}')");
    }

    /// <summary>The buffer at a dotted path.</summary>
    public Tensor? GetBuffer(string target)
    {
        var (m, name) = Resolve(target);
        return m.buffers.TryGetValue(name, out var b) ? b : throw new KeyNotFoundException($"{m.GetType().Name} has no buffer '{name}' (looked up '{target}')");
    }

    /// <summary>The submodule at a dotted path such as "layers.0".</summary>
    public Module GetSubmodule(string target)
    {
        var m = this;
        if (target.Length == 0) return m;
        foreach (var part in target.Split('.'))
            m = m.modules.TryGetValue(part, out var sub) ? sub
                : throw new KeyNotFoundException($"{GetType().Name} has no submodule '{target}' (no '{part}')");
        return m;
    }

    private (Module, string) Resolve(string target)
    {
        var dot = target.LastIndexOf('.');
        return dot < 0 ? (this, target) : (GetSubmodule(target[..dot]), target[(dot + 1)..]);
    }

    /// <summary>Replaces a registered buffer's tensor (e.g. a running statistic recomputed out of place); the old one is disposed.</summary>
    public void SetBuffer(string name, Tensor? tensor)
    {
        if (!buffers.TryGetValue(name, out var old)) throw new KeyNotFoundException($"{GetType().Name} has no buffer '{name}'");
        tensor?.DetachFromScope();
        buffers[name] = tensor;
        if (old is not null && !ReferenceEquals(old, tensor)) old.Dispose();
    }

    // ---- traversal (dotted names, registration order, depth first, as PyTorch) ----
    public IEnumerable<(string Name, Module Module)> NamedChildren() => modules.Select(kv => (kv.Key, kv.Value));
    public IEnumerable<Module> Children() => modules.Values;

    /// <summary>This module (name "") and every descendant, with dotted names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, m) in modules)
            foreach (var sub in m.NamedModules(Join(prefix, name)))
                yield return sub;
    }

    public IEnumerable<Module> Modules() => NamedModules().Select(x => x.Module);

    /// <summary>Every parameter of this module and its descendants, named like PyTorch ("layers.0.weight").</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true) =>
        Named(m => m.parameters, _ => true, recurse);

    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(x => x.Parameter);

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true) =>
        Named(m => m.buffers, _ => true, recurse);

    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse).Select(x => x.Buffer);

    private IEnumerable<(string, Tensor)> Named(Func<Module, OrderedDictionary<string, Tensor?>> pick,
        Func<(Module, string), bool> keep, bool recurse)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var mods = recurse ? NamedModules() : new[] { ("", this) };
        foreach (var (prefix, m) in mods)
            foreach (var (name, t) in pick(m))
                if (t is not null && keep((m, name)) && seen.Add(t))
                    yield return (Join(prefix, name), t);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes and gradients ----
    /// <summary>Sets training mode on this module and every descendant; returns this.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var m in Modules()) m.Training = mode;
        return this;
    }

    /// <summary>Evaluation mode (Dropout off); same as <c>Train(false)</c>.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears every parameter's gradient (set to none, PyTorch's default), or zeroes it in place.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters()) ZeroGradOf(p, setToNone);
    }

    internal static void ZeroGradOf(Tensor p, bool setToNone)
    {
        if (setToNone) { p.Grad = null; return; }
        using var g = p.Grad;
        g?.Zero_();
    }

    /// <summary>Turns gradient tracking of every parameter on or off (freezing); returns this.</summary>
    public Module RequiresGrad_(bool requiresGrad = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = requiresGrad;
        return this;
    }

    // ---- devices and dtypes ----
    /// <summary>
    /// Moves every parameter and buffer to <paramref name="device"/>, replacing them (the old tensors are
    /// disposed): create optimizers after moving, as in PyTorch. Returns this.
    /// </summary>
    public Module To(Device device) => Convert(t => t.To(device), floatingOnly: false);

    /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> (e.g. Float64); returns this.</summary>
    public Module To(ScalarType dtype) => Convert(t => t.To(dtype), floatingOnly: true);

    private Module Convert(Func<Tensor, Tensor> f, bool floatingOnly)
    {
        foreach (var m in Modules())
        {
            foreach (var name in m.parameters.Keys.ToList())
                if (m.parameters[name] is { } p && (!floatingOnly || IsFloating(p)))
                {
                    Tensor moved;
                    using (Autograd.NoGrad()) moved = f(p).DetachFromScope();
                    moved.RequiresGrad = p.RequiresGrad;
                    m.parameters[name] = moved;
                    if (!ReferenceEquals(moved, p)) p.Dispose();
                }
            foreach (var name in m.buffers.Keys.ToList())
                if (m.buffers[name] is { } b && (!floatingOnly || IsFloating(b)))
                {
                    using (Autograd.NoGrad()) m.buffers[name] = f(b).DetachFromScope();
                    b.Dispose();
                }
        }
        return this;
    }

    private static bool IsFloating(Tensor t) => t.Dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16;

    // ---- state dicts and files ----
    /// <summary>
    /// {dotted name: tensor} for every parameter and persistent buffer. The tensors are detached handles that
    /// share storage with the module (as PyTorch's state_dict); they belong to the current scope, if any.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (name, t) in StateEntries()) d[name] = t.Detach();
        return d;
    }

    private IEnumerable<(string Name, Tensor Tensor)> StateEntries() =>
        NamedParameters().Concat(Named(m => m.buffers, mb => !mb.Item1.nonPersistent.Contains(mb.Item2), true));

    /// <summary>
    /// Copies the dict's tensors into this module's parameters and buffers (no autograd). With strict, a key
    /// the module has but the dict lacks (missing) or the reverse (unexpected) is an error naming the keys;
    /// without, they are returned. A shape mismatch is always an error.
    /// </summary>
    public LoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = StateEntries().ToList();
        var missing = own.Where(e => !stateDict.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var ownNames = own.Select(e => e.Name).ToHashSet();
        var unexpected = stateDict.Keys.Where(k => !ownNames.Contains(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            var sb = new StringBuilder($"Error loading the state dict into {GetType().Name}:");
            if (missing.Count > 0) sb.Append(" missing keys: ").AppendJoin(", ", missing.Select(k => $"\"{k}\"")).Append('.');
            if (unexpected.Count > 0) sb.Append(" unexpected keys: ").AppendJoin(", ", unexpected.Select(k => $"\"{k}\"")).Append('.');
            sb.Append(" Check that the file was saved from the same architecture, or pass strict: false to load the keys that match.");
            throw new ArgumentException(sb.ToString(), nameof(stateDict));
        }
        var mismatched = new List<string>();
        foreach (var (name, t) in own)
            if (stateDict.TryGetValue(name, out var src) && !src.Shape.SequenceEqual(t.Shape))
                mismatched.Add($"\"{name}\": the dict has [{string.Join(", ", src.Shape)}], the module [{string.Join(", ", t.Shape)}]");
        if (mismatched.Count > 0)
            throw new ArgumentException($"Error loading the state dict into {GetType().Name}: size mismatch for " +
                                        string.Join("; ", mismatched) + ". The model's configuration differs from the one saved.", nameof(stateDict));
        using (Autograd.NoGrad())
            foreach (var (name, t) in own)
                if (stateDict.TryGetValue(name, out var src)) t.Copy_(src);
        return new LoadResult(missing, unexpected);
    }

    /// <summary>Writes the state dict to <paramref name="path"/> as a torch.save-compatible {name: tensor} file (PyTorch's torch.load reads it).</summary>
    public void Save(string path)
    {
        using var scope = Scope.Begin();
        Torch.Save(StateDict(), path);
    }

    /// <summary>
    /// Loads a file written by <see cref="Save"/> into this module; returns this. From PyTorch, save a plain dict:
    /// <c>torch.save(dict(model.state_dict()), path)</c> (libtorch's reader does not rebuild an OrderedDict).
    /// </summary>
    public Module Load(string path, bool strict = true)
    {
        using var scope = Scope.Begin();
        var d = Torch.Load(path);
        try { LoadStateDict(d, strict); }
        finally { foreach (var t in d.Values) t.Dispose(); }
        return this;
    }

    // ---- printing and disposal ----
    /// <summary>The constructor arguments shown in <see cref="ToString"/>, e.g. "in_features=2, out_features=3, bias=True".</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>PyTorch's module repr: the class name, its settings and its children, indented.</summary>
    public override string ToString()
    {
        var name = GetType().Name;
        if (modules.Count == 0) return $"{name}({ExtraRepr()})";
        var sb = new StringBuilder(name).Append('(');
        var extra = ExtraRepr();
        if (extra.Length > 0) sb.Append("\n  ").Append(extra);
        foreach (var (n, m) in modules)
            sb.Append("\n  (").Append(n).Append("): ").Append(m.ToString().Replace("\n", "\n  "));
        return sb.Append("\n)").ToString();
    }

    /// <summary>Frees the parameters and buffers of this module and its descendants.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var m in modules.Values) m.Dispose();
        foreach (var p in parameters.Values) p?.Dispose();
        foreach (var b in buffers.Values) b?.Dispose();
        GC.SuppressFinalize(this);
    }
}
