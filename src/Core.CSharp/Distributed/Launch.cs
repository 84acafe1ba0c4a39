// Launch.cs: starts N worker processes of the current program with torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), waits, and says which rank died.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GenDsl.Distributed;

/// <summary>What <see cref="Launch.Run"/> starts: N local workers of a node, the node's place among NNodes, the master.</summary>
public sealed record LaunchOptions
{
    /// <summary>Workers on this machine (torchrun's --nproc_per_node).</summary>
    public int NProc { get; init; } = 1;
    /// <summary>Machines in the run (--nnodes) and this machine's index (--node_rank); RANK = NodeRank * NProc + LOCAL_RANK.</summary>
    public int NNodes { get; init; } = 1;
    public int NodeRank { get; init; }
    /// <summary>Rank 0's machine; it serves the TCPStore at MasterAddr:MasterPort (0: a free port, one machine only).</summary>
    public string MasterAddr { get; init; } = "127.0.0.1";
    public int MasterPort { get; init; }
    /// <summary>The program and its arguments; null: the current executable (and its .dll under `dotnet`) with Arguments.</summary>
    public string? FileName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = Array.Empty<string>();
    /// <summary>Intra-op threads per worker (GENDSL_THREADS, OMP_NUM_THREADS); 0: cores / NProc, at least 1.</summary>
    public int ThreadsPerWorker { get; init; }
    /// <summary>Collective timeout handed to workers (GENDSL_DIST_TIMEOUT); after a worker fails, the others get this long (plus 5 s) to stop before they are killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Called with each line a worker writes (rank, line, isError); null: forwarded to this process's stdout/stderr prefixed with [rank r].</summary>
    public Action<int, string, bool>? OnOutput { get; init; }
}

/// <summary>How the workers ended: exit codes by local rank, and the first rank that failed (by time) with its code.</summary>
public sealed record LaunchResult(IReadOnlyList<int> ExitCodes, int? FailedRank, int? FailedExitCode)
{
    public bool Succeeded => FailedRank is null;
    /// <summary>"rank 1 exited with code 134", or null when every worker exited 0.</summary>
    public string? FailureMessage => FailedRank is { } r ? $"rank {r} exited with code {FailedExitCode}" : null;
}

/// <summary>
/// torchrun for GenDsl programs: <see cref="Run"/> starts NProc copies of a program with RANK, WORLD_SIZE, LOCAL_RANK,
/// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, GENDSL_THREADS, OMP_NUM_THREADS and GENDSL_DIST_TIMEOUT set, and waits
/// for them. Each worker joins with <c>DistributedOptions.FromEnvironment()</c>. When a worker exits non-zero the
/// others normally fail on their next collective (their peer's connection closes, or the timeout passes); any still
/// running Timeout + 5 s later is killed. The result names the first rank that failed.
/// </summary>
public static class Launch
{
    public static LaunchResult Run(LaunchOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NProc < 1) throw new ArgumentException($"LaunchOptions.NProc: at least 1 worker (got {options.NProc})");
        if (options.NNodes < 1 || options.NodeRank < 0 || options.NodeRank >= options.NNodes)
            throw new ArgumentException($"LaunchOptions.NodeRank: must be in 0..{options.NNodes - 1} for NNodes = {options.NNodes} (got {options.NodeRank})");
        if (options.MasterPort == 0 && options.NNodes > 1)
            throw new ArgumentException("LaunchOptions.MasterPort: with several machines give the port rank 0 serves the store on (e.g. 29500)");
        var port = options.MasterPort != 0 ? options.MasterPort : FreePort();
        var world = options.NProc * options.NNodes;
        var threads = options.ThreadsPerWorker > 0 ? options.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount / options.NProc);
        var (file, prefix) = options.FileName is { } f ? (f, Array.Empty<string>()) : CurrentProgram();

        var procs = new Process[options.NProc];
        var exitOrder = new List<int>();
        try
        {
            for (var local = 0; local < options.NProc; local++)
            {
                var rank = options.NodeRank * options.NProc + local;
                var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in prefix.Concat(options.Arguments)) psi.ArgumentList.Add(a);
                psi.Environment["RANK"] = rank.ToString();
                psi.Environment["WORLD_SIZE"] = world.ToString();
                psi.Environment["LOCAL_RANK"] = local.ToString();
                psi.Environment["LOCAL_WORLD_SIZE"] = options.NProc.ToString();
                psi.Environment["MASTER_ADDR"] = options.MasterAddr;
                psi.Environment["MASTER_PORT"] = port.ToString();
                psi.Environment["GENDSL_THREADS"] = threads.ToString();
                psi.Environment["OMP_NUM_THREADS"] = threads.ToString();
                psi.Environment["GENDSL_DIST_TIMEOUT"] = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds)).ToString();
                var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
                var r = rank;
                var l = local;
                p.OutputDataReceived += (_, e) => { if (e.Data is not null) Emit(options, r, e.Data, false); };
                p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Emit(options, r, e.Data, true); };
                p.Exited += (_, _) => { lock (exitOrder) exitOrder.Add(l); };
                p.Start();
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                procs[local] = p;
            }
            DateTime? killAt = null;
            while (!procs.All(p => p.HasExited))
            {
                if (cancel.IsCancellationRequested) killAt ??= DateTime.UtcNow;
                if (killAt is null && procs.Any(p => p.HasExited && p.ExitCode != 0)) killAt = DateTime.UtcNow + options.Timeout + TimeSpan.FromSeconds(5);
                if (killAt is { } k && DateTime.UtcNow >= k)
                    foreach (var p in procs) if (!p.HasExited) p.Kill(entireProcessTree: true);
                Thread.Sleep(50);
            }
            foreach (var p in procs) p.WaitForExit();   // drains the output
            var codes = procs.Select(p => p.ExitCode).ToArray();
            int[] order;
            lock (exitOrder) order = exitOrder.ToArray();
            var failed = order.Where(l => codes[l] != 0).Select(l => (int?)l).FirstOrDefault() ?? Enumerable.Range(0, codes.Length).Where(l => codes[l] != 0).Select(l => (int?)l).FirstOrDefault();
            return new LaunchResult(codes, failed is { } fl ? options.NodeRank * options.NProc + fl : null, failed is { } fc ? codes[fc] : null);
        }
        finally
        {
            foreach (var p in procs)
            {
                if (p is null) continue;
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.Dispose();
            }
        }
    }

    private static void Emit(LaunchOptions o, int rank, string line, bool isError)
    {
        if (o.OnOutput is { } f) { f(rank, line, isError); return; }
        var w = isError ? Console.Error : Console.Out;
        lock (w) w.WriteLine($"[rank {rank}] {line}");
    }

    /// <summary>The executable of this process, and its entry assembly when it runs under the `dotnet` host.</summary>
    private static (string, string[]) CurrentProgram()
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("Launch: cannot tell this process's executable; set LaunchOptions.FileName");
        var name = Path.GetFileNameWithoutExtension(exe);
        var dll = Environment.GetCommandLineArgs()[0];
        return name == "dotnet" && dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? (exe, new[] { dll }) : (exe, Array.Empty<string>());
    }

    /// <summary>A TCP port free on the loopback now (the OS's choice); rank 0 binds it moments later.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
