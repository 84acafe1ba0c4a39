// RandomNative.cs: P/Invoke declarations for native/random.cpp (creation and seeded randomness).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_tensor_zeros(long[]? shape, int ndim, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_ones(long[]? shape, int ndim, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_full(long[]? shape, int ndim, Scalar value, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_empty(long[]? shape, int ndim, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_arange(Scalar start, Scalar end, Scalar step, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_linspace(double start, double end, long steps, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_eye(long n, long m, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_generator_new(ulong seed, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int gd_generator_set_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(Lib)] internal static partial int gd_generator_get_state(GeneratorHandle g, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_generator_set_state(GeneratorHandle g, Tensor state);
    [LibraryImport(Lib)] internal static partial int gd_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int gd_tensor_rand(long[]? shape, int ndim, GeneratorHandle g, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_randn(long[]? shape, int ndim, GeneratorHandle g, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_randint(long low, long high, long[]? shape, int ndim, GeneratorHandle g, int dtype, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_randperm(long n, GeneratorHandle g, int dev, int idx, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_bernoulli(Tensor probs, GeneratorHandle g, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_multinomial(Tensor probs, long n, int replacement, GeneratorHandle g, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_normal(Tensor mean, Tensor std, GeneratorHandle g, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_uniform_(Tensor a, double low, double high, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int gd_tensor_normal_(Tensor a, double mean, double std, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int gd_tensor_dropout(Tensor a, double p, int train, GeneratorHandle g, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_dropout_rows(Tensor a, double p, long whole, Tensor rows, GeneratorHandle g, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_tensor_logspace(double start, double end, long steps, double @base, int dtype, int dev, int idx, out IntPtr @out);
}
