// Autograd.cs: torch.autograd.grad (with create_graph, for Jacobians and higher derivatives) and no-grad scopes.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public static partial class Autograd
{
    /// <summary>
    /// d(sum_i gradOutputs_i . outputs_i)/d(inputs), as torch.autograd.grad. With createGraph the result is
    /// itself differentiable (second derivatives, Jacobian rows). An input the outputs do not depend on
    /// gives null when allowUnused, an error otherwise.
    /// </summary>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null, bool? retainGraph = null, bool createGraph = false, bool allowUnused = false)
    {
        var go = gradOutputs is null ? null : gradOutputs.Select(g => g?.Ptr ?? IntPtr.Zero).ToArray();
        var res = new IntPtr[inputs.Count];
        var retain = retainGraph ?? createGraph;
        Check(gd_autograd_grad(Tensor.Handles(outputs), outputs.Count, Tensor.Handles(inputs), inputs.Count, go!,
            retain ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, res));
        GC.KeepAlive(outputs);
        GC.KeepAlive(inputs);
        GC.KeepAlive(gradOutputs);
        return res.Select(h => h == IntPtr.Zero ? null : new Tensor(h)).ToArray();
    }

    /// <summary>The gradient of one output with respect to one input.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false, bool retainGraph = false) =>
        Grad(new[] { output }, new[] { input }, gradOutput is null ? null : new[] { gradOutput }, retainGraph || createGraph, createGraph)[0]
        ?? throw new TorchException("Grad", "the output does not depend on the input");

    /// <summary>The Jacobian d f(x) / d x of a function R^n -> R^m at a 1-d x, as an (m, n) tensor (row by row).</summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x, bool createGraph = false)
    {
        var xi = x.Detach().RequiresGrad_();
        var y = f(xi).Flatten();
        var m = y.NumEl;
        var rows = new Tensor[m];
        for (long i = 0; i < m; i++)
        {
            using var e = Torch.ZerosLike(y);
            using (var ei = e.Select(0, i)) ei.Fill_(1);
            rows[i] = Grad(new[] { y }, new[] { xi }, new[] { e }, retainGraph: true, createGraph: createGraph, allowUnused: true)[0]
                      ?? Torch.ZerosLike(xi);
        }
        return Torch.Stack(rows).Reshape(m, xi.NumEl);
    }

    public static bool IsGradEnabled { get { Check(gd_grad_mode_get(out var e)); return e != 0; } }

    /// <summary><c>using (Autograd.NoGrad()) { ... }</c>: no graph is recorded inside (torch.no_grad()).</summary>
    public static GradMode NoGrad() => new(false);
    public static GradMode EnableGrad() => new(true);

    public sealed class GradMode : IDisposable
    {
        private readonly int previous;
        private bool disposed;
        internal GradMode(bool enabled) => Check(gd_grad_mode_set(enabled ? 1 : 0, out previous));

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            Check(gd_grad_mode_set(previous, out _));
        }
    }
}
