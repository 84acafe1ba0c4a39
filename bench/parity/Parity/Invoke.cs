// Invoke.cs: calls a public member of GenDsl.Core by name (Tensor.Atan2, Torch.Full, Functional.Linear ...), picking the overload from the argument kinds by reflection.
using System.Reflection;
using System.Runtime.CompilerServices;
using GenDsl.Torch;
using TorchT = GenDsl.Torch.Torch;

namespace Parity;

/// <summary>An enum argument by its C# name, e.g. "Reduction.Mean".</summary>
sealed record EnumArg(string Name);

/// <summary>No overload of the member takes these argument kinds (our API cannot express the call).</summary>
sealed class NoOverloadException(string message) : Exception(message);

static class Invoke
{
    public static readonly Dictionary<string, Type> Classes = new()
    {
        ["Tensor"] = typeof(Tensor), ["Torch"] = typeof(TorchT), ["Functional"] = typeof(Functional), ["Linalg"] = typeof(Linalg),
    };

    /// <summary>
    /// Calls Class.Member with positional and named (camelCase) arguments. Tensor members take the first argument as `this` (instance
    /// methods and properties) or all of them (static operators). Among overloads the cheapest conversion wins: a long picks long, then
    /// Scalar, int, double; a double picks double or Scalar; a bool picks bool or Scalar.
    /// </summary>
    public static object? Call(string member, object?[] args, Dictionary<string, object?> named)
    {
        var dot = member.IndexOf('.');
        var type = Classes[member[..dot]];
        var name = member[(dot + 1)..];
        (MethodBase? M, object? Target, object?[] Args, int Cost) best = (null, null, Array.Empty<object?>(), int.MaxValue);
        foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance))
        {
            if (m.Name != name || m.IsGenericMethodDefinition) continue;
            var target = m.IsStatic ? null : args.Length > 0 ? args[0] as Tensor : null;
            if (!m.IsStatic && target is null) continue;
            var pos = m.IsStatic ? args : args[1..];
            if (Bind(m.GetParameters(), pos, named) is { } bound && bound.Cost < best.Cost)
                best = (m, target, bound.Values, bound.Cost);
        }
        if (best.M is null && args.Length == 1 && named.Count == 0 && args[0] is Tensor self &&
            type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { GetMethod: { } getter } && getter.GetParameters().Length == 0)
            best = (getter, self, Array.Empty<object?>(), 0);
        if (best.M is null)
            throw new NoOverloadException($"{member} has no overload for ({string.Join(", ", args.Select(Kind))}" +
                                          $"{string.Concat(named.Select(kv => $", {kv.Key}: {Kind(kv.Value)}"))})");
        try
        {
            return best.M.Invoke(best.Target, best.Args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    static string Kind(object? a) => a switch { null => "null", Tensor => "Tensor", _ => a.GetType().Name };

    static (object?[] Values, int Cost)? Bind(ParameterInfo[] ps, object?[] pos, Dictionary<string, object?> named)
    {
        if (pos.Length > ps.Length) return null;
        var values = new object?[ps.Length];
        var cost = 0;
        var used = 0;
        for (var i = 0; i < ps.Length; i++)
        {
            object? a;
            if (i < pos.Length) a = pos[i];
            else if (named.TryGetValue(ps[i].Name!, out a)) used++;
            else if (ps[i].IsDefined(typeof(ParamArrayAttribute))) { values[i] = Array.CreateInstance(ps[i].ParameterType.GetElementType()!, 0); continue; }
            else if (ps[i].HasDefaultValue) { values[i] = ps[i].DefaultValue; continue; }
            else return null;
            if (Convert(a, ps[i].ParameterType) is not { } c) return null;
            values[i] = c.Value;
            cost += c.Cost;
        }
        return used == named.Count ? (values, cost) : null;
    }

    static (object? Value, int Cost)? Convert(object? a, Type p)
    {
        var u = Nullable.GetUnderlyingType(p) ?? p;
        return a switch
        {
            null => !p.IsValueType || u != p ? (null, 0) : null,
            Tensor t => p.IsAssignableFrom(typeof(Tensor)) ? (t, 0) : null,
            Tensor?[] ts => p.IsAssignableFrom(typeof(Tensor[])) ? (ts, 0) : null,
            long l when u == typeof(long) => (l, 0),
            long l when u == typeof(Scalar) => ((Scalar)l, 1),
            long l when u == typeof(int) && l is >= int.MinValue and <= int.MaxValue => ((int)l, 2),
            long l when u == typeof(double) => ((double)l, 3),
            long l when u == typeof(float) => ((float)l, 4),
            double d when u == typeof(double) => (d, 0),
            double d when u == typeof(Scalar) => ((Scalar)d, 1),
            double d when u == typeof(float) => ((float)d, 2),
            bool b when u == typeof(bool) => (b, 0),
            bool b when u == typeof(Scalar) => ((Scalar)b, 1),
            long[] ls when u == typeof(long[]) => (ls, 0),
            ScalarType s when u == typeof(ScalarType) => (s, 0),
            Generator g when p.IsAssignableFrom(typeof(Generator)) => (g, 0),
            EnumArg e when u.IsEnum && e.Name.StartsWith(u.Name + ".") => (Enum.Parse(u, e.Name[(u.Name.Length + 1)..]), 0),
            string s when u == typeof(string) => (s, 0),
            _ => null,
        };
    }

    /// <summary>Flattens a result into tensors, dtypes and nulls: tuples and arrays item by item, numbers and shapes as 0-d / 1-d tensors.</summary>
    public static IEnumerable<object?> Flatten(object? r)
    {
        switch (r)
        {
            case null: yield return null; break;
            case Tensor t: yield return t; break;
            case Tensor[] ts: foreach (var t in ts) yield return t; break;
            case ITuple tup:
                for (var i = 0; i < tup.Length; i++)
                    foreach (var x in Flatten(tup[i])) yield return x;
                break;
            case long[] ls: yield return TorchT.Tensor<long>(ls.AsSpan(), new long[] { ls.Length }); break;
            case bool b: yield return TorchT.Tensor<bool>(new[] { b }.AsSpan(), Array.Empty<long>()); break;
            case long l: yield return TorchT.Tensor<long>(new[] { l }.AsSpan(), Array.Empty<long>()); break;
            case int i: yield return TorchT.Tensor<long>(new[] { (long)i }.AsSpan(), Array.Empty<long>()); break;
            case double d: yield return TorchT.Tensor<double>(new[] { d }.AsSpan(), Array.Empty<long>()); break;
            case ScalarType s: yield return s; break;
            default: throw new ArgumentException($"cannot compare a result of type {r.GetType().Name}");
        }
    }
}
