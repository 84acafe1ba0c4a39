// Program.cs: times GaussianMixtureFit on CSE 599i HW1 P7 (GD, SGD, EM) and EM on ring points (K = 10, spherical): 100k
// drawn here, or any N read from a file that sklearn fits too (--data, from em_scaling.sh).
using System.Diagnostics;
using System.Globalization;
using GenDsl.Models;
using GenDsl.Torch;

// usage: GenDsl.Bench.Gmm [--threads N] [--reps R] [--warmup 0|1] [--sgd-lr LR] [--gd-lr LR] [--em100k-iters I] [--em-n N]
//                         [--only p7|em100k] [--data ring.f64]
var opts = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
double Opt(string k, double d) => opts.TryGetValue(k, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
Torch.NumThreads = (int)Opt("threads", 2);
var reps = (int)Opt("reps", 5);
var inv = CultureInfo.InvariantCulture;
var only = opts.GetValueOrDefault("only", "");
var warmup = Opt("warmup", 1) != 0;

// Median wall time of `reps` runs after one warm-up, with the final NLL of the last run.
(double Seconds, double Nll, int Iterations) Time(Func<GmmFitResult> fit)
{
    if (warmup) fit().Model.Dispose();
    var times = new List<double>();
    GmmFitResult? last = null;
    for (var r = 0; r < reps; r++)
    {
        last?.Model.Dispose();
        var sw = Stopwatch.StartNew();
        last = fit();
        times.Add(sw.Elapsed.TotalSeconds);
    }
    times.Sort();
    var res = (times[times.Count / 2], -last!.Curve[^1].MeanLogLikelihood, last.Iterations);
    last.Model.Dispose();
    return res;
}

void Report(string name, (double Seconds, double Nll, int Iterations) r) =>
    Console.WriteLine(string.Format(inv, "csharp {0} seconds={1:F4} nll={2:F10} iterations={3}", name, r.Seconds, r.Nll, r.Iterations));

// EM on N ring points from a file (float64, row-major (N, 2), written by em_scaling.sh), started where sklearn starts:
// means at the first K points, weights 1/K, unit variances; 100 iterations (--em100k-iters), Tol = 0.
if (opts.TryGetValue("data", out var file))
{
    using var stream = File.OpenRead(file);
    var n = stream.Length / (2 * sizeof(double));
    var data = new double[2 * n];
    stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
    using var x = Torch.FromBuffer(data, new long[] { n, 2 });                                            // (N, 2), over data
    const int K = 10;
    using var init = new GaussianMixture(Torch.Full(new long[] { K }, 1.0 / K, ScalarType.Float64), x.Narrow(0, 0, K),
                                         Torch.Eye(2, null, ScalarType.Float64).Expand(K, 2, 2), CovarianceType.Spherical);   // (K, 2, 2)
    var o = new GmmFitOptions { K = K, Covariance = CovarianceType.Spherical, InitialModel = init, MaxIter = (int)Opt("em100k-iters", 100), Tol = 0, RegCovar = 1e-6 };
    Report($"em{n}", Time(() => GaussianMixtureFit.Em(x, o)));
    return;
}

// CSE 599i HW1 P7: 1000 points from each of the three Gaussians; means only (weights 1/3, identity covariances).
if (only != "em100k")
using (var truth = GaussianMixture.Cse599iP7())
using (var g = new Generator(0))
{
    var (x, _) = truth.SampleEach(1000, g);
    var p7 = new GmmFitOptions { K = 3, LearnWeights = false, Covariance = CovarianceType.Identity, Init = GmmInit.Random, Seed = 1 };
    Report("p7_gd", Time(() => GaussianMixtureFit.GradientAscent(x, p7 with { MaxIter = 10, LearningRate = Opt("gd-lr", 3.0) })));
    Report("p7_sgd", Time(() => GaussianMixtureFit.Sgd(x, p7 with { MaxIter = 5000, LearningRate = Opt("sgd-lr", 0.05) })));
    Report("p7_em", Time(() => GaussianMixtureFit.Em(x, p7 with { MaxIter = 10 })));
}

// EM on 100k points (--em-n) of the DS-GA 1008 ring (K = 10, R = 10), spherical covariances, weights learned, Tol = 0 (fixed iterations).
if (only != "p7")
using (var ring = GaussianMixture.Ring(10, 10))
using (var g = new Generator(0))
{
    var (x, _) = ring.Sample((long)Opt("em-n", 100_000), g);   // --em-n: 1M, 4M for the scaling rows
    var o = new GmmFitOptions { K = 10, Covariance = CovarianceType.Spherical, Init = GmmInit.Random, MaxIter = (int)Opt("em100k-iters", 100), Tol = 0, RegCovar = 1e-6, Seed = 1 };
    Report("em100k", Time(() => GaussianMixtureFit.Em(x, o)));
}
