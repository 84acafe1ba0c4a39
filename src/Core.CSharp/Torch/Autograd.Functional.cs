// Autograd.Functional.cs: torch.autograd.functional's vjp, jvp (by the double-vjp trick), hvp and hessian, and the
// anomaly-detection and inference-mode switches.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public static partial class Autograd
{
    /// <summary>
    /// (f(x), v^T J) with J = df/dx at x (torch.autograd.functional.vjp); v has f(x)'s shape, the product x's. The output is
    /// detached; with createGraph the product is differentiable again.
    /// </summary>
    public static (Tensor Output, Tensor Vjp) Vjp(Func<Tensor, Tensor> f, Tensor x, Tensor v, bool createGraph = false)
    {
        using var scope = Scope.Begin();
        var xi = x.Detach().RequiresGrad_();
        var y = f(xi);
        var g = Grad(new[] { y }, new[] { xi }, new[] { v }, retainGraph: createGraph, createGraph: createGraph, allowUnused: true)[0]
                ?? Torch.ZerosLike(xi);
        return (y.Detach().MoveToOuterScope(), g.MoveToOuterScope());
    }

    /// <summary>
    /// (f(x), J v) (torch.autograd.functional.jvp), by the double-vjp trick: g(u) = u^T J is linear in a dummy u, so the
    /// vjp of g with v is (J v)^T. Two reverse passes, no forward-mode AD needed.
    /// </summary>
    public static (Tensor Output, Tensor Jvp) Jvp(Func<Tensor, Tensor> f, Tensor x, Tensor v, bool createGraph = false)
    {
        using var scope = Scope.Begin();
        var xi = x.Detach().RequiresGrad_();
        var y = f(xi);
        var u = Torch.ZerosLike(y).RequiresGrad_();                                  // any value: g is linear in u
        var g = Grad(new[] { y }, new[] { xi }, new[] { u }, retainGraph: true, createGraph: true, allowUnused: true)[0];
        var jv = g is null ? Torch.ZerosLike(y)
            : Grad(new[] { g }, new[] { u }, new[] { v }, retainGraph: createGraph, createGraph: createGraph, allowUnused: true)[0] ?? Torch.ZerosLike(y);
        return (y.Detach().MoveToOuterScope(), jv.MoveToOuterScope());
    }

    /// <summary>(f(x), H v) for a scalar f, H its Hessian at x (torch.autograd.functional.hvp; H is symmetric, so also vhp).</summary>
    public static (Tensor Output, Tensor Hvp) Hvp(Func<Tensor, Tensor> f, Tensor x, Tensor v, bool createGraph = false)
    {
        using var scope = Scope.Begin();
        var xi = x.Detach().RequiresGrad_();
        var y = f(xi);
        if (y.NumEl != 1) throw new ArgumentException($"Hvp: f must return a single number, got shape [{string.Join(", ", y.Shape)}]");
        var g = Grad(new[] { y }, new[] { xi }, null, retainGraph: true, createGraph: true, allowUnused: true)[0];
        var hv = g is null || !g.RequiresGrad ? Torch.ZerosLike(xi)
            : Grad(new[] { g }, new[] { xi }, new[] { v }, retainGraph: createGraph, createGraph: createGraph, allowUnused: true)[0] ?? Torch.ZerosLike(xi);
        return (y.Detach().MoveToOuterScope(), hv.MoveToOuterScope());
    }

    /// <summary>The Hessian d^2 f / dx dx^T of a scalar f at x, as an (n, n) tensor for x with n elements (row i is H e_i).</summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x, bool createGraph = false)
    {
        using var scope = Scope.Begin();
        var n = x.NumEl;
        var rows = new Tensor[n];
        var flat = Torch.Zeros(new[] { n }, x.Dtype, x.Device);
        for (long i = 0; i < n; i++)
        {
            var e = Torch.ZerosLike(flat);
            using (var ei = e.Select(0, i)) ei.Fill_(1);
            rows[i] = Hvp(f, x, e.Reshape(x.Shape), createGraph).Hvp.Reshape(n);
        }
        return Torch.Stack(rows).MoveToOuterScope();                                // (n, n)
    }

    // ---- anomaly detection: a backward function that returns NaN names itself (and the forward op that made it) ----
    public static bool IsAnomalyEnabled { get { Check(gd_anomaly_mode_get(out var e)); return e != 0; } }
    /// <summary>torch.autograd.set_detect_anomaly(enabled), process-wide; returns the previous setting.</summary>
    public static bool SetDetectAnomaly(bool enabled) { Check(gd_anomaly_mode_set(enabled ? 1 : 0, out var p)); return p != 0; }
    /// <summary><c>using (Autograd.DetectAnomaly()) { ... }</c>: anomaly detection inside, the previous setting restored after.</summary>
    public static IDisposable DetectAnomaly(bool enabled = true) => new Restore(SetDetectAnomaly(enabled), v => SetDetectAnomaly(v));

    // ---- inference mode: no graph and no version counters; tensors made inside can never enter autograd later ----
    public static bool IsInferenceModeEnabled { get { Check(gd_inference_mode_get(out var e)); return e != 0; } }
    /// <summary>
    /// <c>using (Autograd.InferenceMode()) { ... }</c> (torch.inference_mode): faster than NoGrad for pure evaluation; end it
    /// on the thread that began it, innermost first.
    /// </summary>
    public static IDisposable InferenceMode(bool enabled = true)
    {
        Check(gd_inference_mode_enter(enabled ? 1 : 0, out var guard));
        return new InferenceGuard(guard);
    }

    private sealed class InferenceGuard : IDisposable
    {
        private IntPtr guard;
        internal InferenceGuard(IntPtr g) => guard = g;
        public void Dispose()
        {
            var g = Interlocked.Exchange(ref guard, IntPtr.Zero);
            if (g != IntPtr.Zero) Check(gd_inference_mode_exit(g));
        }
    }

    private sealed class Restore : IDisposable
    {
        private readonly bool previous;
        private readonly Action<bool> set;
        private bool done;
        internal Restore(bool previous, Action<bool> set) { this.previous = previous; this.set = set; }
        public void Dispose() { if (!done) { done = true; set(previous); } }
    }
}
