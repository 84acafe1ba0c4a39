// Program.cs: the GPU check's runner — the core's CUDA checks (CPU vs CUDA on the same inputs) and CSE 599i P8 trained
// and timed on a GPU with the homework's settings, the same values the P8 script gives the DSL. Every result is one line
// "RESULT {json}" on stdout; eng/gpu-check.sh collects them.
using System.Diagnostics;
using System.Globalization;
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;
using GenDsl.Training;
using TorchF = GenDsl.Torch.Torch;

// usage: GenDsl.GpuCheck info
//        GenDsl.GpuCheck tests [--device cuda]
//        GenDsl.GpuCheck speed --config b|c [--steps 200] [--device cuda]
//        GenDsl.GpuCheck p8 --config b|c|d [--epochs N] [--seconds S] [--out DIR] [--device cuda]
//   tests: tensors, autograd, a VAE step and an LM step on the device against the CPU (same inputs, same noise: GenDsl
//          draws noise on the CPU and moves it), and a checkpoint round trip. No CUDA device: each check is skipped.
//   speed: --steps Trainer steps of the LM configuration (batch 32 of 150-token windows, Adam, clipping 0.25);
//          median seconds per step after the first, tokens/s.
//   p8:    the homework's training: Adam 3.5e-4 (1e-4 for the first epoch), clipping 0.25, batch 32, shuffled windows,
//          validation after every epoch, the best model kept; test nats/token and perplexity of the kept model.
//          Checkpoints every epoch to DIR/<config>/last.pt and resumes from it; --seconds stops early (after a step);
//          --tokens N keeps the first N tokens of each split (a dry run; 0, the default: all).
if (args.Length == 0) { Console.Error.WriteLine("usage: GenDsl.GpuCheck tests|speed|p8 [--config b|c|d] [--steps N] [--epochs N] [--seconds S] [--out DIR] [--device cuda]"); return 2; }
var inv = CultureInfo.InvariantCulture;
var mode = args[0];
var opts = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, inv) : d;
var device = Device.Parse(opts.GetValueOrDefault("device", "cuda"));
var config = opts.GetValueOrDefault("config", "b");
Console.Error.WriteLine($"GenDsl.GpuCheck {mode}: libtorch {TorchF.Version}, {TorchF.CudaDeviceCount} CUDA device(s), {TorchF.NumThreads} threads");

static string J(params (string K, object? V)[] kv) => "{" + string.Join(", ", kv.Select(p => $"\"{p.K}\": {Val(p.V)}")) + "}";
static string Val(object? v) => v switch
{
    null => "null",
    bool b => b ? "true" : "false",
    string s => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", " ") + "\"",
    double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "null",
    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
    _ => "\"" + v + "\"",
};
static void Result(string json) => Console.WriteLine("RESULT " + json);

switch (mode)
{
    case "info": return 0;   // the line above: libtorch's version, CUDA devices, threads
    case "tests": return CudaChecks.Run(device, J, Result);
    case "speed":
    {
        var steps = (int)Opt("steps", 200);
        var corpus = WikiText.Load();
        using var model = P8.Model(config, corpus.VocabSize, 600);
        model.To(device);
        using var windows = new WikiTextWindows(corpus.Tokens(WikiTextSplit.Train), 150);
        using var trainer = new Trainer(model, ps => new Adam(ps, lr: 1e-4), null,
            new TrainOptions { Steps = steps, BatchSize = 32, Shuffle = true, Seed = 1, ClipGradNorm = 0.25 });
        var times = new List<double>();
        var wall = Stopwatch.StartNew();
        trainer.OnStep = r => times.Add(r.Seconds);
        trainer.Fit(windows, (batch, ctx) => model.Loss(batch, ctx.Generator));
        var steady = times.Skip(1).OrderBy(t => t).ToList();
        var median = steady[steady.Count / 2];
        Result(J(("check", "speed"), ("impl", "gendsl"), ("config", config), ("device", device.ToString()), ("steps", steps),
                 ("step_s", median), ("tokens_per_s", 32 * 150 / median), ("wall_s", wall.Elapsed.TotalSeconds), ("params", model.ParameterCount)));
        return 0;
    }
    case "p8": return P8.Train(config, device, (int)Opt("epochs", config == "d" ? 80 : 10), Opt("seconds", double.PositiveInfinity),
                               opts.GetValueOrDefault("out", "p8-checkpoints"), (int)Opt("tokens", 0), J, Result);
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': use tests, speed or p8");
        return 2;
}

/// <summary>CSE 599i P8 as the experiment script states it (experiments/cse599i_hw1_p8_transformer_wikitext2.fsx).</summary>
static class P8
{
    public const int Context = 150, Batch = 32;

    /// <summary>(b) 2 layers, 2 heads; (c) 16 layers, 10 heads; (d) (c) with dropout 0.2 and input/output dropout 0.6.</summary>
    public static TransformerLm Model(string config, int vocab, ulong seed)
    {
        var o = new TransformerLmOptions { Vocab = vocab, Context = Context };
        o = config switch
        {
            "b" => o with { Layers = 2, Heads = 2 },
            "c" => o with { Layers = 16, Heads = 10 },
            "d" => o with { Layers = 16, Heads = 10, Dropout = 0.2, EmbeddingDropout = 0.6 },
            _ => throw new ArgumentException($"--config must be b, c or d, got '{config}'"),
        };
        using var g = new Generator(seed);
        return new TransformerLm(o, g);
    }

    public static int Train(string config, Device device, int epochs, double seconds, string outDir, int tokens, Func<(string, object?)[], string> j, Action<string> result)
    {
        const ulong seed = 599;                       // the script's Experiment.seed; the DSL seeds model and data with seed + 1
        var corpus = WikiText.Load();
        int[] Split(WikiTextSplit s) => tokens > 0 ? corpus.Tokens(s)[..Math.Min(tokens, corpus.Tokens(s).Length)] : corpus.Tokens(s);
        using var model = Model(config, corpus.VocabSize, seed + 1);
        model.To(device);
        using var windows = new WikiTextWindows(Split(WikiTextSplit.Train), Context);
        var stepsPerEpoch = (windows.Count + Batch - 1) / Batch;   // 436
        var dir = Path.Combine(outDir, config);
        var options = new TrainOptions
        {
            Steps = epochs * stepsPerEpoch, BatchSize = Batch, Shuffle = true, Seed = seed + 1, ClipGradNorm = 0.25,
            EvalEvery = stepsPerEpoch, KeepBest = "valid nll", CheckpointEvery = stepsPerEpoch, CheckpointDir = dir,
        };
        // Adam at 3.5e-4, held at 1e-4 for the first epoch (the script's Hold(Epochs 1, 1e-4 / 3.5e-4, Constant)).
        using var trainer = new Trainer(model, ps => new Adam(ps, lr: 3.5e-4),
            o => new SequentialLR(o, new LRScheduler[] { new LambdaLR(o, _ => 1e-4 / 3.5e-4), new LambdaLR(o, _ => 1.0) }, new long[] { stepsPerEpoch }),
            options);
        var valid = Split(WikiTextSplit.Valid);
        trainer.Evaluate = () => new Dictionary<string, double> { ["valid nll"] = model.Evaluate(valid, Batch).NatsPerToken };
        var resumed = File.Exists(trainer.CheckpointPath);
        if (resumed) trainer.LoadCheckpoint(trainer.CheckpointPath!);
        var startStep = trainer.Step;
        var clock = Stopwatch.StartNew();
        var stepSeconds = new List<double>();
        trainer.OnStep = r =>
        {
            stepSeconds.Add(r.Seconds);
            if (clock.Elapsed.TotalSeconds > seconds) trainer.RequestStop();
        };
        trainer.OnEval = r =>
        {
            var nll = r.Metrics["valid nll"];
            Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "  ({0}) epoch {1} step {2}: valid nll {3:F4}, perplexity {4:F1}{5}, {6:F0} s",
                config, (r.Step + stepsPerEpoch - 1) / stepsPerEpoch, r.Step, nll, Math.Exp(nll), r.IsBest ? " (best)" : "", clock.Elapsed.TotalSeconds));
            result(j(new (string, object?)[] { ("check", "p8_epoch"), ("config", config), ("step", r.Step), ("valid_nll", nll), ("valid_perplexity", Math.Exp(nll)),
                ("best", r.IsBest), ("seconds", clock.Elapsed.TotalSeconds) }));
        };
        var fit = trainer.Fit(windows, (batch, ctx) => model.Loss(batch, ctx.Generator));
        var trainSeconds = clock.Elapsed.TotalSeconds;
        var done = trainer.Step >= options.Steps;
        var steady = stepSeconds.Skip(1).OrderBy(t => t).ToList();
        var median = steady.Count > 0 ? steady[steady.Count / 2] : double.NaN;
        double? testNll = null;
        if (done)
        {
            model.Eval();
            using var noGrad = Autograd.NoGrad();
            testNll = model.Evaluate(Split(WikiTextSplit.Test), Batch).NatsPerToken;   // the model kept at its best validation loss
        }
        result(j(new (string, object?)[] { ("check", "p8"), ("config", config), ("device", device.ToString()), ("resumed_from_step", startStep),
            ("steps", trainer.Step), ("steps_total", options.Steps), ("epochs_done", (double)trainer.Step / stepsPerEpoch), ("epochs_total", epochs),
            ("complete", done), ("best_step", fit.BestStep), ("train_seconds_this_call", trainSeconds), ("step_s_median", median),
            ("tokens_per_s", Batch * Context / median), ("test_nll", testNll), ("test_perplexity", testNll is { } t ? Math.Exp(t) : null),
            ("total_seconds", clock.Elapsed.TotalSeconds), ("params", model.ParameterCount) }));
        return 0;
    }
}
