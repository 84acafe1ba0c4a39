// Containers.cs: Sequential (a chain of modules) and ModuleList (an indexable list of submodules).
using System.Collections;

namespace GenDsl.Torch.NN;

/// <summary>
/// Applies its modules in order; they are named "0", "1", ... (or as given to <see cref="Add"/>), so the
/// parameters are "0.weight", "0.bias", ... as in PyTorch.
/// <code>var mlp = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1));</code>
/// </summary>
public sealed class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> items = new();

    public Sequential(params Module[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    /// <summary>Appends a module named by its position; returns this.</summary>
    public Sequential Append(Module module) => Add(items.Count.ToString(), module);

    /// <summary>Appends a module under its own name; returns this.</summary>
    public Sequential Add(string name, Module module)
    {
        items.Add(RegisterModule(name, module));
        return this;
    }

    public int Count => items.Count;
    public Module this[int index] => items[index];

    /// <summary>modules[n-1](...modules[0](input)); the intermediates belong to the current scope.</summary>
    public override Tensor Forward(Tensor input)
    {
        if (items.Count == 0) return input.Alias();
        var x = input;
        foreach (var m in items) x = m.Forward(x);
        return x;
    }

    public IEnumerator<Module> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of submodules named "0", "1", ... whose parameters the parent sees ("layers.0.weight"); it has no Forward.</summary>
public sealed class ModuleList : Module, IReadOnlyList<Module>
{
    private readonly List<Module> items = new();

    public ModuleList(params Module[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    public ModuleList Append(Module module)
    {
        items.Add(RegisterModule(items.Count.ToString(), module));
        return this;
    }

    public int Count => items.Count;
    public Module this[int index] => items[index];
    public IEnumerator<Module> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
