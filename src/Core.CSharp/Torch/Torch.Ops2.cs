// Torch.Ops2.cs: torch.* functions of issue 14 that make or combine tensors — broadcast_tensors, one-argument where,
// meshgrid, tril/triu_indices, empty_like, logspace.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

using TorchTensor = GenDsl.Torch.Tensor;

public static partial class Torch
{
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
