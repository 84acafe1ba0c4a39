// Tensor.Products.cs: matrix and tensor products — matmul, mm, bmm, outer, dot, mv, addmm, baddbmm, tensordot, kron, diag, trace.
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

public sealed partial class Tensor
{
    public Tensor MatMul(Tensor other) => Wrap(gd_tensor_matmul(this, other, out var r), r);
    public Tensor Mm(Tensor other) => Wrap(gd_tensor_mm(this, other, out var r), r);
    /// <summary>torch.mm(this, other, out=@out): the product written into <paramref name="out"/> (resized if its shape differs); returns it.</summary>
    public Tensor Mm(Tensor other, Tensor @out) { Check(gd_tensor_mm_out(this, other, @out)); return @out; }
    public Tensor Bmm(Tensor other) => Wrap(gd_tensor_bmm(this, other, out var r), r);
    public Tensor Outer(Tensor other) => Wrap(gd_tensor_outer(this, other, out var r), r);
    /// <summary>The inner product of two 1-d tensors of the same length and dtype.</summary>
    public Tensor Dot(Tensor other) => Wrap(gd_tensor_dot(this, other, out var r), r);
    /// <summary>Matrix (n, m) times vector (m,) -> (n,).</summary>
    public Tensor Mv(Tensor vec) => Wrap(gd_tensor_mv(this, vec, out var r), r);
    /// <summary>beta this + alpha m1 m2 for matrices m1 (n, m), m2 (m, p); this broadcasts to (n, p).</summary>
    public Tensor AddMm(Tensor m1, Tensor m2, Scalar? beta = null, Scalar? alpha = null) =>
        Wrap(gd_tensor_addmm(this, m1, m2, beta ?? 1, alpha ?? 1, out var r), r);
    /// <summary>beta this + alpha b1 @ b2 for batches b1 (B, n, m), b2 (B, m, p); this broadcasts to (B, n, p).</summary>
    public Tensor BaddBmm(Tensor batch1, Tensor batch2, Scalar? beta = null, Scalar? alpha = null) =>
        Wrap(gd_tensor_baddbmm(this, batch1, batch2, beta ?? 1, alpha ?? 1, out var r), r);
    /// <summary>The Kronecker product: block (i, j) is this[i, j] * other.</summary>
    public Tensor Kron(Tensor other) => Wrap(gd_tensor_kron(this, other, out var r), r);
    /// <summary>torch.diag: a 1-d tensor becomes a square matrix with it on diagonal <paramref name="diagonal"/>; a matrix gives that diagonal.</summary>
    public Tensor Diag(long diagonal = 0) => Wrap(gd_tensor_diag(this, diagonal, out var r), r);
    /// <summary>The sum of a matrix's main diagonal.</summary>
    public Tensor Trace() => Wrap(gd_tensor_trace(this, out var r), r);
    /// <summary>Sums products over this's dims <paramref name="dimsA"/> paired with other's <paramref name="dimsB"/>; the free dims of this come first.</summary>
    public Tensor TensorDot(Tensor other, long[] dimsA, long[] dimsB)
    {
        if (dimsA.Length != dimsB.Length)
            throw new ArgumentException($"TensorDot: {dimsA.Length} dims of the first tensor paired with {dimsB.Length} of the second; give as many of each");
        return Wrap(gd_tensor_tensordot(this, other, dimsA, dimsB, dimsA.Length, out var r), r);
    }
    /// <summary>torch.tensordot(a, b, dims=n): contracts this's last n dims with other's first n.</summary>
    public Tensor TensorDot(Tensor other, long dims = 2)
    {
        if (dims < 0 || dims > Dim || dims > other.Dim)
            throw new ArgumentException($"TensorDot: dims = {dims} but the tensors have {Dim} and {other.Dim} dims; use 0 to min of both");
        var a = new long[dims];
        var b = new long[dims];
        for (var i = 0; i < dims; i++) { a[i] = Dim - dims + i; b[i] = i; }
        return TensorDot(other, a, b);
    }
}
