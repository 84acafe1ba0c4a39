// Program.cs: the three benchmark workloads on GenDsl.Core (same loops as bench/native_floor.cpp and bench/pytorch_ref.py).
// Usage: dotnet GenDsl.Bench.dll [threads=2] [repeats=3] | adds N; prints "key value" lines that bench/run.sh reads.
// Timed in chunks as native_floor.cpp is: the fastest chunk stands for the uncontended speed on a shared machine.
using System.Diagnostics;
using GenDsl.Torch;

if (args.Length > 1 && args[0] == "adds") // only N adds, for counting instructions per op (bench/count.sh)
{
    Torch.NumThreads = 1;
    using var scope = args.Length > 2 && args[2] == "scope" ? Scope.Begin() : null; // "adds N scope": inside a scope
    using var a = Torch.Ones(1);
    using var b = Torch.Ones(1);
    for (long i = 0, n = long.Parse(args[1]); i < n; i++) { using var c = a + b; }
    return;
}
if (args.Length > 0 && args[0] == "shapes") // bench/blas/run.sh: the models' matmul shapes, GFLOP/s and error vs float64
{
    Torch.NumThreads = args.Length > 1 ? int.Parse(args[1]) : 2;
    Console.WriteLine($"blas {Torch.BlasInfo}");
    var shapeReps = args.Length > 2 ? int.Parse(args[2]) : 5;   // 0: only the blas line
    foreach (var (name, b, m, k, n) in shapeReps > 0 ? Workloads.Shapes : [])
    {
        var (gflops, err) = Workloads.ShapeGflops(b, m, k, n, shapeReps);
        Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} gflops {1:F1} relerr {2:E1}", name, gflops, err));
    }
    return;
}
var threads = args.Length > 0 ? int.Parse(args[0]) : 2;
var repeats = args.Length > 1 ? int.Parse(args[1]) : 3;
Torch.NumThreads = threads;

double add = double.MaxValue, addInScope = double.MaxValue, addScoped = double.MaxValue, mm = 0, gmm = double.MaxValue;
float[] mu = Array.Empty<float>();
for (var r = 0; r < repeats; r++)
{
    add = Math.Min(add, Workloads.PerAdd(100_000));
    using (Scope.Begin()) addInScope = Math.Min(addInScope, Workloads.PerAdd(100_000));
    addScoped = Math.Min(addScoped, Workloads.PerAddScoped(100_000));
    mm = Math.Max(mm, Workloads.MatMulGflops(1024, 20));
    var (t, m) = Workloads.GmmSgd(5000, 0.05);
    gmm = Math.Min(gmm, t);
    mu = m;
}
var inv = System.Globalization.CultureInfo.InvariantCulture;
Console.WriteLine($"threads {Torch.NumThreads}");
Console.WriteLine(string.Format(inv, "add_us {0:F4}", add * 1e6));
Console.WriteLine(string.Format(inv, "add_in_scope_us {0:F4}", addInScope * 1e6));
Console.WriteLine(string.Format(inv, "add_scoped_us {0:F4}", addScoped * 1e6));
Console.WriteLine(string.Format(inv, "matmul_gflops {0:F2}", mm));
Console.WriteLine(string.Format(inv, "gmm_s {0:F4}", gmm));
Console.WriteLine("gmm_mu " + string.Join(" ", mu.Select(v => v.ToString("F3", inv))));

static class Workloads
{
    /// <summary>
    /// 1. Seconds per add of two 1-element float32 tensors, each result disposed at once (as CPython's refcount does).
    /// Outside any scope each result carries a SafeHandle safety net; inside one (add_in_scope) it does not.
    /// </summary>
    public static double PerAdd(int n)
    {
        using var a = Torch.Ones(1);
        using var b = Torch.Ones(1);
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

    /// <summary>The same with one Scope per add (the training-loop idiom): Scope bookkeeping included.</summary>
    public static double PerAddScoped(int n)
    {
        using var a = Torch.Ones(1);
        using var b = Torch.Ones(1);
        for (var i = 0; i < 1000; i++) { using var s = Scope.Begin(); _ = a + b; }
        var best = double.MaxValue;
        for (var k = 0; k < n / 5000; k++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < 5000; i++) { using var s = Scope.Begin(); _ = a + b; }
            best = Math.Min(best, sw.Elapsed.TotalSeconds / 5000);
        }
        return best;
    }

    /// <summary>2. n x n float32 matmul throughput in GFLOP/s (2 n^3 flops per product).</summary>
    public static double MatMulGflops(long n, int reps)
    {
        using var a = Torch.Randn(n, n);
        using var b = Torch.Randn(n, n);
        for (var i = 0; i < 3; i++) { using var c = a.MatMul(b); }
        var best = double.MaxValue;
        for (var i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            using var c = a.MatMul(b);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>
    /// The matmul shapes of our models (bench/blas/shapes.py lists the same): name, batch (0: a plain 2-D product),
    /// (m, k) @ (k, n).
    /// </summary>
    public static readonly (string Name, long B, long M, long K, long N)[] Shapes =
    {
        ("square_1024", 0, 1024, 1024, 1024),
        ("vae_enc_128x784x400", 0, 128, 784, 400),     // MLP VAE's first layer, batch 128
        ("nice_256x1000x1000", 0, 256, 1000, 1000),    // a NICE coupling's hidden layer, batch 256
        ("lm_logits_1280x200x8192", 0, 1280, 200, 8192), // tall-skinny: tokens x d_model @ d_model x vocabulary slice
        ("attn_bmm_64x128x64x128", 64, 128, 64, 128),  // batched: heads x batch of (T, d) @ (d, T)
    };

    /// <summary>Best GFLOP/s over reps timed chunks (each long enough to be timed), and the max error relative to float64's product's scale.</summary>
    public static (double Gflops, double RelErr) ShapeGflops(long b, long m, long k, long n, int reps)
    {
        using var scope = Scope.Begin();
        using var g = new Generator(0);
        var a = b == 0 ? Torch.Randn(new[] { m, k }, g) : Torch.Randn(new[] { b, m, k }, g);
        var w = b == 0 ? Torch.Randn(new[] { k, n }, g) : Torch.Randn(new[] { b, k, n }, g);
        var flops = 2.0 * Math.Max(b, 1) * m * k * n;
        var inner = Math.Max(1, (int)(2e10 / flops));   // about 0.1 s per chunk at 200 GFLOP/s
        for (var i = 0; i < 3; i++) { using var c = a.MatMul(w); }
        var best = double.MaxValue;
        for (var r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < inner; i++) { using var c = a.MatMul(w); }
            best = Math.Min(best, sw.Elapsed.TotalSeconds / inner);
        }
        var exact = a.To(ScalarType.Float64).MatMul(w.To(ScalarType.Float64));
        var err = (a.MatMul(w).To(ScalarType.Float64) - exact).Abs().Max().ToDouble() / exact.Abs().Max().ToDouble();
        return (flops / best / 1e9, err);
    }

    /// <summary>
    /// 3. CSE 599i HW1 P7c: SGD on the (3, 2) means of an equal-weight, identity-covariance GMM, one point per step:
    /// loss_i = -log p(x_i) = -logsumexp_k( log(1/3) - log(2 pi) - |x_i - mu_k|^2 / 2 ), with x_i = x[(s * 7919) % 3000].
    /// </summary>
    public static (double Seconds, float[] Mu) GmmSgd(int steps, double lr)
    {
        Torch.ManualSeed(0);
        using var outer = Scope.Begin();
        using var centers = Torch.Tensor(new float[] { -2, 0, 1, 3, 2, -2 }, 3, 1, 2);
        var x = (Torch.Randn(3, 1000, 2) + centers).Reshape(3000, 2); // (3000, 2)
        var mu = Torch.Randn(3, 2).RequiresGrad_();                    // (3, 2)
        var c = Math.Log(1.0 / 3.0) - Math.Log(2 * Math.PI);
        var best = double.MaxValue;
        var sw = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++)
        {
            if (s % 500 == 0) sw.Restart();
            using var step = Scope.Begin();
            var xi = x.Select(0, s * 7919L % 3000);   // (2,)
            var d = xi - mu;                           // (3, 2)
            var logp = (d * d).Sum(1) * -0.5 + c;      // (3,)
            var loss = -logp.LogSumExp(0);
            loss.Backward();
            using (Autograd.NoGrad())
            {
                var g = mu.Grad!;
                mu.Add_(g, -lr);
                g.Zero_();
            }
            if (s % 500 == 499) best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return (best * steps / 500, mu.Detach().ToArray<float>());
    }
}
