// Program.cs: KernelDensity.LogProb of 10^5 queries against 10^5 points in 2-D (bench/kde/run.sh); writes logp_gendsl.f64 and prints time and peak RSS.
// Usage: dotnet GenDsl.Bench.Kde.dll <dir> <bandwidth> [threads=2] [budgetMiB=16]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using GenDsl.Models;
using GenDsl.Torch;

var dir = args[0];
var h = double.Parse(args[1], CultureInfo.InvariantCulture);
Torch.NumThreads = args.Length > 2 ? int.Parse(args[2]) : 2;
var budget = (args.Length > 3 ? long.Parse(args[3]) : 16) << 20;

static Tensor Load(string path)
{
    var bytes = File.ReadAllBytes(path);
    var v = MemoryMarshal.Cast<byte, double>(bytes).ToArray();
    return Torch.Tensor<double>(v, v.Length / 2, 2);                  // (N, 2)
}

static long PeakRssKib() =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:")).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).First();

using var x = Load(Path.Combine(dir, "train.f64"));
using var q = Load(Path.Combine(dir, "queries.f64"));
var before = PeakRssKib();
var clock = Stopwatch.StartNew();
using var kde = new KernelDensity(x, h) { MemoryBudgetBytes = budget };
using var lp = kde.LogProb(q);
var seconds = clock.Elapsed.TotalSeconds;
var (bq, bn) = kde.BlockSizes(q.Size(0));
File.WriteAllBytes(Path.Combine(dir, "logp_gendsl.f64"), MemoryMarshal.AsBytes(lp.ToArray<double>().AsSpan()).ToArray());
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Format(inv, "gendsl kde queries={0} points={1} threads={2} budget_mib={3} blocks={4}x{5} seconds={6:F3} peak_rss_mib={7:F0} rss_before_mib={8:F0} dense_matrix_would_be_mib={9:F0}",
    q.Size(0), x.Size(0), Torch.NumThreads, budget >> 20, bq, bn, seconds, PeakRssKib() / 1024.0, before / 1024.0, q.Size(0) * (double)x.Size(0) * 8 / (1 << 20)));
