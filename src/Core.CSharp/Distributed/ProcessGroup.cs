// ProcessGroup.cs: a c10d Gloo process group (rank, world size, timeout) and its collectives — all-reduce, broadcast, barrier.
using GenDsl.Torch;
using GenDsl.Torch.NN;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce_"/> combines the ranks' tensors (torch.distributed.ReduceOp).</summary>
public enum ReduceOp { Sum = 0, Avg = 1, Max = 2, Min = 3 }

/// <summary>
/// W processes that exchange tensors through libtorch's <c>c10d::ProcessGroupGloo</c> (PyTorch's
/// <c>dist.new_group(backend="gloo")</c>): in-place all-reduce, broadcast and barrier on CPU tensors. Every rank calls
/// every collective in the same order with tensors of the same shape and dtype; a rank that died or never comes makes
/// the collective throw <see cref="TorchException"/> after <see cref="Timeout"/> at the latest (sooner when the
/// peer's connection closes), never hang. Gradient synchronisation for a module is <see cref="GradSync"/>.
/// <code>
/// using var pg = ProcessGroup.Join(new DistributedOptions { WorldSize = 2, Rank = r, StoreAddress = "file:///tmp/s" });
/// pg.AllReduce_(t, ReduceOp.Avg);
/// </code>
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private static readonly Lazy<bool> available = new(() => { Check(gd_dist_available(out var a), "ProcessGroup.IsAvailable"); return a != 0; });
    private IntPtr handle;

    /// <summary>
    /// Joins the group of <paramref name="worldSize"/> ranks meeting at <paramref name="store"/> as
    /// <paramref name="rank"/> (blocks until all ranks have joined, or throws after <paramref name="timeout"/>).
    /// deviceHost: the address Gloo listens on (null: GLOO_SOCKET_IFNAME, else this machine's hostname, else loopback).
    /// </summary>
    public ProcessGroup(Store store, int rank, int worldSize, TimeSpan timeout, string? deviceHost = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (worldSize < 1 || rank < 0 || rank >= worldSize)
            throw new ArgumentException($"ProcessGroup: rank must be in 0..{worldSize - 1} for a world of {worldSize} (got rank {rank})");
        if (!(timeout > TimeSpan.Zero)) throw new ArgumentException($"ProcessGroup: the timeout must be positive (got {timeout})");
        Check(gd_pg_gloo_new(store.Handle, store.NextPrefix(), rank, worldSize, timeout.TotalSeconds, deviceHost, out handle), "ProcessGroup.Join");
        (Rank, WorldSize, Timeout) = (rank, worldSize, timeout);
    }

    /// <summary>
    /// Joins a new group at the store of <paramref name="options"/> (<see cref="Store.Shared"/>: one per process and
    /// address, kept open; each group keeps its keys under its own prefix, so every rank must join its groups in the same order).
    /// </summary>
    public static ProcessGroup Join(DistributedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var host = StoreEndpoint.Parse(options.StoreAddress).IsLoopback ? "127.0.0.1" : null;
        return new ProcessGroup(Store.Shared(options), options.Rank, options.WorldSize, options.Timeout, host);
    }

    /// <summary>Whether this build of the native library has c10d with Gloo (else every call throws).</summary>
    public static bool IsAvailable => available.Value;

    internal static void RequireAvailable()
    {
        if (!IsAvailable)
            throw new NotSupportedException("GenDsl was not built with c10d (libtorch's distributed engine with Gloo): install the gloo headers (Debian: libgloo-dev) and rebuild native/ (remove native/build)");
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public TimeSpan Timeout { get; }

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    /// <summary>In place: t becomes the reduction of every rank's t (Avg: the sum divided by W).</summary>
    public void AllReduce_(Tensor t, ReduceOp op = ReduceOp.Sum) => Check(gd_pg_all_reduce_(Handle, t, (int)op));

    /// <summary>In place: t becomes rank <paramref name="root"/>'s t on every rank.</summary>
    public void Broadcast_(Tensor t, int root = 0) => Check(gd_pg_broadcast_(Handle, t, root));

    /// <summary>Returns when every rank has reached it.</summary>
    public void Barrier() => Check(gd_pg_barrier(Handle));

    /// <summary>Copies rank root's state dict (parameters and buffers) into every rank's module, in place.</summary>
    public void BroadcastModule(Module module, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = Scope.Begin();
        using var noGrad = Autograd.NoGrad();
        foreach (var (_, t) in module.StateDict().OrderBy(kv => kv.Key, StringComparer.Ordinal)) Broadcast_(t, root);
    }

    /// <summary>Element-wise sum over the ranks of a few doubles (metrics, flags), as one float64 all-reduce.</summary>
    public double[] AllReduceSum(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) return values;
        using var scope = Scope.Begin();
        var t = Torch.Torch.Tensor<double>(values, values.Length);
        AllReduce_(t);
        return t.ToArray<double>();
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) gd_pg_free(h);
    }
}
