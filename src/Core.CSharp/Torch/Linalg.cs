// Linalg.cs: torch.linalg — determinants, inverses, Cholesky, solves, eigen- and singular values, QR, SVD, lstsq, pinv, norms, matrix exp and power.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public static partial class Linalg
{
    public static Tensor Det(Tensor a) => Tensor.Wrap(gd_linalg_det(a, out var r), r);

    /// <summary>(sign, log|det|) — the stable way to get log-determinants of flow Jacobians.</summary>
    public static (Tensor Sign, Tensor LogAbsDet) SlogDet(Tensor a)
    {
        Check(gd_linalg_slogdet(a, out var s, out var l));
        return (new Tensor(s), new Tensor(l));
    }

    public static Tensor Inv(Tensor a) => Tensor.Wrap(gd_linalg_inv(a, out var r), r);
    public static Tensor Cholesky(Tensor a, bool upper = false) => Tensor.Wrap(gd_linalg_cholesky(a, upper ? 1 : 0, out var r), r);
    /// <summary>X with A X = B.</summary>
    public static Tensor Solve(Tensor a, Tensor b) => Tensor.Wrap(gd_linalg_solve(a, b, out var r), r);
    public static Tensor SolveTriangular(Tensor a, Tensor b, bool upper) => Tensor.Wrap(gd_linalg_solve_triangular(a, b, upper ? 1 : 0, out var r), r);
    /// <summary>Eigenvalues of a symmetric matrix, ascending.</summary>
    public static Tensor EigvalsH(Tensor a) => Tensor.Wrap(gd_linalg_eigvalsh(a, out var r), r);

    /// <summary>Eigenvalues of a general square matrix as (real parts, imaginary parts).</summary>
    public static (Tensor Real, Tensor Imag) Eigvals(Tensor a)
    {
        Check(gd_linalg_eigvals(a, out var re, out var im));
        return (new Tensor(re), new Tensor(im));
    }

    private static (Tensor, Tensor) Two(int status, IntPtr a, IntPtr b, [System.Runtime.CompilerServices.CallerMemberName] string op = "")
    {
        Check(status, op);
        return (new Tensor(a), new Tensor(b));
    }

    /// <summary>A = Q R with Q's columns orthonormal and R upper triangular; mode "reduced" (default), "complete" or "r" (Q empty).</summary>
    public static (Tensor Q, Tensor R) Qr(Tensor a, string mode = "reduced")
    {
        if (mode is not ("reduced" or "complete" or "r"))
            throw new ArgumentException($"Qr: mode '{mode}' is unknown; use reduced, complete or r");
        return Two(gd_linalg_qr(a, mode, out var q, out var r), q, r);
    }

    /// <summary>A = U diag(S) Vh with S descending; fullMatrices false gives the thin factors (k = min(m, n) columns).</summary>
    public static (Tensor U, Tensor S, Tensor Vh) Svd(Tensor a, bool fullMatrices = true)
    {
        Check(gd_linalg_svd(a, fullMatrices ? 1 : 0, out var u, out var s, out var vh));
        return (new Tensor(u), new Tensor(s), new Tensor(vh));
    }

    /// <summary>The singular values, descending (differentiable everywhere they are distinct).</summary>
    public static Tensor SvdVals(Tensor a) => Tensor.Wrap(gd_linalg_svdvals(a, out var r), r);

    /// <summary>A = Q diag(L) Q^T for a symmetric A: eigenvalues ascending and orthonormal eigenvectors in Q's columns; reads the lower (or upper) triangle.</summary>
    public static (Tensor Eigenvalues, Tensor Eigenvectors) Eigh(Tensor a, bool upper = false) =>
        Two(gd_linalg_eigh(a, upper ? 1 : 0, out var l, out var q), l, q);

    /// <summary>
    /// The least-squares solution X of min ||A X - B|| (torch.linalg.lstsq): A (*, m, n), B (*, m, k). Residuals, rank and
    /// singular values are filled only by the drivers that compute them (PyTorch's rules; empty otherwise). CPU drivers:
    /// "gelsy" (default), "gels", "gelsd", "gelss".
    /// </summary>
    public static (Tensor Solution, Tensor Residuals, Tensor Rank, Tensor SingularValues) Lstsq(Tensor a, Tensor b, double? rcond = null, string? driver = null)
    {
        Check(gd_linalg_lstsq(a, b, rcond is { } r ? new[] { r } : null, driver, out var x, out var res, out var rank, out var sv));
        return (new Tensor(x), new Tensor(res), new Tensor(rank), new Tensor(sv));
    }

    /// <summary>The Moore-Penrose pseudo-inverse; singular values below max(atol, rtol * sigma_max) count as zero.</summary>
    public static Tensor Pinv(Tensor a, double? atol = null, double? rtol = null, bool hermitian = false) =>
        Tensor.Wrap(gd_linalg_pinv(a, atol is { } x ? new[] { x } : null, rtol is { } y ? new[] { y } : null, hermitian ? 1 : 0, out var r), r);

    /// <summary>(sum |x|^ord)^(1/ord) over dims (all when null); ord may be +-inf (max/min |x|) or 0 (count of nonzeros).</summary>
    public static Tensor VectorNorm(Tensor x, double ord = 2, long[]? dims = null, bool keepdim = false, ScalarType? dtype = null) =>
        Tensor.Wrap(gd_linalg_vector_norm(x, ord, dims is { Length: > 0 } ? dims : null, dims?.Length ?? 0, keepdim ? 1 : 0, dtype is { } t ? (int)t : -1, out var r), r);

    /// <summary>A matrix norm over dims (the last two by default): "fro" (Frobenius) or "nuc" (nuclear, the sum of singular values).</summary>
    public static Tensor MatrixNorm(Tensor a, string ord = "fro", long[]? dims = null, bool keepdim = false)
    {
        if (ord is not ("fro" or "nuc"))
            throw new ArgumentException($"MatrixNorm: ord '{ord}' is unknown; use \"fro\" or \"nuc\", or a number (1, -1, 2, -2, inf, -inf)");
        return Tensor.Wrap(gd_linalg_matrix_norm(a, 0, ord, MatDims(dims), keepdim ? 1 : 0, out var r), r);
    }

    /// <summary>A numeric matrix norm: 1 / -1 max/min column sum, inf / -inf max/min row sum, 2 / -2 largest/smallest singular value.</summary>
    public static Tensor MatrixNorm(Tensor a, double ord, long[]? dims = null, bool keepdim = false) =>
        Tensor.Wrap(gd_linalg_matrix_norm(a, ord, null, MatDims(dims), keepdim ? 1 : 0, out var r), r);

    private static long[] MatDims(long[]? dims) => dims switch
    {
        null => new[] { -2L, -1L },
        { Length: 2 } => dims,
        _ => throw new ArgumentException($"MatrixNorm: dims must name exactly 2 dims, got {dims.Length}"),
    };

    /// <summary>exp(A) = sum_k A^k / k! for square matrices (batched).</summary>
    public static Tensor MatrixExp(Tensor a) => Tensor.Wrap(gd_tensor_matrix_exp(a, out var r), r);
    /// <summary>A^n for an integer n (negative n inverts first).</summary>
    public static Tensor MatrixPower(Tensor a, long n) => Tensor.Wrap(gd_linalg_matrix_power(a, n, out var r), r);

    /// <summary>
    /// torch.cholesky_solve(B, L): X with A X = B given A's Cholesky factor L (lower, or upper with <paramref name="upper"/>),
    /// by two triangular solves: the Gaussian-process and GMM posterior solve once the factor is known.
    /// </summary>
    public static Tensor CholeskySolve(Tensor b, Tensor l, bool upper = false) =>
        Tensor.Wrap(gd_linalg_cholesky_solve(b, l, upper ? 1 : 0, out var r), r);
}
