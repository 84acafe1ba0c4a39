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
    // Tensors made outside every scope wait here (one list per thread, never current) before they get their
    // finalizer safety net: a finalizable object per tensor costs more than a small op, and most such tensors are
    // disposed at once (`using var c = a + b;`), leaving this list as they go (see Forget). Those still alive
    // when it reaches PendingLimit get their guard then, and leave it.
    [ThreadStatic] private static Scope? pending;
    private const int PendingLimit = 256;
    private readonly Scope? outer;
    private readonly List<Tensor> owned = new();
    private readonly int pendingThread; // the pending list's thread (0 for a scope)
    private bool disposed;

    private Scope(Scope? outer) => this.outer = outer;
    private Scope(int thread) => pendingThread = thread;

    /// <summary>
    /// The safety net of a scope that was never disposed: its tensors carry no finalizer of their own. The pending
    /// list of a thread that ended gives its tensors their guard instead (they may still be in use elsewhere).
    /// </summary>
    ~Scope()
    {
        foreach (var t in owned)
            if (t.Owner == this)
            {
                if (pendingThread != 0) t.Guard();
                else t.Free();
            }
    }

    public static Scope Begin() => current = new Scope(current);

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static Scope? Current => current;

    /// <summary>How many tensors this scope would free now.</summary>
    public int Count => owned.Count(t => t.Owner == this);

    /// <summary>Gives <paramref name="t"/> to the innermost open scope, or to this thread's pending list when none is open.</summary>
    internal static void Register(Tensor t)
    {
        var s = current;
        if (s is null)
        {
            s = pending ??= new Scope(Environment.CurrentManagedThreadId);
            if (s.owned.Count >= PendingLimit) s.GuardPending();
        }
        t.Owner = s;
        s.owned.Add(t);
    }

    /// <summary>Gives every tensor still alive on the pending list its guard, and empties the list.</summary>
    private void GuardPending()
    {
        foreach (var t in owned)
            if (t.Owner == this)
            {
                t.Owner = null;
                t.Guard();
            }
        owned.Clear();
    }

    /// <summary>A tensor disposed early: drop it if it is the newest entry, so `using` inside a long scope keeps the list short.</summary>
    internal void Forget(Tensor t)
    {
        if (pendingThread != 0 && pendingThread != Environment.CurrentManagedThreadId) return; // another thread's list
        var n = owned.Count;
        if (n > 0 && ReferenceEquals(owned[n - 1], t)) owned.RemoveAt(n - 1);
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
        GC.SuppressFinalize(this);
        // Newest first (the reverse of creation); Owner is cleared first so Tensor.Dispose leaves the list alone.
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            var t = owned[i];
            if (t.Owner != this) continue;
            t.Owner = null;
            t.Free();
        }
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
