// Mlp.cs: the multilayer perceptron the small models share (EBM energy, GAN generator and discriminator) as a Sequential of Linear layers.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// <c>Linear(in, h), act, [Linear(h, h), act] x (hiddenLayers - 1), Linear(h, out)</c>: (N, in) -> (N, out), with
/// PyTorch's Linear initialisation drawn from <c>generator</c> in layer order. <c>activation</c> makes one activation module
/// per hidden layer (null: <see cref="ReLU"/>); <c>dtype</c> is the parameters' dtype (null: float32, PyTorch's default).
/// </summary>
public static class Mlp
{
    public static Sequential Create(long inFeatures, long hidden, int hiddenLayers, long outFeatures,
        Func<Module>? activation = null, Generator? generator = null, ScalarType? dtype = null)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentException($"Mlp.Create: inFeatures and outFeatures must be >= 1; got {inFeatures} and {outFeatures}");
        if (hiddenLayers < 0) throw new ArgumentException($"Mlp.Create: hiddenLayers must be >= 0 (0 is one Linear layer); got {hiddenLayers}", nameof(hiddenLayers));
        if (hiddenLayers > 0 && hidden < 1) throw new ArgumentException($"Mlp.Create: hidden width must be >= 1; got {hidden}", nameof(hidden));
        var act = activation ?? (() => new ReLU());
        var net = new Sequential();
        var width = inFeatures;
        for (var l = 0; l < hiddenLayers; l++)
        {
            net.Append(new Linear(width, hidden, generator: generator, dtype: dtype));
            net.Append(act());
            width = hidden;
        }
        net.Append(new Linear(width, outFeatures, generator: generator, dtype: dtype));
        return net;
    }
}
