// Scope.cs: a dispose scope — every tensor created while it is current is freed when it ends, unless moved out.
namespace GenDsl.Torch;

/// <summary>
/// <code>
/// using (var scope = Scope.Begin()) { var y = f(x); return y.MoveToOuterScope(); }
/// </code>
/// Scopes nest; a tensor belongs to the innermost scope open on its thread when it was made.
/// Training loops open one per step, so memory stays flat for any number of steps.
/// </summary>
public sealed class Scope : IDisposable
{
    [ThreadStatic] private static Scope? current;
    private readonly Scope? outer;
    private readonly List<Tensor> owned = new();
    private bool disposed;

    private Scope(Scope? outer) => this.outer = outer;

    public static Scope Begin() => current = new Scope(current);

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static Scope? Current => current;

    /// <summary>How many tensors this scope would free now.</summary>
    public int Count => owned.Count(t => t.Owner == this);

    internal static void Register(Tensor t)
    {
        var s = current;
        if (s is null) return;
        t.Owner = s;
        s.owned.Add(t);
    }

    internal void MoveOut(Tensor t)
    {
        t.Owner = outer;
        outer?.owned.Add(t);
    }

    /// <summary>Ends the scope, disposing the tensors it still owns (tensors moved out are left alone).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in owned)
            if (t.Owner == this) t.Dispose();
        owned.Clear();
        // Scopes end in LIFO order; if an inner one was leaked, unwind past it.
        if (current == this) current = outer;
        else
        {
            for (var s = current; s != null; s = s.outer)
                if (s.outer == this) { current = outer; break; }
        }
    }
}
