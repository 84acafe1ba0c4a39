// Program.cs: the CSE 599i HW1 P8 Transformer LM benchmark — writes initial weights and the Trainer's batches for lm_torch.py's check, times training steps and sampling.
using System.Diagnostics;
using System.Globalization;
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.Optim;
using GenDsl.Training;

// usage: GenDsl.Bench.Lm check|train|sample [--config b|c|d] [--threads 2] [--steps N] [--seconds S] [--tokens 500] [--out DIR] [--seed 0]
//   check:  writes DIR/init.pt (the initial state dict), then trains --steps (20) steps through the Trainer as gm-hw1's notebook
//           does (Adam lr 1e-4, clip 0.25, batch 32, shuffled windows of 150) and writes DIR/steps.pt: "batch.{s}" (32, 151) int64
//           for s = 1..steps, "loss" (steps) float64 and "grad_norm" (steps) float64; lm_torch.py check replays them.
//   train:  times Trainer steps on WikiText-2 train until --steps or --seconds; prints the median step time (the first,
//           warm-up step excluded), tokens/s, seconds per epoch (436 steps) and peak resident memory.
//   sample: generates --tokens (500) ids from a one-token prompt with the untrained model; prints tokens/s.
if (args.Length == 0) { Console.Error.WriteLine("usage: GenDsl.Bench.Lm check|train|sample [--config b|c|d] [--threads N] [--steps N] [--seconds S] [--tokens N] [--out DIR]"); return 2; }
var mode = args[0];
var opts = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
var inv = CultureInfo.InvariantCulture;
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, inv) : d;
Torch.NumThreads = (int)Opt("threads", 2);
var config = opts.GetValueOrDefault("config", "b");
var seed = (ulong)Opt("seed", 0);

var corpus = WikiText.Load();
var baseOptions = new TransformerLmOptions { Vocab = corpus.VocabSize };
var options = config switch
{
    "b" => baseOptions with { Layers = 2, Heads = 2 },
    "c" => baseOptions with { Layers = 16, Heads = 10 },
    "d" => baseOptions with { Layers = 16, Heads = 10, Dropout = 0.2, EmbeddingDropout = 0.6 },
    _ => throw new ArgumentException($"--config must be b, c or d, got '{config}'"),
};
using var g = new Generator(seed);
using var model = new TransformerLm(options, g);
using var windows = new WikiTextWindows(corpus.Tokens(WikiTextSplit.Train), (int)options.Context);
var batchesPerEpoch = (windows.Count + 31) / 32;
string Line(string what, params (string K, object V)[] kv) =>
    $"csharp {what} config={config} threads={Torch.NumThreads} " + string.Join(' ', kv.Select(p => string.Format(inv, "{0}={1}", p.K, p.V)));

Trainer NewTrainer(long steps) =>
    new(model, ps => new Adam(ps, lr: 1e-4), null,
        new TrainOptions { Steps = steps, BatchSize = 32, Shuffle = true, Seed = 1, ClipGradNorm = 0.25 });

switch (mode)
{
    case "check":
    {
        var dir = opts.GetValueOrDefault("out", "bench/out/lm");
        Directory.CreateDirectory(dir);
        model.Save(Path.Combine(dir, "init.pt"));
        var steps = (int)Opt("steps", 20);
        var saved = new Dictionary<string, Tensor>();
        using var trainer = NewTrainer(steps);
        var result = trainer.Fit(windows, (batch, ctx) =>
        {
            saved[$"batch.{ctx.Step}"] = batch.Clone().DetachFromScope();
            return model.Loss(batch, ctx.Generator);
        });
        var losses = result.StepRecords.Select(r => r.Loss).ToArray();
        saved["loss"] = Torch.Tensor<double>(losses, losses.Length).DetachFromScope();
        var norms = result.StepRecords.Select(r => r.GradNorm ?? double.NaN).ToArray();
        saved["grad_norm"] = Torch.Tensor<double>(norms, norms.Length).DetachFromScope();
        Torch.Save(saved, Path.Combine(dir, "steps.pt"));
        for (var s = 0; s < losses.Length; s++) Console.WriteLine(Line("check", ("step", s + 1), ("loss", losses[s].ToString("R", inv)), ("grad_norm", norms[s].ToString("R", inv))));
        break;
    }
    case "train":
    {
        var maxSteps = (long)Opt("steps", 1000);
        var budget = Opt("seconds", 120);
        var clock = Stopwatch.StartNew();
        var times = new List<double>();
        var cpuAfterFirst = TimeSpan.Zero;
        using var trainer = NewTrainer(maxSteps);
        trainer.OnStep = r =>
        {
            times.Add(r.Seconds);
            if (times.Count == 1) cpuAfterFirst = Process.GetCurrentProcess().TotalProcessorTime;
            Console.Error.WriteLine(string.Format(inv, "  step {0} loss {1:F4} {2:F3}s", r.Step, r.Loss, r.Seconds));
            if (clock.Elapsed.TotalSeconds > budget && times.Count >= 3) trainer.RequestStop();
        };
        trainer.Fit(windows, (batch, ctx) => model.Loss(batch, ctx.Generator));
        var cpuPerStep = (Process.GetCurrentProcess().TotalProcessorTime - cpuAfterFirst).TotalSeconds / (times.Count - 1);
        var steady = times.Skip(1).OrderBy(t => t).ToList();
        var median = steady[steady.Count / 2];
        Console.WriteLine(Line("train", ("steps", times.Count), ("step_s", median.ToString("F4", inv)),
            ("tokens_per_s", (32 * options.Context / median).ToString("F1", inv)),
            ("epoch_s", (batchesPerEpoch * median).ToString("F0", inv)), ("cpu_s_per_step", cpuPerStep.ToString("F3", inv)),
            ("mean_step_s", times.Skip(1).Average().ToString("F4", inv)), ("rss_mb", PeakRssMb().ToString("F0", inv)),
            ("params", model.ParameterCount), ("alloc", AllocSummary())));
        break;
    }
    case "sample":
    {
        var n = (int)Opt("tokens", 500);
        using var sg = new Generator(7);
        model.Generate(new[] { 0L }, 5, generator: sg);            // warm-up
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var ids = model.Generate(new[] { 0L }, n, 1.0, 0, sg);
        var s = sw.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine(Line("sample", ("tokens", ids.Length), ("seconds", s.ToString("F3", inv)), ("tokens_per_s", (n / s).ToString("F1", inv)),
            ("cpu_s", cpu.ToString("F2", inv)),
            ("rss_mb", PeakRssMb().ToString("F0", inv))));
        break;
    }
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': use check, train or sample");
        return 2;
}
return 0;

// GenDsl's caching CPU allocator: large blocks reused (hits) vs newly mapped (misses), and its peak in use (MB).
static string AllocSummary()
{
    var s = Torch.CpuMemoryStats();
    return s.Enabled ? $"hits:{s.Hits},misses:{s.Misses},peak_mb:{s.PeakBytes >> 20}" : "off";
}

// VmHWM: the peak resident set of this process, in MB (Linux).
static double PeakRssMb()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    return double.NaN;
}
