// Linalg.cs: torch.linalg — determinants, inverses, Cholesky, solves, eigenvalues.
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
}
