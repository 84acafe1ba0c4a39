// Store.cs: c10d's key-value store where the ranks of a run meet — FileStore (one machine) or TCPStore (rank 0 hosts it).
using GenDsl.Native;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Distributed;

/// <summary>
/// The rendezvous of a process group: libtorch's <c>c10d::FileStore</c> over a file every rank can open (one
/// machine) or <c>c10d::TCPStore</c> at host:port, served by rank 0 (many machines), as PyTorch's
/// <c>init_process_group(init_method="file://..." | "tcp://...")</c>. Several process groups may share one store:
/// each keeps its keys under its own prefix (see <see cref="ProcessGroup"/>).
/// </summary>
public sealed class Store : IDisposable
{
    private IntPtr handle;
    private int nextGroup;

    private Store(IntPtr h, string address) => (handle, Address) = (h, address);

    /// <summary>The address it was opened at (file://path or tcp://host:port).</summary>
    public string Address { get; }

    /// <summary>A FileStore over <paramref name="path"/> shared by <paramref name="worldSize"/> processes; the last one to close removes the file.</summary>
    public static Store File(string path, int worldSize, TimeSpan timeout)
    {
        ProcessGroup.RequireAvailable();
        ArgumentException.ThrowIfNullOrEmpty(path);
        Check(gd_store_file_new(path, worldSize, timeout.TotalSeconds, out var h), "Store.File");
        return new Store(h, "file://" + path);
    }

    /// <summary>A TCPStore at host:port; <paramref name="isServer"/> (rank 0) hosts it; waits up to timeout for all ranks.</summary>
    public static Store Tcp(string host, int port, int worldSize, bool isServer, TimeSpan timeout)
    {
        ProcessGroup.RequireAvailable();
        ArgumentException.ThrowIfNullOrEmpty(host);
        Check(gd_store_tcp_new(host, port, worldSize, isServer ? 1 : 0, timeout.TotalSeconds, out var h), "Store.Tcp");
        return new Store(h, $"tcp://{host}:{port}");
    }

    private static readonly Dictionary<(string, int, int), Store> shared = new();

    /// <summary>
    /// The one store of this process for (address, rank, world size), opened on first use and kept until the process
    /// exits: every group joined through <see cref="ProcessGroup.Join"/> (one per Trainer, say) meets there under its
    /// own prefix. Reopening a store per group would race: a fast rank could reach the previous group's TCPStore
    /// server, or FileStore file, before a slow rank had closed it, and read that group's keys.
    /// </summary>
    public static Store Shared(DistributedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (shared)
        {
            var key = (options.StoreAddress, options.Rank, options.WorldSize);
            if (shared.TryGetValue(key, out var s) && s.handle != IntPtr.Zero) return s;
            if (shared.Count == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => { lock (shared) foreach (var st in shared.Values) st.Dispose(); };
            return shared[key] = Open(options);
        }
    }

    /// <summary>Opens the store at a DistributedOptions address for this rank (rank 0 serves a TCPStore).</summary>
    public static Store Open(DistributedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var e = StoreEndpoint.Parse(options.StoreAddress);
        return e.FilePath is { } path
            ? File(path, options.WorldSize, options.Timeout)
            : Tcp(e.Host!, e.Port, options.WorldSize, options.Rank == 0, options.Timeout);
    }

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Store));

    /// <summary>The key prefix of the next group made on this store: every rank makes its groups in the same order.</summary>
    internal string NextPrefix() => $"gendsl/pg{Interlocked.Increment(ref nextGroup) - 1}/";

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) gd_store_free(h);
    }
}
