// Program.cs: times Bernoulli-mixture EM on statically binarised MNIST (default: K = 20, all 60,000 training images, 50 iterations).
using System.Diagnostics;
using System.Globalization;
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;

// usage: GenDsl.Bench.Bmm [--threads N] [--k K] [--iters T] [--n N] [--init unit|data] [--dtype f32|f64] [--reps R]
//                         [--dump-init FILE] [--curve 1]
// --dump-init writes the start (pi (K) then p (K, D), float64 little-endian) for the Python references.
var opts = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
string Opt(string k, string d) => opts.GetValueOrDefault(k, d);
int IOpt(string k, int d) => int.Parse(Opt(k, d.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var inv = CultureInfo.InvariantCulture;
Torch.NumThreads = IOpt("threads", 2);
int k = IOpt("k", 20), iters = IOpt("iters", 50), n = IOpt("n", 60_000), reps = IOpt("reps", 1);
var dtype = Opt("dtype", "f32") == "f64" ? ScalarType.Float64 : ScalarType.Float32;

using var data = MnistDataset.Load(new MnistOptions { Split = MnistSplit.Train, ValidSize = 0, Subset = n, Pixels = PixelTreatment.StaticBinary, Dtype = dtype });
using var x = data.AllPixels();   // (N, 784) of 0/1
using var g = new Generator(0);
using var init = Opt("init", "unit") == "data"
    ? BernoulliMixture.InitDataMeans(x, k, 5, 0.5, g)
    : BernoulliMixture.InitUnitLength(k, 784, g);
if (opts.TryGetValue("dump-init", out var dump))
{
    using var f = new BinaryWriter(File.Create(dump));
    foreach (var v in init.Weights.ToArray<double>()) f.Write(v);
    foreach (var v in init.Probs.ToArray<double>()) f.Write(v);
}

var o = new BmmFitOptions { K = k, Iterations = iters, Dtype = dtype, InitialModel = init };
var times = new List<double>();
BmmFitResult? last = null;
for (var r = 0; r < reps; r++)
{
    last?.Model.Dispose();
    var sw = Stopwatch.StartNew();
    last = BernoulliMixture.Fit(x, o);
    times.Add(sw.Elapsed.TotalSeconds);
}
times.Sort();
if (Opt("curve", "0") == "1")
    foreach (var s in last!.Curve) Console.WriteLine(string.Format(inv, "curve {0} {1:F4}", s.Iteration, s.MeanLogLikelihood));
var proc = Process.GetCurrentProcess();
Console.WriteLine(string.Format(inv, "gendsl bmm seconds={0:F3} ll={1:F2} ll_per_image={2:F4} n={3} k={4} iters={5} dtype={6} user={7:F2} sys={8:F2}",
    times[times.Count / 2], last!.Curve[^1].LogLikelihood, last.Curve[^1].MeanLogLikelihood, n, k, iters, dtype,
    proc.UserProcessorTime.TotalSeconds, proc.PrivilegedProcessorTime.TotalSeconds));
last.Model.Dispose();
