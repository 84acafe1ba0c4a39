// TorchSharpBench.cs: the same measurements as GenDsl.Bench (add, matmul) and GenDsl.Bench.Vae (one MLP VAE epoch),
// written against TorchSharp. Not built by the repository: bench/torchsharp/run.sh copies it into a throwaway project
// outside the repository that references TorchSharp-cpu, and runs it there.
// usage: TorchSharpBench load                         load TorchSharp's native library; on failure print the loader's error
//        TorchSharpBench ops [--threads N] [--repeats R]  add_us and matmul_gflops lines, timed as GenDsl.Bench times them
//        TorchSharpBench vae --data DIR [--threads N] [--init FILE] [--limit N] [--seed S] [--batch B] [--lr LR]
// --init FILE: the initial weights as raw little-endian float32, the 8 tensors of GenDsl's Vae.Mlp in its state-dict
// order (encoder.0.weight/bias, encoder.2.weight/bias, decoder.0.weight/bias, decoder.2.weight/bias), as run.sh writes
// them from GenDsl.Bench.Vae --save-init; without it TorchSharp's own nn.Linear initialisation is used.
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

var inv = CultureInfo.InvariantCulture;
var mode = args.Length > 0 ? args[0] : "ops";
var opts = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, inv) : d;

if (mode == "load")
{
    try
    {
        using var one = ones(1);
        Console.WriteLine($"load ok: TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {__version__}, 1 + 1 = {(one + one).item<float>()}");
        return 0;
    }
    catch (Exception e)
    {
        // TorchSharp's own message hides the loader's reason; ask the loader directly for the library it ships.
        var lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        try { NativeLibrary.Free(NativeLibrary.Load(lib)); Console.WriteLine($"load failed ({e.GetType().Name}), yet {lib} loads alone"); }
        catch (DllNotFoundException d)
        {
            // .NET's message is a generic first line, then the loader's (dlerror's) own lines.
            var why = d.Message.Split('\n').Skip(1).Where(l => l.Trim().Length > 0).ToArray();
            Console.WriteLine("load failed: " + (why.Length > 0 ? string.Join(" | ", why) : d.Message));
        }
        return 1;
    }
}

set_num_threads((int)Opt("threads", 2));

if (mode == "ops")
{
    // Best of --repeats passes, as GenDsl.Bench's repeats: later passes run after the JIT has tiered the loop up.
    double add = double.MaxValue, mm = 0;
    for (var r = 0; r < (int)Opt("repeats", 3); r++)
    {
        add = Math.Min(add, PerAdd(100_000));
        mm = Math.Max(mm, MatMulGflops(1024, 20));
    }
    Console.WriteLine($"threads {get_num_threads()}");
    Console.WriteLine(string.Format(inv, "add_us {0:F4}", add * 1e6));
    Console.WriteLine(string.Format(inv, "matmul_gflops {0:F2}", mm));
    Console.WriteLine(string.Format(inv, "peak_rss_mb {0:F1}", PeakRssMb()));
    return 0;
}

// vae: one epoch of the MLP VAE 784-400-20, the loop of GenDsl.Bench.Vae and bench/vae/vae_torch.py.
var seed = (ulong)Opt("seed", 0);
var batch = (long)Opt("batch", 128);
var dataDir = opts["data"];
var model = new MlpVae();
if (opts.TryGetValue("init", out var initPath)) model.LoadRaw(initPath);
using var train = ReadImages(Path.Combine(dataDir, "train-images-idx3-ubyte"), (long)Opt("limit", 60000));
using var test = ReadImages(Path.Combine(dataDir, "t10k-images-idx3-ubyte"), 10000);
using var opt = optim.Adam(model.parameters(), lr: Opt("lr", 1e-3));
var g = new Generator(seed);

var n = train.shape[0];
var sw = Stopwatch.StartNew();
using var perm = randperm(n, generator: g);
var total = 0.0;
for (long i = 0; i < n; i += batch)
{
    using var scope = NewDisposeScope();
    var len = Math.Min(batch, n - i);
    var x = train.index_select(0, perm.narrow(0, i, len));   // (B, 784)
    var loss = -model.Elbo(x, g).mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
    total += loss.item<float>() * len;
}
var seconds = sw.Elapsed.TotalSeconds;

var testTotal = 0.0;
using (no_grad())
{
    var gt = new Generator(seed + 1);
    for (long i = 0; i < test.shape[0]; i += 1000)
    {
        using var scope = NewDisposeScope();
        testTotal -= model.Elbo(test.narrow(0, i, 1000), gt).sum().item<float>();
    }
}
Console.WriteLine(string.Format(inv,
    "torchsharp vae_epoch seconds={0:F3} train_neg_elbo={1:F4} test_neg_elbo={2:F4} batches={3} threads={4} peak_rss_mb={5:F1}",
    seconds, total / n, testTotal / test.shape[0], (n + batch - 1) / batch, get_num_threads(), PeakRssMb()));
return 0;

// Seconds per add of two 1-element float32 tensors, each result disposed at once: GenDsl.Bench's PerAdd (best 5000-add chunk).
static double PerAdd(int n)
{
    using var a = ones(1);
    using var b = ones(1);
    for (var i = 0; i < 1000; i++) { using var c = a + b; }
    var best = double.MaxValue;
    for (var k = 0; k < n / 5000; k++)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 5000; i++) { using var c = a + b; }
        best = Math.Min(best, sw.Elapsed.TotalSeconds / 5000);
    }
    return best;
}

// n x n float32 matmul in GFLOP/s (2 n^3 flops), best of reps: GenDsl.Bench's MatMulGflops.
static double MatMulGflops(long n, int reps)
{
    using var a = randn(n, n);
    using var b = randn(n, n);
    for (var i = 0; i < 3; i++) { using var c = a.matmul(b); }
    var best = double.MaxValue;
    for (var i = 0; i < reps; i++)
    {
        var sw = Stopwatch.StartNew();
        using var c = a.matmul(b);
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return 2.0 * n * n * n / best / 1e9;
}

// (N, 784) float32 pixels / 255 from an IDX image file, read the way GenDsl.Bench.Vae reads it.
static Tensor ReadImages(string path, long limit)
{
    var bytes = File.ReadAllBytes(path);
    if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException($"{path}: not an IDX image file");
    var count = Math.Min(limit, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)));
    var d = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)) * BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
    var pixels = new float[count * d];
    for (var i = 0; i < pixels.Length; i++) pixels[i] = bytes[16 + i] / 255f;
    return tensor(pixels, new[] { count, (long)d });
}

// VmHWM of /proc/self/status in MB (10^6 bytes).
static double PeakRssMb()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024 / 1e6;
}

/// <summary>Encoder 784-400-(2 x 20) giving (mu, logvar); decoder 20-400-784 giving Bernoulli logits.</summary>
sealed class MlpVae : nn.Module
{
    readonly TorchSharp.Modules.Linear enc1 = nn.Linear(784, 400), enc2 = nn.Linear(400, 40), dec1 = nn.Linear(20, 400), dec2 = nn.Linear(400, 784);

    public MlpVae() : base("MlpVae") => RegisterComponents();

    /// <summary>Per-example ELBO with continuous x in [0, 1]: sum of x * logits - softplus(logits), minus KL to N(0, I).</summary>
    public Tensor Elbo(Tensor x, Generator g)
    {
        var h = enc2.call(nn.functional.relu(enc1.call(x)));
        var parts = h.chunk(2, 1);
        Tensor mu = parts[0], logvar = parts[1];
        var eps = randn(mu.shape, generator: g);
        var z = mu + (0.5 * logvar).exp() * eps;
        var logits = dec2.call(nn.functional.relu(dec1.call(z)));
        var recon = (x * logits - nn.functional.softplus(logits)).sum(1);
        var kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1);
        return recon - kl;
    }

    /// <summary>Copies raw float32 weights, in GenDsl's state-dict order, into the four layers.</summary>
    public void LoadRaw(string path)
    {
        var all = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
        var at = 0;
        using var _ = no_grad();
        foreach (var layer in new[] { enc1, enc2, dec1, dec2 })
            foreach (var p in new[] { layer.weight!, layer.bias! })
            {
                var len = (int)p.numel();
                using var src = tensor(all.AsSpan(at, len).ToArray(), p.shape);
                p.copy_(src);
                at += len;
            }
        if (at != all.Length) throw new InvalidDataException($"{path}: {all.Length} floats, the model has {at}");
    }
}
