// Blocks.cs: shape and skip blocks for building networks from layer values — Unflatten, Reshape, Residual.
namespace GenDsl.Torch.NN;

/// <summary>
/// nn.Unflatten: expands dim <c>dim</c> into <c>unflattenedSize</c>, e.g. Unflatten(1, [16, 2, 2]) maps
/// (B, 64) to (B, 16, 2, 2). The product of the sizes must equal the size of that dim (one entry may be -1).
/// </summary>
public sealed class Unflatten : Module
{
    public long UnflattenDim { get; }
    public long[] UnflattenedSize { get; }

    public Unflatten(long dim, long[] unflattenedSize)
    {
        ArgumentNullException.ThrowIfNull(unflattenedSize);
        if (unflattenedSize.Length == 0)
            throw new ArgumentException("Unflatten: unflattenedSize needs at least one size, e.g. [16, 2, 2]");
        if (unflattenedSize.Count(s => s == -1) > 1 || unflattenedSize.Any(s => s == 0 || s < -1))
            throw new ArgumentException($"Unflatten: sizes must be positive with at most one -1, got [{string.Join(", ", unflattenedSize)}]");
        (UnflattenDim, UnflattenedSize) = (dim, (long[])unflattenedSize.Clone());
    }

    public override Tensor Forward(Tensor input)
    {
        var shape = input.Shape;
        var d = UnflattenDim < 0 ? UnflattenDim + shape.Length : UnflattenDim;
        if (d < 0 || d >= shape.Length)
            throw new ArgumentException($"Unflatten: dim {UnflattenDim} is out of range for an input of shape [{string.Join(", ", shape)}]");
        var known = UnflattenedSize.Where(s => s != -1).Aggregate(1L, (a, b) => a * b);
        if (UnflattenedSize.Contains(-1) ? shape[d] % known != 0 : known != shape[d])
            throw new ArgumentException($"Unflatten: dim {d} has size {shape[d]}, which [{string.Join(", ", UnflattenedSize)}] does not factor; " +
                                        "make the sizes multiply to it");
        var target = shape.Take((int)d).Concat(UnflattenedSize).Concat(shape.Skip((int)d + 1)).ToArray();
        return input.Reshape(target);
    }

    protected override string ExtraRepr() => $"dim={UnflattenDim}, unflattened_size=({string.Join(", ", UnflattenedSize)}{(UnflattenedSize.Length == 1 ? "," : "")})";
}

/// <summary>
/// Reshapes every example, keeping the batch dim: (B, ...) -> (B, shape...), e.g. Reshape(1, 28, 28) maps (B, 784)
/// to (B, 1, 28, 28). One entry may be -1. (PyTorch has no nn.Reshape; this is <c>x.reshape(x.shape[0], *shape)</c>.)
/// </summary>
public sealed class Reshape : Module
{
    public long[] Shape { get; }

    public Reshape(params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0) throw new ArgumentException("Reshape: give the per-example shape, e.g. Reshape(1, 28, 28)");
        if (shape.Count(s => s == -1) > 1 || shape.Any(s => s == 0 || s < -1))
            throw new ArgumentException($"Reshape: sizes must be positive with at most one -1, got [{string.Join(", ", shape)}]");
        Shape = (long[])shape.Clone();
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Dim == 0) throw new ArgumentException("Reshape: the input needs a batch dim, got a scalar");
        var perExample = input.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var known = Shape.Where(s => s != -1).Aggregate(1L, (a, b) => a * b);
        if (Shape.Contains(-1) ? perExample % known != 0 : known != perExample)
            throw new ArgumentException($"Reshape: an example of shape [{string.Join(", ", input.Shape.Skip(1))}] has {perExample} elements, " +
                                        $"which cannot be reshaped to [{string.Join(", ", Shape)}]");
        return input.Reshape(new[] { input.Size(0) }.Concat(Shape).ToArray());   // (B, shape...)
    }

    protected override string ExtraRepr() => $"shape=({string.Join(", ", Shape)})";
}

/// <summary>
/// A skip connection: x + net(x), where <c>net</c> keeps the shape (a ResNet block; pytorch-generative's VAE
/// residual block is <c>Residual(Sequential(ReLU, Conv2d(C, R, 3, padding 1), ReLU, Conv2d(R, C, 1)))</c>).
/// The inner module is registered as "net".
/// </summary>
public sealed class Residual : Module
{
    public Module Net { get; }

    public Residual(Module net) => Net = RegisterModule("net", net ?? throw new ArgumentNullException(nameof(net)));

    public override Tensor Forward(Tensor input)
    {
        using var h = Net.Forward(input);
        if (!h.Shape.SequenceEqual(input.Shape))
            throw new ArgumentException($"Residual: the inner module maps [{string.Join(", ", input.Shape)}] to [{string.Join(", ", h.Shape)}]; " +
                                        "x + net(x) needs the same shape (match the channels and keep the spatial size)");
        return input + h;
    }
}
