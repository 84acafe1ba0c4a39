// CudaChecks.cs: the core on a CUDA device against the CPU — tensors, autograd, a VAE step, Transformer LM steps and a
// resumed fit — each on the same inputs and the same noise (GenDsl draws noise on the CPU and moves it to the device).
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;
using GenDsl.Training;
using TorchF = GenDsl.Torch.Torch;

static class CudaChecks
{
    /// <summary>Largest |a - b| over all elements, both brought to the CPU as float64.</summary>
    static double MaxDiff(Tensor a, Tensor b)
    {
        using var s = Scope.Begin();
        return (a.Cpu().To(ScalarType.Float64) - b.Cpu().To(ScalarType.Float64)).Abs().Max().ToDouble();
    }

    static double MaxAbs(Tensor a)
    {
        using var s = Scope.Begin();
        return a.Cpu().To(ScalarType.Float64).Abs().Max().ToDouble();
    }

    /// <summary>A copy of a CPU module on the device: same parameters.</summary>
    static void CopyInto(Module from, Module to)
    {
        using var s = Scope.Begin();
        to.LoadStateDict(from.StateDict());
    }

    public static int Run(Device device, Func<(string, object?)[], string> j, Action<string> result)
    {
        var failed = 0;
        void Check(string name, Func<(double Diff, double Tol, string What)> body)
        {
            if (device.Type == DeviceType.CUDA && device.Index >= TorchF.CudaDeviceCount)   // --device cpu: a dry run of the checks, CPU against CPU
            {
                result(j(new (string, object?)[] { ("check", "cuda"), ("name", name), ("skipped", true), ("why", $"no CUDA device {device} (libtorch {TorchF.Version} sees {TorchF.CudaDeviceCount})") }));
                return;
            }
            try
            {
                var (diff, tol, what) = body();
                var pass = diff <= tol;
                if (!pass) failed++;
                result(j(new (string, object?)[] { ("check", "cuda"), ("name", name), ("pass", pass), ("max_diff", diff), ("tol", tol), ("what", what) }));
            }
            catch (Exception ex)
            {
                failed++;
                result(j(new (string, object?)[] { ("check", "cuda"), ("name", name), ("pass", false), ("error", ex.GetType().Name + ": " + ex.Message) }));
            }
        }

        Check("a float32 tensor moved to the device and back is unchanged", () =>
        {
            using var s = Scope.Begin();
            using var g = new Generator(1);
            var x = TorchF.Randn(new long[] { 1000, 7 }, g);
            return (MaxDiff(x, x.To(device).Cpu()), 0.0, "bitwise");
        });

        Check("float64 log-softmax, exp, tanh and sums on the device equal the CPU's", () =>
        {
            using var s = Scope.Begin();
            using var g = new Generator(2);
            var x = TorchF.Randn(new long[] { 64, 33 }, g, ScalarType.Float64);
            Tensor F(Tensor t) => t.LogSoftmax(-1) + t.Exp().Sum(new long[] { 1 }, keepdim: true) * t.Tanh();
            // float64 reductions in another order differ by a few ulps of the sums (~1e3 here): 1e-10 absolute
            return (MaxDiff(F(x), F(x.To(device))), 1e-10, "max |f_cpu - f_cuda|");
        });

        Check("float32 and float64 matmul on the device equal the CPU's", () =>
        {
            using var s = Scope.Begin();
            using var g = new Generator(3);
            var a = TorchF.Randn(new long[] { 256, 512 }, g);
            var b = TorchF.Randn(new long[] { 512, 128 }, g);
            var d64 = MaxDiff(a.To(ScalarType.Float64).MatMul(b.To(ScalarType.Float64)), a.To(device, ScalarType.Float64).MatMul(b.To(device, ScalarType.Float64)));
            // float32: products of 512 terms of size ~1 (sum ~22.6 in size) in another order: ~512 * 2^-24 * 22.6 ≈ 7e-4 at worst; TF32
            // (10-bit mantissa) would differ by ~1e-2, so this also shows libtorch's default of full float32 matmul
            var d32 = MaxDiff(a.MatMul(b), a.To(device).MatMul(b.To(device)));
            return (Math.Max(d64 * 1e6, d32), 1e-3, $"float64 max diff {d64:E2} (x1e6), float32 max diff {d32:E2}");
        });

        Check("autograd: the gradient of an MLP's loss on the device equals the CPU's (float64)", () =>
        {
            using var s = Scope.Begin();
            using var g = new Generator(4);
            using var cpu = new Sequential(new Linear(2, 16, generator: g, dtype: ScalarType.Float64), new Tanh(), new Linear(16, 1, generator: g, dtype: ScalarType.Float64));
            using var gpu = new Sequential(new Linear(2, 16, dtype: ScalarType.Float64), new Tanh(), new Linear(16, 1, dtype: ScalarType.Float64));
            CopyInto(cpu, gpu);
            gpu.To(device);
            var x = TorchF.Randn(new long[] { 100, 2 }, g, ScalarType.Float64);
            cpu.Forward(x).Pow(2).Sum().Backward();
            gpu.Forward(x.To(device)).Pow(2).Sum().Backward();
            var worst = cpu.Parameters().Zip(gpu.Parameters()).Max(p => MaxDiff(p.First.Grad!, p.Second.Grad!));
            return (worst, 1e-10, "max |grad_cpu - grad_cuda| over the parameters");
        });

        Check("VAE step: the MLP VAE's -ELBO, its gradients and the loss after one Adam step on the device equal the CPU's", () =>
        {
            using var s = Scope.Begin();
            using var g = new Generator(5);
            using var cpu = Vae.Mlp(784, 400, 20, g);
            using var gpu = Vae.Mlp(784, 400, 20);
            CopyInto(cpu, gpu);
            gpu.To(device);
            var x = TorchF.Rand(new long[] { 64, 784 }, g).Gt(0.5).To(ScalarType.Float32);    // (64, 784) binary
            (double Before, double After, Tensor[] Grads) Step(Vae m, Tensor input)
            {
                using var opt = new Adam(m.Parameters(), lr: 1e-3);
                using var n1 = new Generator(6);
                var loss = m.Loss(input, n1);
                loss.Backward();
                var grads = m.Parameters().Select(p => p.Grad!.Cpu()).ToArray();
                opt.Step();
                using var n2 = new Generator(7);
                using var noGrad = Autograd.NoGrad();
                return (loss.ToDouble(), m.Loss(input, n2).ToDouble(), grads);
            }
            var c = Step(cpu, x);
            var d = Step(gpu, x.To(device));
            var gradDiff = c.Grads.Zip(d.Grads).Max(p => MaxDiff(p.First, p.Second)) / c.Grads.Max(MaxAbs);
            var lossDiff = Math.Max(Math.Abs(c.Before - d.Before) / c.Before, Math.Abs(c.After - d.After) / c.After);
            // float32 sums over 784 pixels and 64 images in another order: relative differences ~1e-6; 1e-4 leaves room
            return (Math.Max(lossDiff, gradDiff), 1e-4,
                    $"-ELBO cpu {c.Before:F5} -> {c.After:F5}, cuda {d.Before:F5} -> {d.After:F5}; gradient diff / max|grad| {gradDiff:E2}");
        });

        Check("LM steps: a small Transformer LM with dropout trains 3 Adam steps with clipping on the device as on the CPU", () =>
        {
            var o = new TransformerLmOptions { Vocab = 500, Context = 32, Width = 64, Heads = 2, HeadDim = 32, Layers = 2, FeedForward = 128, Dropout = 0.2, EmbeddingDropout = 0.3 };
            var losses = new List<double>[] { new(), new() };
            for (var side = 0; side < 2; side++)
            {
                using var s = Scope.Begin();
                using var g = new Generator(8);
                using var m = new TransformerLm(o, g);
                if (side == 1) m.To(device);
                var ids = TorchF.RandInt(0, 500, new long[] { 64, 33 }, g);                    // (64, 33) int64 windows
                var data = new TensorDataset(ids);
                using var trainer = new Trainer(m, ps => new Adam(ps, lr: 1e-3), null,
                    new TrainOptions { Steps = 3, BatchSize = 16, Seed = 9, ClipGradNorm = 0.25 });
                trainer.OnStep = r => losses[side].Add(r.Loss);
                trainer.Fit(data, (batch, ctx) => m.Loss(batch, ctx.Generator));
            }
            var worst = losses[0].Zip(losses[1]).Max(p => Math.Abs(p.First - p.Second) / Math.Abs(p.First));
            return (worst, 1e-4, "relative loss differences, steps 1-3: cpu " + string.Join(" ", losses[0].Select(l => l.ToString("F6"))) + " cuda " + string.Join(" ", losses[1].Select(l => l.ToString("F6"))));
        });

        Check("P8 (b) step: the homework's 2-layer LM (15.1 M parameters) gives the same first loss and gradient norm on a WikiText-2 batch", () =>
        {
            using var s = Scope.Begin();
            var corpus = WikiText.Load();
            using var cpu = P8.Model("b", corpus.VocabSize, 600);
            using var gpu = P8.Model("b", corpus.VocabSize, 600);
            gpu.To(device);
            using var windows = new WikiTextWindows(corpus.Tokens(WikiTextSplit.Valid), P8.Context);
            using var ng = new Generator(1);
            var batch = windows.Batch(Enumerable.Range(0, 32).Select(i => (long)i).ToArray(), ng);   // (32, 151)
            var lc = cpu.Loss(batch); lc.Backward();
            var lg = gpu.Loss(batch); lg.Backward();
            var nc = Utils.ClipGradNorm_(cpu.Parameters(), 0.25);
            var ngr = Utils.ClipGradNorm_(gpu.Parameters(), 0.25);
            var d = Math.Max(Math.Abs(lc.ToDouble() - lg.ToDouble()) / lc.ToDouble(), Math.Abs(nc - ngr) / nc);
            return (d, 1e-4, $"loss cpu {lc.ToDouble():F6} cuda {lg.ToDouble():F6}; gradient norm cpu {nc:F6} cuda {ngr:F6}");
        });

        Check("a fit on the device stopped at step 3 and resumed from its checkpoint matches the straight 6-step fit", () =>
        {
            var o = new TransformerLmOptions { Vocab = 300, Context = 16, Width = 32, Heads = 2, HeadDim = 16, Layers = 1, FeedForward = 64 };
            var dir = Path.Combine(Path.GetTempPath(), "gendsl-gpu-resume-" + Environment.ProcessId);
            List<double> Run(long steps, bool resume)
            {
                using var s = Scope.Begin();
                using var g = new Generator(10);
                using var m = new TransformerLm(o, g);
                m.To(device);
                using var ig = new Generator(11);
                var ids = TorchF.RandInt(0, 300, new long[] { 48, 17 }, ig);
                var data = new TensorDataset(ids);
                using var t = new Trainer(m, ps => new Adam(ps, lr: 1e-3), null,
                    new TrainOptions { Steps = steps, BatchSize = 8, Seed = 12, CheckpointEvery = 3, CheckpointDir = dir });
                if (resume) t.LoadCheckpoint(t.CheckpointPath!);
                var l = new List<double>();
                t.OnStep = r => l.Add(r.Loss);
                t.Fit(data, (batch, ctx) => m.Loss(batch, ctx.Generator));
                return l;
            }
            try
            {
                var straight = Run(6, false);
                Directory.Delete(dir, true);
                Run(3, false);
                var resumed = Run(6, true);
                var d = straight.Skip(3).Zip(resumed).Max(p => Math.Abs(p.First - p.Second));
                // CUDA's atomic adds (embedding backward) may reorder float32 sums: agreement to 1e-5, not bit for bit
                return (d, 1e-5, $"steps 4-6 straight {string.Join(" ", straight.Skip(3).Select(x => x.ToString("F7")))} resumed {string.Join(" ", resumed.Select(x => x.ToString("F7")))}");
            }
            finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        });

        return failed == 0 ? 0 : 1;
    }
}
