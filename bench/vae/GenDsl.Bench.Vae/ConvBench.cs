// ConvBench.cs: times training steps of the convolutional VAE (pytorch-generative's defaults, as Model.vaeConv builds it) on the core, split into forward/backward/optimizer.
using System.Diagnostics;
using System.Globalization;
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;

/// <summary>
/// The conv VAE of experiments/ece8803_ps2_p4_nice_vs_vae.fsx built from the same core modules, in the same order, as
/// src/Dsl.FSharp's Nets.build makes of Model.vaeConv (so the state-dict names match bench/vae/conv_vae_torch.py), fed
/// by the DSL's data path (MnistDataset: padded to 32x32, dynamically binarised per batch). Options: --steps, --warmup,
/// --batch, --lr, --seed, --profile (per-layer forward times), --iwae-k K --iwae-images N (times Vae.Iwae in chunks of
/// 250 as the DSL's final metric does).
/// </summary>
internal static class ConvBench
{
    // Modules are made in order (a List, not lazy Concats), so the generator draws the weights in layer order.
    private static void Block(List<Module> to, long c, long r, Generator g) =>
        to.Add(new Residual(new Sequential(new ReLU(), new Conv2d(c, r, 3, padding: 1, generator: g), new ReLU(), new Conv2d(r, c, 1, generator: g))));

    private static void Stack(List<Module> to, Generator g)
    {
        Block(to, 64, 32, g);
        Block(to, 64, 32, g);
        to.Add(new ReLU());
    }

    private static void Down(List<Module> to, long cin, long cout, Generator g)
    {
        to.Add(new Conv2d(cin, 64, 4, stride: 2, padding: 1, generator: g));
        to.Add(new ReLU());
        Stack(to, g);
        to.Add(new Conv2d(64, cout, 3, padding: 1, generator: g));
    }

    private static void Up(List<Module> to, long cin, long cout, Generator g)
    {
        to.Add(new Conv2d(cin, 64, 3, padding: 1, generator: g));
        Stack(to, g);
        to.Add(new ConvTranspose2d(64, cout, 4, stride: 2, padding: 1, generator: g));
    }

    /// <summary>Encoder 1x32x32 -> 32x2x2 (mu, logvar), decoder 16x2x2 -> 1x32x32 logits.</summary>
    public static Vae Build(Generator g)
    {
        var enc = new List<Module>();
        Down(enc, 1, 64, g); Down(enc, 64, 64, g); Down(enc, 64, 64, g); Down(enc, 64, 32, g);
        var dec = new List<Module>();
        Up(dec, 16, 64, g); Up(dec, 64, 64, g); Up(dec, 64, 64, g); Up(dec, 64, 1, g);
        return new Vae(new Sequential(enc.ToArray()), new Sequential(dec.ToArray()), new long[] { 16, 2, 2 });
    }

    public static void Run(Func<string, double, double> opt, IReadOnlyDictionary<string, string> opts, string dataDir)
    {
        var seed = (ulong)opt("seed", 0);
        var batch = (long)opt("batch", 256);
        int steps = (int)opt("steps", 20), warmup = (int)opt("warmup", 2);
        using var initGen = new Generator(seed + 1000);
        using var vae = Build(initGen);
        if (opts.TryGetValue("save-init", out var savePath)) vae.Save(savePath);
        if (opts.TryGetValue("init", out var initPath)) vae.Load(initPath);
        if (steps == 0) return;   // --save-init only
        var parameters = vae.Parameters().Sum(p => p.NumEl);
        using var train = MnistDataset.Load(new MnistOptions
        {
            Folder = dataDir, Pixels = PixelTreatment.DynamicBinary, Flatten = false, Pad = 2, Subset = (int)(batch * 8),
        });
        using var adam = new Adam(vae.Parameters(), lr: opt("lr", 5e-4));
        using var g = new Generator(seed);
        var times = new double[3];
        double loss = 0;

        void Step(int i, bool timed)
        {
            using var s = Scope.Begin();
            var t0 = Stopwatch.GetTimestamp();
            var idx = Enumerable.Range(0, (int)batch).Select(j => (i * batch + j) % train.Count).ToArray();
            var x = train.Batch(idx, g);   // (B, 1, 32, 32)
            var l = vae.Loss(x, g);
            var t1 = Stopwatch.GetTimestamp();
            adam.ZeroGrad();
            l.Backward();
            var t2 = Stopwatch.GetTimestamp();
            adam.Step();
            var t3 = Stopwatch.GetTimestamp();
            loss = l.ToDouble();
            if (!timed) return;
            times[0] += Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            times[1] += Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
            times[2] += Stopwatch.GetElapsedTime(t2, t3).TotalSeconds;
        }

        for (var i = 0; i < warmup; i++) Step(i, false);
        var cpu0 = CpuSeconds();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) Step(warmup + i, true);
        var per = sw.Elapsed.TotalSeconds / steps;
        var cpuPer = (CpuSeconds() - cpu0) / steps;   // CPU seconds of all threads: steadier than the wall time on a loaded machine
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "csharp conv_vae s_per_step={0:F4} cpu_s_per_step={9:F4} forward={1:F4} backward={2:F4} optimizer={3:F4} loss={4:F3} params={5} batch={6} threads={7} epoch_s={8:F0}",
            per, times[0] / steps, times[1] / steps, times[2] / steps, loss, parameters, batch, Torch.NumThreads, per * 196, cpuPer));

        if (opts.ContainsKey("profile")) Profile(vae, train, g, batch);
        var k = (int)opt("iwae-k", 0);
        if (k > 0) TimeIwae(vae, dataDir, g, k, (int)opt("iwae-images", 8));
    }

    private static double CpuSeconds()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Forward time of each top-level layer of the encoder and decoder (no graph), mean of 3 passes.</summary>
    private static void Profile(Vae vae, MnistDataset train, Generator g, long batch)
    {
        using var ng = Autograd.NoGrad();
        using var s = Scope.Begin();
        var x = train.Batch(Enumerable.Range(0, (int)batch).Select(j => (long)j).ToArray(), g);   // (B, 1, 32, 32)
        var z = Torch.Randn(new[] { batch, 16L, 2, 2 }, g);                                          // (B, 16, 2, 2)
        foreach (var (name, net, input) in new[] { ("encoder", (Sequential)vae.Encoder, x), ("decoder", (Sequential)vae.Decoder, z) })
        {
            var h = input;
            for (var i = 0; i < net.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                Tensor o = h;
                for (var r = 0; r < 3; r++) o = net[i].Forward(h);
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "csharp layer {0}.{1} {2} ms={3:F1} out=[{4}]",
                    name, i, net[i].GetType().Name, sw.Elapsed.TotalMilliseconds / 3, string.Join(",", o.Shape)));
                h = o;
            }
        }
    }

    /// <summary>Vae.Iwae(x, K, chunk 250) on the first test images, without a graph (as ImageFamilies.vaeFits's final metric).</summary>
    private static void TimeIwae(Vae vae, string dataDir, Generator g, int k, int images)
    {
        using var test = MnistDataset.Load(new MnistOptions
        {
            Folder = dataDir, Split = MnistSplit.Test, Pixels = PixelTreatment.DynamicBinary, Flatten = false, Pad = 2, Subset = images,
        });
        using var ng = Autograd.NoGrad();
        using var s = Scope.Begin();
        var x = test.AllPixels(g);   // (N, 1, 32, 32)
        var sw = Stopwatch.StartNew();
        var l = vae.Iwae(x, k, g, 250);
        var dt = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "csharp conv_vae iwae_k={0} images={1} seconds={2:F3} s_per_image={3:F3} mean_neg_iwae={4:F3}", k, images, dt, dt / images, -l.Mean().ToDouble()));
    }
}
