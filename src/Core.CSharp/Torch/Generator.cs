// Generator.cs: seeded random-number generators; every random op takes one (or the global default).
using GenDsl.Native;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

/// <summary>A CPU Philox/MT generator with its own seed: <c>new Generator(42)</c> makes draws reproducible.</summary>
public sealed partial class Generator : IDisposable
{
    internal readonly GeneratorHandle Handle;

    public Generator(ulong seed)
    {
        Check(gd_generator_new(seed, out var h));
        Handle = new GeneratorHandle(h);
        Seed = seed;
    }

    public ulong Seed { get; private set; }

    public Generator ManualSeed(ulong seed)
    {
        Check(gd_generator_set_seed(Handle, seed));
        Seed = seed;
        return this;
    }

    /// <summary>
    /// A copy of the generator's whole state as a uint8 tensor (torch.Generator.get_state()): hand it to
    /// <see cref="SetState"/> later and the draws repeat from that point. Checkpoints save it for bit-identical resume.
    /// </summary>
    public Tensor GetState() => Tensor.Wrap(gd_generator_get_state(Handle, out var h), h);

    /// <summary>Restores a state from <see cref="GetState"/> (torch.Generator.set_state()); returns this.</summary>
    public Generator SetState(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Dtype != ScalarType.UInt8)
            throw new ArgumentException($"Generator.SetState: the state must be the uint8 tensor GetState returned, got {state.Dtype}", nameof(state));
        Check(gd_generator_set_state(Handle, state));
        return this;
    }

    internal static GeneratorHandle Of(Generator? g) => g?.Handle ?? GeneratorHandle.Null;
    public void Dispose() => Handle.Dispose();
}
