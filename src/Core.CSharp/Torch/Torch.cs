// Torch.cs: the torch.* namespace — creation, random sampling, joins and broadcasts, meshgrid and index grids, runtime settings.
using System.Runtime.InteropServices;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

// Inside this class the name Tensor is the torch.tensor factory method; the type is TorchTensor.
using TorchTensor = GenDsl.Torch.Tensor;
using G = GenDsl.Torch.Generator;

/// <summary>PyTorch's <c>torch.*</c> functions in .NET casing: <c>Torch.Randn(new long[] {3, 2}, generator: g)</c>.</summary>
public static partial class Torch
{
    private static TorchTensor W(int status, IntPtr h, [System.Runtime.CompilerServices.CallerMemberName] string op = "") => TorchTensor.Wrap(status, h, op);
    private static int Dt(ScalarType? t, ScalarType dflt = ScalarType.Float32) => (int)(t ?? dflt);
    private static Device Dev(Device? d) => d ?? Device.CPU;

    // ---- runtime ----
    /// <summary>libtorch's intra-op thread count (GenDsl sets it to the machine's cores at start-up).</summary>
    public static int NumThreads
    {
        get { Check(gd_get_num_threads(out var n)); return n; }
        set => Check(gd_set_num_threads(value));
    }

    public static int CudaDeviceCount { get { Check(gd_cuda_device_count(out var n)); return n; } }
    public static bool CudaIsAvailable => CudaDeviceCount > 0;

    public static string Version
    {
        get { Check(gd_version(out var p)); return Marshal.PtrToStringUTF8(p) ?? "?"; }
    }

    /// <summary>
    /// The BLAS libtorch's matrix products run on, its kernel and how the kernel was chosen, and the library file:
    /// "OpenBLAS 0.3.21 (pthreads); kernel Cooperlake, chosen by GenDsl from the CPU's features; openblas-pthread/libblas.so.3".
    /// OPENBLAS_CORETYPE, set before the process starts, overrides the kernel (see README, "BLAS"). A last part says when
    /// OpenBLAS's OpenMP build was not loaded because libtorch does not link libblas.so.3 (<see cref="GenDsl.Native.BlasChoice.PreloadNote"/>).
    /// </summary>
    public static string BlasInfo
    {
        get
        {
            Check(gd_blas_info(out var p));
            var info = Marshal.PtrToStringUTF8(p) ?? "?";
            var note = GenDsl.Native.BlasChoice.PreloadNote is { } n ? "; " + n : "";
            if (!info.StartsWith("OpenBLAS", StringComparison.Ordinal)) return info + note;
            var parts = info.Split("; ");   // name (threading); kernel K; file
            return (parts.Length == 3 ? $"{parts[0]}; {parts[1]}, {GenDsl.Native.BlasChoice.Source}; {parts[2]}" : info) + note;
        }
    }

    /// <summary>
    /// What GenDsl's CPU allocator holds for tensors of 1 MiB or more (torch.cuda.memory_stats's counterpart): bytes in
    /// use, bytes kept after being freed for reuse, the peak in use; how many requests reused a kept block (hits) or
    /// mapped a new one (misses). All zero under GENDSL_MALLOC=default or heap, where libtorch's own allocator serves.
    /// </summary>
    public static CpuMemoryStats CpuMemoryStats()
    {
        Span<long> s = stackalloc long[6];
        Check(gd_alloc_stats(s));
        return new CpuMemoryStats(s[0], s[1], s[2], s[3], s[4], s[5]);
    }

    /// <summary>Unmaps every block GenDsl's CPU allocator keeps for reuse (torch.cuda.empty_cache's counterpart); tensors in use are untouched.</summary>
    public static void EmptyCache() => Check(gd_alloc_empty_cache());

    /// <summary>
    /// Makes the peak of <see cref="CpuMemoryStats"/> what is in use now (torch.cuda.reset_peak_memory_stats): to measure
    /// one phase's peak, and since the blocks kept are bounded by the peak plus an eighth, to let a phase that needs less
    /// memory than an earlier one hold less.
    /// </summary>
    public static void ResetPeakMemoryStats() => Check(gd_alloc_reset_peak());

    /// <summary>Seeds the global default generators (CPU and CUDA), as torch.manual_seed.</summary>
    public static void ManualSeed(ulong seed) => Check(gd_manual_seed(seed));

    /// <summary>
    /// A copy of libtorch's default CPU generator's state (torch.get_rng_state()): what random ops given no generator
    /// (Dropout without one, for instance) draw from. <see cref="SetRngState"/> puts it back.
    /// </summary>
    public static TorchTensor GetRngState() => W(gd_generator_get_state(GenDsl.Torch.Generator.Of(null), out var h), h);

    /// <summary>Restores the default CPU generator's state from <see cref="GetRngState"/> (torch.set_rng_state()).</summary>
    public static void SetRngState(TorchTensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Dtype != ScalarType.UInt8)
            throw new ArgumentException($"Torch.SetRngState: the state must be the uint8 tensor GetRngState returned, got {state.Dtype}", nameof(state));
        Check(gd_generator_set_state(GenDsl.Torch.Generator.Of(null), state));
    }

    // ---- from .NET data ----
    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (default: 1-d).</summary>
    public static unsafe TorchTensor Tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requiresGrad = false)
        where T : unmanaged
    {
        shape ??= new long[] { data.Length };
        long n = 1;
        foreach (var s in shape) n *= s;
        if (n != data.Length)
            throw new ArgumentException($"Tensor: shape [{string.Join(", ", shape)}] needs {n} elements but {data.Length} were given");
        TorchTensor t;
        fixed (T* p = data)
            t = W(gd_tensor_from_data((IntPtr)p, shape, shape.Length, (int)TorchTensor.TypeOf<T>(), out var h), h);
        if (device is { Type: not DeviceType.CPU } d)
        {
            var moved = t.To(d);
            t.Dispose();
            t = moved;
        }
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    public static TorchTensor Tensor<T>(T[] data, params long[] shape) where T : unmanaged =>
        Tensor<T>(data.AsSpan(), shape.Length == 0 ? null : shape);

    public static TorchTensor Tensor<T>(T[,] data, Device? device = null, bool requiresGrad = false) where T : unmanaged
    {
        var flat = new T[data.Length];
        var k = 0;
        foreach (var v in data) flat[k++] = v;
        return Tensor<T>(flat, new long[] { data.GetLength(0), data.GetLength(1) }, device, requiresGrad);
    }

    /// <summary>A 0-d tensor.</summary>
    public static TorchTensor Scalar(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Full(Array.Empty<long>(), value, dtype, device);

    // ---- creation ----
    public static TorchTensor Zeros(long[] shape, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_zeros(shape, shape.Length, Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h);
    public static TorchTensor Zeros(params long[] shape) => Zeros(shape, null, null);
    public static TorchTensor Ones(long[] shape, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_ones(shape, shape.Length, Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h);
    public static TorchTensor Ones(params long[] shape) => Ones(shape, null, null);
    /// <summary>A tensor filled with value; without dtype, the dtype follows the value as in torch.full (bool -> Bool, integer -> Int64, float -> Float32).</summary>
    public static TorchTensor Full(long[] shape, Scalar value, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_full(shape, shape.Length, value, dtype is { } d ? (int)d : -1, (int)Dev(device).Type, Dev(device).Index, out var h), h);
    public static TorchTensor Empty(long[] shape, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_empty(shape, shape.Length, Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h);
    public static TorchTensor ZerosLike(TorchTensor t) => Zeros(t.Shape, t.Dtype, t.Device);
    public static TorchTensor OnesLike(TorchTensor t) => Ones(t.Shape, t.Dtype, t.Device);
    public static TorchTensor FullLike(TorchTensor t, Scalar value) => Full(t.Shape, value, t.Dtype, t.Device);

    /// <summary>[start, end) in steps; int64 when all three are integers, float32 otherwise (PyTorch's rule), unless dtype says.</summary>
    public static TorchTensor Arange(Scalar start, Scalar end, Scalar? step = null, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_arange(start, end, step ?? 1, dtype is { } d ? (int)d : -1, (int)Dev(device).Type, Dev(device).Index, out var h), h);
    public static TorchTensor Arange(Scalar end, ScalarType? dtype = null, Device? device = null) => Arange(0, end, 1, dtype, device);
    public static TorchTensor Linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_linspace(start, end, steps, Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h);
    public static TorchTensor Eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_eye(n, m ?? n, Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h);

    // ---- random (draws on the CPU from the generator, then moves: one seed, same numbers on every device) ----
    // A generator restricted to some rows of a batch (Generator.Rows: a rank of a data-parallel run) makes a per-example
    // draw for the whole batch and cuts it to its rows (GeneratorRows.cs); the *Drawn helpers make the draw as asked.
    public static TorchTensor Rand(long[] shape, Generator? generator = null, ScalarType? dtype = null, Device? device = null) =>
        G.RowsFor(generator, shape) is { } rows ? G.Cut(rows, RandDrawn(G.Whole(rows, shape), generator, dtype, device)) : RandDrawn(shape, generator, dtype, device);
    private static TorchTensor RandDrawn(long[] shape, Generator? generator, ScalarType? dtype, Device? device) =>
        W(gd_tensor_rand(shape, shape.Length, G.Of(generator), Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h, nameof(Rand));
    public static TorchTensor Randn(long[] shape, Generator? generator = null, ScalarType? dtype = null, Device? device = null) =>
        G.RowsFor(generator, shape) is { } rows ? G.Cut(rows, RandnDrawn(G.Whole(rows, shape), generator, dtype, device)) : RandnDrawn(shape, generator, dtype, device);
    private static TorchTensor RandnDrawn(long[] shape, Generator? generator, ScalarType? dtype, Device? device) =>
        W(gd_tensor_randn(shape, shape.Length, G.Of(generator), Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h, nameof(Randn));
    public static TorchTensor Rand(params long[] shape) => Rand(shape, null);
    public static TorchTensor Randn(params long[] shape) => Randn(shape, null);
    /// <summary>N(0, 1) draws with t's shape, dtype and device (torch.randn_like).</summary>
    public static TorchTensor RandnLike(TorchTensor t, Generator? generator = null) => Randn(t.Shape, generator, t.Dtype, t.Device);
    /// <summary>U[0, 1) draws with t's shape, dtype and device (torch.rand_like).</summary>
    public static TorchTensor RandLike(TorchTensor t, Generator? generator = null) => Rand(t.Shape, generator, t.Dtype, t.Device);
    /// <summary>Integers uniform on [low, high).</summary>
    public static TorchTensor RandInt(long low, long high, long[] shape, Generator? generator = null, ScalarType? dtype = null, Device? device = null) =>
        G.RowsFor(generator, shape) is { } rows ? G.Cut(rows, RandIntDrawn(low, high, G.Whole(rows, shape), generator, dtype, device)) : RandIntDrawn(low, high, shape, generator, dtype, device);
    private static TorchTensor RandIntDrawn(long low, long high, long[] shape, Generator? generator, ScalarType? dtype, Device? device) =>
        W(gd_tensor_randint(low, high, shape, shape.Length, G.Of(generator), Dt(dtype, ScalarType.Int64), (int)Dev(device).Type, Dev(device).Index, out var h), h, nameof(RandInt));
    public static TorchTensor RandPerm(long n, Generator? generator = null, Device? device = null) =>
        W(gd_tensor_randperm(n, GenDsl.Torch.Generator.Of(generator), (int)Dev(device).Type, Dev(device).Index, out var h), h);
    /// <summary>Bernoulli draws with the given probabilities (same shape and dtype).</summary>
    public static TorchTensor Bernoulli(TorchTensor probs, Generator? generator = null)
    {
        if (G.RowsFor(generator, probs.Shape) is not { } rows) return W(gd_tensor_bernoulli(probs, G.Of(generator), out var h), h);
        using var whole = G.Spread(rows, probs);                                              // (N, ...)
        return G.Cut(rows, W(gd_tensor_bernoulli(whole, G.Of(generator), out var hw), hw));  // (n_r, ...)
    }
    /// <summary>Category indices drawn from each row of (unnormalised) probabilities.</summary>
    public static TorchTensor Multinomial(TorchTensor probs, long numSamples, bool replacement = false, Generator? generator = null) =>
        W(gd_tensor_multinomial(probs, numSamples, replacement ? 1 : 0, GenDsl.Torch.Generator.Of(generator), out var h), h);
    /// <summary>mean + std * eps with eps ~ N(0, 1): differentiable in mean and std (the reparameterisation trick).</summary>
    public static TorchTensor Normal(TorchTensor mean, TorchTensor std, Generator? generator = null)
    {
        if (generator?.Rows is null) return W(gd_tensor_normal(mean, std, G.Of(generator), out var h), h);
        var shape = TryBroadcastShapes(mean.Shape, std.Shape)
            ?? throw new ArgumentException($"Normal: mean [{string.Join(", ", mean.Shape)}] and std [{string.Join(", ", std.Shape)}] do not broadcast; give shapes that do");
        if (G.RowsFor(generator, shape) is null) return W(gd_tensor_normal(mean, std, G.Of(generator), out var h), h);
        using var eps = Randn(shape, generator, mean.Dtype, mean.Device); // the batch's eps, cut
        return mean + std * eps;                                          // as gd_tensor_normal does
    }

    /// <summary>The shape two shapes broadcast to (PyTorch's rule), or null when they do not.</summary>
    internal static long[]? TryBroadcastShapes(long[] a, long[] b)
    {
        var r = new long[Math.Max(a.Length, b.Length)];
        for (var i = 1; i <= r.Length; i++)
        {
            var p = i <= a.Length ? a[^i] : 1;
            var q = i <= b.Length ? b[^i] : 1;
            if (p != q && p != 1 && q != 1) return null;
            r[^i] = p == 1 ? q : p;
        }
        return r;
    }

    // ---- joins and selection ----
    public static TorchTensor Cat(IReadOnlyList<TorchTensor> tensors, long dim = 0)
    {
        var r = W(gd_tensor_cat(TorchTensor.Handles(tensors), tensors.Count, dim, out var h), h);
        GC.KeepAlive(tensors);
        return r;
    }

    public static TorchTensor Stack(IReadOnlyList<TorchTensor> tensors, long dim = 0)
    {
        var r = W(gd_tensor_stack(TorchTensor.Handles(tensors), tensors.Count, dim, out var h), h);
        GC.KeepAlive(tensors);
        return r;
    }

    /// <summary>Elementwise condition ? a : b (broadcast).</summary>
    public static TorchTensor Where(TorchTensor condition, TorchTensor a, TorchTensor b) =>
        W(gd_tensor_where(condition, a, b, out var h), h);
    public static TorchTensor Maximum(TorchTensor a, TorchTensor b) => a.Maximum(b);
    public static TorchTensor Minimum(TorchTensor a, TorchTensor b) => a.Minimum(b);
    public static TorchTensor MatMul(TorchTensor a, TorchTensor b) => a.MatMul(b);
    /// <summary>torch.cdist: d[.., i, j] = ||a[.., i, :] - b[.., j, :]||_p for a (*, P, M) and b (*, R, M) -> (*, P, R).</summary>
    public static TorchTensor Cdist(TorchTensor a, TorchTensor b, double p = 2) =>
        W(gd_tensor_cdist(a, b, p, out var h), h);
    /// <summary>torch.einsum: a sum of products over the indices the equation names, e.g. "bij,bjk->bik" for a batched product.</summary>
    public static TorchTensor Einsum(string equation, params TorchTensor[] operands)
    {
        var r = W(gd_tensor_einsum(equation, TorchTensor.Handles(operands), operands.Length, out var h), h);
        GC.KeepAlive(operands);
        return r;
    }

    // ---- saving tensors ----
    /// <summary>Writes {name: tensor} to a file that PyTorch's torch.load also reads.</summary>
    public static void Save(IReadOnlyDictionary<string, TorchTensor> tensors, string path)
    {
        var names = tensors.Keys.ToArray();
        var ptrs = names.Select(n => Marshal.StringToCoTaskMemUTF8(n)).ToArray();
        try
        {
            var hs = names.Select(n => tensors[n].Ptr).ToArray();
            Check(gd_save(path, ptrs, hs, names.Length));
            GC.KeepAlive(tensors);
        }
        finally
        {
            foreach (var p in ptrs) Marshal.FreeCoTaskMem(p);
        }
    }

    public static void Save(TorchTensor tensor, string path) => Save(new Dictionary<string, TorchTensor> { ["tensor"] = tensor }, path);

    /// <summary>Reads {name: tensor} written by <see cref="Save(IReadOnlyDictionary{string, TorchTensor}, string)"/> (or torch.save of such a dict).</summary>
    public static Dictionary<string, TorchTensor> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no tensor file at '{path}'", path);
        Check(gd_load_count(path, out var n, out var state));
        try
        {
            var d = new Dictionary<string, TorchTensor>();
            for (var i = 0; i < n; i++)
            {
                Check(gd_load_entry(state, i, out var name, out var h));
                d[Marshal.PtrToStringUTF8(name)!] = new Tensor(h);
            }
            return d;
        }
        finally
        {
            gd_load_free(state);
        }
    }

    private static TorchTensor[] Adopt(IntPtr[] hs)
    {
        var ts = new TorchTensor[hs.Length];
        for (var i = 0; i < hs.Length; i++) ts[i] = new TorchTensor(hs[i]);
        return ts;
    }

    /// <summary>The tensors expanded to their common broadcast shape (views).</summary>
    public static TorchTensor[] BroadcastTensors(params TorchTensor[] tensors)
    {
        var hs = new IntPtr[tensors.Length];
        Check(gd_tensor_broadcast_tensors(TorchTensor.Handles(tensors), tensors.Length, hs));
        GC.KeepAlive(tensors);
        return Adopt(hs);
    }

    /// <summary>torch.where(condition): the indices of the true (nonzero) elements, one int64 tensor per dim (Nonzero as a tuple).</summary>
    public static TorchTensor[] Where(TorchTensor condition)
    {
        var hs = new IntPtr[Math.Max(1, condition.Dim)];
        Check(gd_tensor_where_cond(condition, hs));
        return Adopt(hs);
    }

    /// <summary>Coordinate grids from 1-d tensors: "ij" gives (n0, n1, ...) grids, "xy" swaps the first two (Cartesian, as NumPy).</summary>
    public static TorchTensor[] Meshgrid(TorchTensor[] tensors, string indexing = "ij")
    {
        if (indexing is not ("ij" or "xy"))
            throw new ArgumentException($"Meshgrid: indexing '{indexing}' is unknown; use \"ij\" (matrix) or \"xy\" (Cartesian)");
        var hs = new IntPtr[tensors.Length];
        Check(gd_tensor_meshgrid(TorchTensor.Handles(tensors), tensors.Length, indexing, hs));
        GC.KeepAlive(tensors);
        return Adopt(hs);
    }

    /// <summary>The (2, N) row and column indices of the lower triangle (on and below diagonal offset) of a row x col matrix.</summary>
    public static TorchTensor TrilIndices(long row, long col, long offset = 0, Device? device = null) =>
        W(gd_tensor_tril_indices(row, col, offset, (int)Dev(device).Type, Dev(device).Index, out var h), h);
    /// <summary>The (2, N) row and column indices of the upper triangle (on and above diagonal offset).</summary>
    public static TorchTensor TriuIndices(long row, long col, long offset = 0, Device? device = null) =>
        W(gd_tensor_triu_indices(row, col, offset, (int)Dev(device).Type, Dev(device).Index, out var h), h);

    /// <summary>An uninitialised tensor with t's shape, dtype and device.</summary>
    public static TorchTensor EmptyLike(TorchTensor t) => Empty(t.Shape, t.Dtype, t.Device);
    /// <summary>steps values base^x for x evenly spaced from start to end inclusive (float32 unless dtype says).</summary>
    public static TorchTensor Logspace(double start, double end, long steps, double @base = 10, ScalarType? dtype = null, Device? device = null) =>
        W(gd_tensor_logspace(start, end, steps, @base, Dt(dtype), (int)Dev(device).Type, Dev(device).Index, out var h), h);
}
