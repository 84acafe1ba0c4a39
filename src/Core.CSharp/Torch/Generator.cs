// Generator.cs: seeded random-number generators; every random op takes one (or the global default).
using GenDsl.Native;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

/// <summary>A CPU Philox/MT generator with its own seed: <c>new Generator(42)</c> makes draws reproducible.</summary>
public sealed class Generator : IDisposable
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

    internal static GeneratorHandle Of(Generator? g) => g?.Handle ?? GeneratorHandle.Null;
    public void Dispose() => Handle.Dispose();
}
