// Program.cs: EBM training steps per second (DS-GA 1008 1.6: n = 1000 ring points, M = 5000 draws from the true ring, MLP 2-64-1 tanh, float64, Adam, full batch) through the Trainer.
// Usage: dotnet GenDsl.Bench.Ebm.dll [threads=2] [steps=500]; bench/ebm/torch_ref.py runs the same loop in PyTorch.
using System.Globalization;
using GenDsl.Data;
using GenDsl.Models;
using GenDsl.Torch;
using GenDsl.Torch.Optim;
using GenDsl.Training;

Torch.NumThreads = args.Length > 0 ? int.Parse(args[0]) : 2;
var steps = args.Length > 1 ? long.Parse(args[1]) : 500;
using var ring = GaussianMixture.Ring(10, 10.0);
using var g = new Generator(1008);
var (train, _) = ring.Sample(1000, g);
using var ebm = EnergyModel.Mlp(2, hidden: 64, hiddenLayers: 1, baseScale: 4.0, generator: g);
using var sample = ImportanceSample.Draw(Density.Of(ring), 5000, g);
var data = new TensorDataset(train);

double Run(long n)
{
    using var trainer = new Trainer(ebm, ps => new Adam(ps, lr: 0.01), null, new TrainOptions { Steps = n, BatchSize = 1000, Seed = 1 });
    var r = trainer.Fit(data, ebm.Objective(sample));
    return r.Seconds;
}

Run(20);                                                   // warm-up (JIT, allocator)
var seconds = Run(steps);
using var fresh = ImportanceSample.Draw(Density.Of(ring), 5000, g);
var (test, _) = ring.Sample(1000, g);
var ll = ebm.TestLogLikelihood(test, ebm.LogPartition(fresh));
Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "gendsl ebm threads={0} steps={1} seconds={2:F3} steps_per_s={3:F1} test_ll={4:F3}",
    Torch.NumThreads, steps, seconds, steps / seconds, ll.Mean));
