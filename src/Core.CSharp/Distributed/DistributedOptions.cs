// DistributedOptions.cs: the settings of a data-parallel run (backend, world size, rank, store address, timeout), also read from torchrun's environment variables.
namespace GenDsl.Distributed;

/// <summary>
/// How one process joins a data-parallel run: <c>new DistributedOptions { WorldSize = 2, Rank = r, StoreAddress = "file:///tmp/run/store" }</c>.
/// StoreAddress is where the ranks meet: <c>file://&lt;path&gt;</c> (a FileStore: processes on one machine sharing a
/// file) or <c>tcp://host:port</c> (a TCPStore hosted by rank 0: any number of machines). Every collective, and the
/// meeting itself, fails with an error after <see cref="Timeout"/> rather than waiting forever for a rank that died.
/// </summary>
public sealed record DistributedOptions
{
    /// <summary>The communication backend; "gloo" (CPU tensors) is the one built.</summary>
    public string Backend { get; init; } = "gloo";

    /// <summary>W, the number of processes (ranks) in the run.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>This process's rank, 0..W-1; rank 0 broadcasts the initial parameters and alone writes checkpoints.</summary>
    public int Rank { get; init; }

    /// <summary><c>file://&lt;path&gt;</c> or <c>tcp://host:port</c> (a bare <c>host:port</c> means tcp).</summary>
    public string StoreAddress { get; init; } = "";

    /// <summary>How long the meeting and each collective may wait for the other ranks before failing.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The gradients are all-reduced in flat buckets of at most this many bytes (PyTorch DDP's 25 MB).</summary>
    public long BucketBytes { get; init; } = 25L << 20;

    /// <summary>
    /// All-reduce each bucket of gradients as soon as backward has computed it, overlapping communication with the rest
    /// of backward (<see cref="OverlappedGradSync"/>: buckets in reverse parameter order, the first at most 1 MiB, as DDP);
    /// false: all buckets after backward (<see cref="GradSync"/>). Both give the same gradients.
    /// </summary>
    public bool OverlapBackward { get; init; }

    /// <summary>
    /// torchrun's convention: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and GENDSL_DIST_TIMEOUT, seconds;
    /// GENDSL_DIST_OVERLAP, 1 for <see cref="OverlapBackward"/>; GENDSL_DIST_BUCKET_BYTES, <see cref="BucketBytes"/>) from
    /// the environment; null when WORLD_SIZE is not set. The store is the TCPStore at MASTER_ADDR:MASTER_PORT.
    /// </summary>
    public static DistributedOptions? FromEnvironment()
    {
        var world = Environment.GetEnvironmentVariable("WORLD_SIZE");
        if (string.IsNullOrEmpty(world)) return null;
        static int Int(string name, string? value) => int.TryParse(value, out var v) ? v
            : throw new ArgumentException($"DistributedOptions.FromEnvironment: {name} = '{value}' is not an integer; set it as torchrun does (RANK=0, WORLD_SIZE=2, MASTER_PORT=29500)");
        var addr = Environment.GetEnvironmentVariable("MASTER_ADDR") is { Length: > 0 } a ? a : "127.0.0.1";
        var port = Int("MASTER_PORT", Environment.GetEnvironmentVariable("MASTER_PORT") is { Length: > 0 } p ? p : "29500");
        var o = new DistributedOptions
        {
            WorldSize = Int("WORLD_SIZE", world),
            Rank = Int("RANK", Environment.GetEnvironmentVariable("RANK") ?? "0"),
            StoreAddress = $"tcp://{addr}:{port}",
        };
        if (Environment.GetEnvironmentVariable("GENDSL_DIST_TIMEOUT") is { Length: > 0 } t)
            o = o with { Timeout = TimeSpan.FromSeconds(Int("GENDSL_DIST_TIMEOUT", t)) };
        if (Environment.GetEnvironmentVariable("GENDSL_DIST_OVERLAP") is { Length: > 0 } ov)
            o = o with { OverlapBackward = Int("GENDSL_DIST_OVERLAP", ov) != 0 };
        if (Environment.GetEnvironmentVariable("GENDSL_DIST_BUCKET_BYTES") is { Length: > 0 } bb)
            o = o with { BucketBytes = long.TryParse(bb, out var v) ? v : throw new ArgumentException($"DistributedOptions.FromEnvironment: GENDSL_DIST_BUCKET_BYTES = '{bb}' is not an integer number of bytes (PyTorch DDP's default: 26214400)") };
        o.Validate();
        return o;
    }

    /// <summary>Throws ArgumentException naming the setting that is wrong and how to fix it.</summary>
    public void Validate()
    {
        static void Fail(string option, string message) => throw new ArgumentException($"DistributedOptions.{option}: {message}", option);
        if (!string.Equals(Backend, "gloo", StringComparison.OrdinalIgnoreCase))
            Fail(nameof(Backend), $"'{Backend}' is not built; use \"gloo\" (CPU tensors)");
        if (WorldSize < 1) Fail(nameof(WorldSize), $"the number of processes must be at least 1 (got {WorldSize})");
        if (Rank < 0 || Rank >= WorldSize) Fail(nameof(Rank), $"must be in 0..{WorldSize - 1} for WorldSize = {WorldSize} (got {Rank})");
        if (!(Timeout > TimeSpan.Zero)) Fail(nameof(Timeout), $"must be positive (got {Timeout})");
        if (BucketBytes < 1) Fail(nameof(BucketBytes), $"must be at least 1 byte (got {BucketBytes})");
        _ = StoreEndpoint.Parse(StoreAddress);
    }
}

/// <summary>A parsed store address: a file path (FileStore) or a host and port (TCPStore).</summary>
internal sealed record StoreEndpoint(string? FilePath, string? Host, int Port)
{
    public static StoreEndpoint Parse(string address)
    {
        if (string.IsNullOrWhiteSpace(address))
            throw new ArgumentException("DistributedOptions.StoreAddress: empty; give file://<path shared by the ranks> (one machine) or tcp://host:port (rank 0's address)");
        if (address.StartsWith("file://", StringComparison.Ordinal))
        {
            var path = address["file://".Length..];
            if (path.Length == 0) throw new ArgumentException($"DistributedOptions.StoreAddress '{address}': no path after file://; write file:///tmp/run/store");
            return new StoreEndpoint(Path.GetFullPath(path), null, 0);
        }
        var hp = address.StartsWith("tcp://", StringComparison.Ordinal) ? address["tcp://".Length..] : address;
        var colon = hp.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hp[(colon + 1)..], out var port) || port < 1 || port > 65535)
            throw new ArgumentException($"DistributedOptions.StoreAddress '{address}': expected file://<path> or tcp://host:port with a port in 1..65535");
        return new StoreEndpoint(null, hp[..colon].Trim('[', ']'), port);
    }

    public bool IsLoopback => FilePath is not null || Host is "127.0.0.1" or "localhost" or "::1";
}
