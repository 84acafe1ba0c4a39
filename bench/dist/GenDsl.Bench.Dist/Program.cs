// Program.cs: all-reduce bandwidth of one float32 tensor between N processes over Gloo — launches its own workers (Launch.Run) unless it is one.
using System.Diagnostics;
using System.Globalization;
using GenDsl.Distributed;
using GenDsl.Torch;

// Usage: GenDsl.Bench.Dist [megabytes = 100] [repeats = 5] [nproc = 2]. Each worker: one warm-up all-reduce, then
// `repeats` timed ones, each after a barrier; rank 0 prints every time, the median, and size / median time.
var mb = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var nproc = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
var dist = DistributedOptions.FromEnvironment();
if (dist is null)
{
    var result = Launch.Run(new LaunchOptions { NProc = nproc, Arguments = args });
    if (!result.Succeeded) Console.Error.WriteLine(result.FailureMessage);
    return result.Succeeded ? 0 : 1;
}
using var pg = ProcessGroup.Join(dist);
var n = (long)(mb * 1e6 / 4);
using var t = Torch.Ones(new[] { n }, ScalarType.Float32);
pg.AllReduce_(t);
var times = new List<double>();
for (var i = 0; i < repeats; i++)
{
    pg.Barrier();
    var clock = Stopwatch.StartNew();
    pg.AllReduce_(t);
    times.Add(clock.Elapsed.TotalSeconds);
}
if (dist.Rank == 0)
{
    var sorted = times.OrderBy(x => x).ToArray();
    var median = sorted[sorted.Length / 2];
    Console.WriteLine($"GenDsl  all-reduce {mb:F0} MB float32, {dist.WorldSize} processes, gloo: times {string.Join(" ", times.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))} s; " +
                      $"median {median:F3} s = {mb / median:F0} MB/s (size / time)");
}
return 0;
