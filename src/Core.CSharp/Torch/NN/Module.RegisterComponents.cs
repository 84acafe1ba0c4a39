// Module.RegisterComponents.cs: a module registers its own submodules, parameters and buffers from its fields.
using System.Reflection;

namespace GenDsl.Torch.NN;

public abstract partial class Module
{
    /// <summary>
    /// Registers the module's own fields, by their names, in declaration order (a base class's fields first), as
    /// TorchSharp's <c>RegisterComponents()</c> and PyTorch's attribute assignment do: a field holding a
    /// <see cref="Module"/> becomes a submodule, a <see cref="Tensor"/> that requires grad a parameter (PyTorch's
    /// nn.Parameter), any other Tensor a buffer. Call it at the end of the constructor, once the fields are set:
    /// <code>
    /// sealed class Mlp : Module
    /// {
    ///     private readonly Linear fc1 = new(2, 16), fc2 = new(16, 1);
    ///     private readonly Tensor scale = Torch.Ones(new long[] { 1 }).RequiresGrad_();
    ///     public Mlp() => RegisterComponents();      // "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "scale"
    /// }
    /// </code>
    /// An auto-property registers under the property's name (C# <c>{ get; }</c>, F# <c>member val</c>), a computed
    /// property not at all. Null fields and values already registered (by reference, say by an earlier
    /// <see cref="RegisterModule{T}"/>) are skipped, so calling it twice changes nothing; a name already taken by a
    /// different value is an <see cref="ArgumentException"/>. Keep tensors that are neither parameters nor state to
    /// save (caches) out of fields, or set them after this call.
    /// </summary>
    protected void RegisterComponents()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var chain = new List<Type>();
        for (var t = GetType(); t is not null && t != typeof(Module); t = t.BaseType) chain.Add(t);
        chain.Reverse();
        foreach (var type in chain)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                         .OrderBy(f => f.MetadataToken))
            {
                if (!typeof(Module).IsAssignableFrom(field.FieldType) && !typeof(Tensor).IsAssignableFrom(field.FieldType)) continue;
                var value = field.GetValue(this);
                if (value is null || IsRegistered(value)) continue;
                var name = ComponentName(field.Name);
                switch (value)
                {
                    case Module m: RegisterModule(name, m); break;
                    case Tensor t when t.RequiresGrad: RegisterParameter(name, t); break;
                    case Tensor t: RegisterBuffer(name, t); break;
                }
            }
    }

    private bool IsRegistered(object value) =>
        modules.Values.Any(m => ReferenceEquals(m, value)) ||
        parameters.Values.Any(p => ReferenceEquals(p, value)) ||
        buffers.Values.Any(b => ReferenceEquals(b, value));

    /// <summary>The name a field registers under: C#'s "&lt;Name&gt;k__BackingField" and F#'s "Name@" are auto-properties' Name.</summary>
    internal static string ComponentName(string field)
    {
        if (field.StartsWith('<') && field.IndexOf('>') is var close and > 1) return field[1..close];
        return field.TrimEnd('@');
    }
}
