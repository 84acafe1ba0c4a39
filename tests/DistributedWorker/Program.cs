// Program.cs: a test worker — trains a tiny float64 MLP regressor or VAE with the Trainer, alone or as one rank of a Gloo group, and writes its final parameters and the examples it saw.
using System.Diagnostics;
using System.Globalization;
using GenDsl.Data;
using GenDsl.Distributed;
using GenDsl.Torch;
using GenDsl.Torch.NN;
using GenDsl.Torch.Optim;
using GenDsl.Training;
using F = GenDsl.Torch.Functional;

// Arguments (key value pairs): --out <file> --steps N --batch B [--world W --rank r --store file://<path>]
// [--overlap 1] (all-reduces during backward) [--bucket bytes] [--model mlp|vae] (vae: an MLP VAE on dynamically binarised data, noise from the run generator)
// [--timeout seconds] [--die-at step --die-rank r] (rank r, default 1, kills itself with SIGKILL at the start of that step).
// From torchrun's environment (RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT) when --world is absent and WORLD_SIZE is set.
// Output file ({rank} in its name becomes the rank): line 1 the parameters (all, in order, round-trip doubles), line 2 the step losses; then one line per step: the example indices.
var a = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) a[args[i].TrimStart('-')] = args[i + 1];
string Arg(string k, string dflt) => a.TryGetValue(k, out var v) ? v : dflt;
var steps = long.Parse(Arg("steps", "20"), CultureInfo.InvariantCulture);
var batch = int.Parse(Arg("batch", "16"), CultureInfo.InvariantCulture);
var dieAt = long.Parse(Arg("die-at", "0"), CultureInfo.InvariantCulture);
var dieRank = int.Parse(Arg("die-rank", "1"), CultureInfo.InvariantCulture);
DistributedOptions? dist = a.ContainsKey("world")
    ? new DistributedOptions
    {
        WorldSize = int.Parse(Arg("world", "1"), CultureInfo.InvariantCulture),
        Rank = int.Parse(Arg("rank", "0"), CultureInfo.InvariantCulture),
        StoreAddress = Arg("store", ""),
        Timeout = TimeSpan.FromSeconds(double.Parse(Arg("timeout", "10"), CultureInfo.InvariantCulture)),
        BucketBytes = long.Parse(Arg("bucket", (25L << 20).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        OverlapBackward = Arg("overlap", "0") == "1",
    }
    : DistributedOptions.FromEnvironment();

try
{
    using var g = new Generator(7);
    var vae = Arg("model", "mlp") == "vae";
    Module model = vae ? GenDsl.Models.Vae.Mlp(inputDim: 12, hidden: 10, latent: 3, generator: g, dtype: ScalarType.Float64)
        : new Sequential(new Linear(4, 8, generator: g, dtype: ScalarType.Float64), new Tanh(), new Linear(8, 1, generator: g, dtype: ScalarType.Float64));
    // A different initialisation on each rank: the trainer must broadcast rank 0's.
    if (dist is { Rank: > 0 } d) using (var scope = Scope.Begin()) using (Autograd.NoGrad()) foreach (var p in model.Parameters()) p.Fill_(0.1 * d.Rank);
    var x = Torch.Randn(new long[] { 60, 4 }, g, ScalarType.Float64);                  // (N, 4)
    var y = (x.Sum(new long[] { 1 }, keepdim: true) * 0.5).Tanh();                        // (N, 1)
    // vae: 60 examples of 12 pixels with grey levels in (0, 1), each batch a fresh Bernoulli draw of them (MNIST's dynamic binarisation).
    var data = new RecordingDataset(vae ? new Binarised(Torch.Rand(new long[] { 60, 12 }, g, ScalarType.Float64)) // (N, 12)
                                        : new TensorDataset(Torch.Cat(new[] { x, y }, 1)));                        // (N, 5)
    var options = new TrainOptions { Steps = steps, BatchSize = batch, Seed = 3, ClipGradNorm = 1.0, Distributed = dist };
    using var trainer = new Trainer(model, ps => new Adam(ps, lr: 3e-2), null, options);
    var result = trainer.Fit(data, (b, ctx) =>
    {
        if (ctx.Step == dieAt && trainer.Rank == dieRank) Process.GetCurrentProcess().Kill();
        if (model is GenDsl.Models.Vae v) return v.Loss(b, ctx.Generator);             // mean -ELBO, eps ~ N(0, I) per example
        var pred = model.Forward(b.Narrow(1, 0, 4));                                      // (n, 1)
        return F.MseLoss(pred, b.Narrow(1, 4, 1));
    });
    var ps = model.Parameters().SelectMany(p => p.Contiguous().View(-1).ToArray<double>());
    var lines = new List<string> { string.Join(" ", ps.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) };
    lines.Add(string.Join(" ", result.StepRecords.Select(r => r.Loss.ToString("R", CultureInfo.InvariantCulture))));
    lines.AddRange(data.Seen.Select(ix => string.Join(" ", ix)));
    File.WriteAllLines(Arg("out", "worker.out").Replace("{rank}", trainer.Rank.ToString(CultureInfo.InvariantCulture)), lines);
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"worker rank {dist?.Rank ?? 0}: {e.GetType().Name}: {e.Message}");
    return 2;
}

/// <summary>A data set that records the indices of every batch it is asked for.</summary>
sealed class RecordingDataset(IDataset inner) : IDataset
{
    public List<long[]> Seen { get; } = new();
    public long Count => inner.Count;
    public long[] ExampleShape => inner.ExampleShape;
    public Tensor Batch(long[] indices, Generator generator) { Seen.Add(indices); return inner.Batch(indices, generator); }
}

/// <summary>Grey levels in [0, 1] (N, D); each batch is a fresh Bernoulli draw of them from the generator it is given.</summary>
sealed class Binarised(Tensor probs) : IDataset
{
    public long Count => probs.Size(0);
    public long[] ExampleShape => new[] { probs.Size(1) };
    public Tensor Batch(long[] indices, Generator generator)
    {
        using var index = Torch.Tensor(indices, indices.Length);                         // (n,)
        using var p = probs.IndexSelect(0, index);                                        // (n, D)
        return Torch.Bernoulli(p, generator);                                             // (n, D)
    }
}
