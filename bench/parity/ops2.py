# ops2.py: the op table for the issue-14 ops (elementwise, reductions, shapes, products, linalg, functional, losses) and the Torch.X function forms; ops.py calls register().
import os
import re

import torch
import torch.nn.functional as F

import gens as g
import gens2 as h
import gens_nn2 as m
import gens_nn as n
from draw import ALL, F32, F64, FLOAT, I64, NUM

# The names of the Torch.X(t, ...) forwarders (Torch.Functions.cs), read from the source so a new forwarder gets its line.
_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "Core.CSharp", "Torch", "Torch.Functions.cs")
TORCH_FORMS = set(re.findall(r"public static [^=]*? (\w+)\(T ", open(_SRC).read()))

UNARY2 = ["Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Log2", "Log10", "Exp2", "Erfinv", "Erfc",
          "Digamma", "IsInf", "IsPosInf", "IsNegInf", "Trunc", "Frac"]
INPLACE2 = ["Neg_", "Abs_", "Log_", "Log1p_", "Expm1_", "Sqrt_", "Rsqrt_", "Sigmoid_", "Tanh_", "Relu_", "Sin_", "Cos_", "Tan_",
            "Floor_", "Ceil_", "Round_", "Trunc_", "Sign_", "Reciprocal_", "Square_", "Erf_", "Lgamma_", "Asin_", "Acos_", "Atan_",
            "Sinh_", "Cosh_", "Log2_", "Log10_", "Exp2_", "Erfinv_", "Digamma_"]


# ---- decompositions: signs (and, for repeated values, bases) are not unique, so both sides' outputs go through the same invariants ----
def qr_inv(outs):
    """(Q, R) -> (Q R, |R|, Q^T Q): the reconstruction, R up to the signs of its rows, orthonormality; mode "r" has an empty Q."""
    q, r = outs
    if q.numel() == 0:
        return [q, r.abs()]
    return [q @ r, r.abs(), q.mT @ q]


def svd_inv(outs):
    """(U, S, Vh) -> (U_k diag(S) Vh_k, S): the reconstruction and the singular values (U, V columns are unique up to sign)."""
    u, s, vh = outs
    k = s.shape[-1]
    return [(u[..., :k] * s.unsqueeze(-2)) @ vh[..., :k, :], s]


def eigh_inv(outs):
    """(L, V) -> (L, V diag(L) V^T): the eigenvalues and the reconstruction (eigenvectors are unique up to sign)."""
    l, v = outs
    return [l, (v * l.unsqueeze(-2)) @ v.mT]


def gumbel_ref(x, tau, hard, dim, gen):
    """softmax((x + G) / tau) with G = -log(-log U), U ~ U(0, 1) clamped at 1e-20 (Jang et al. 2017, eq. 2), drawn from gen as
    torch.rand; hard: the one-hot of the argmax with the soft sample's gradient (straight-through)."""
    u = torch.rand(x.shape, generator=gen, dtype=x.dtype).clamp_min(1e-20)
    soft = ((x - (-u.log()).log()) / tau).softmax(dim)
    if not hard:
        return soft
    one = torch.zeros_like(soft).scatter(dim, soft.argmax(dim, keepdim=True), 1.0)
    return one - soft.detach() + soft


def baddbmm_ref(x, b1, b2, beta=1, alpha=1):
    """torch.baddbmm as documented: with beta = 0 the input is ignored (nan and inf not propagated). libtorch 1.13's CPU kernel
    scales its uninitialised output by beta there (NaN from whatever memory it got), so that case adds a zeroed input instead."""
    if beta == 0:
        x, beta = x.masked_fill(torch.ones_like(x, dtype=torch.bool), 0), 1
    return torch.baddbmm(x, b1, b2, beta=beta, alpha=alpha)


def kl_ref(x, t, reduction, log_target, batch_mean):
    return F.kl_div(x, t, reduction=reduction, log_target=log_target)


def rows(op, table, **common):
    """One op() per row (ours, PyTorch's call, generator[, options]): `common` options for every row, a row's own on top."""
    for ours, ref, gen, *own in table:
        op(ours, ref, gen, **{**common, **(own[0] if own else {})})


ELEMENTWISE = [
    ("Tensor.Logit", "torch.logit", h.logit),
    ("Tensor.Xlogy", "torch.xlogy", g.binary),
    ("Tensor.Hypot", "torch.hypot", g.binary),
    ("Tensor.Fmod", "torch.fmod", g.binary),
    ("Torch.Clamp", "torch.clamp", h.clamp),
    ("Tensor.IsClose", "torch.isclose", h.isclose),
    ("Tensor.NanToNum", "torch.nan_to_num", h.nan_to_num),
    ("Tensor.Div", "torch.div", h.div_mode),
    ("Tensor.Lerp", "torch.lerp", h.lerp_s),
    ("Tensor.Lerp", "torch.lerp", h.lerp_t),
    ("Tensor.AddCMul", "torch.addcmul", h.addc),
    ("Tensor.AddCDiv", "torch.addcdiv", h.addc),
    ("Tensor.Sub_", lambda x, y, a: x.sub_(y, alpha=a), h.sub_alpha),
]

# (ours, PyTorch's call[, generator]) of the scalar block: dtype x int/float/bool scalar.
SCALAR = [("Tensor.Fmod", "torch.fmod"), ("Tensor.Div", "torch.div", h.div_mode_s), ("Tensor.Sub_", "x.sub_"), ("Tensor.Div_", "x.div_"),
          ("Tensor.Pow_", "x.pow_")]

REDUCTIONS = [
    ("Tensor.Median", "torch.median", g.unary),
    ("Tensor.Median", "torch.median", g.nonempty_dim_keep),
    ("Tensor.NanMedian", "torch.nanmedian", g.unary),
    ("Tensor.Quantile", "torch.quantile", h.quantile, dict(dtypes=ALL)),
    ("Tensor.Quantile", "torch.quantile", h.quantile_t, dict(dtypes=ALL)),
    ("Tensor.NanMean", lambda x, dims=None, keepdim=False, dtype=None: torch.nanmean(x, dims, keepdim, dtype=dtype), h.dims_keep_dtype),
    ("Tensor.NanSum", lambda x, dims=None, keepdim=False, dtype=None: torch.nansum(x, dims, keepdim, dtype=dtype), h.dims_keep_dtype),
    ("Tensor.VarMean", lambda x, dims=None, correction=1, keepdim=False: torch.var_mean(x, dims, correction=correction, keepdim=keepdim),
     h.var_mean),
    ("Tensor.StdMean", lambda x, dims=None, correction=1, keepdim=False: torch.std_mean(x, dims, correction=correction, keepdim=keepdim),
     h.var_mean),
    ("Tensor.LogCumSumExp", "torch.logcumsumexp", g.with_dim),
    ("Tensor.ArgSort", lambda x, d, desc, st: torch.sort(x, dim=d, descending=desc, stable=st)[1], h.argsort),
    ("Tensor.KthValue", "torch.kthvalue", h.kthvalue),
    ("Tensor.Unique", lambda x, s, d: torch.unique(x, s, True, True, d), h.unique, dict(grad=False)),
    ("Tensor.BinCount", "torch.bincount", h.bincount, dict(dtypes=(F32, F64, I64))),
    ("Tensor.SearchSorted", lambda s, v, r, o: torch.searchsorted(s, v, right=r, out_int32=o), h.searchsorted, dict(dtypes=NUM)),
    ("Tensor.CountNonzero", "torch.count_nonzero", h.count_nonzero),
    ("Tensor.CountNonzero", "torch.count_nonzero", g.with_dim),
    ("Tensor.CountNonzero", "torch.count_nonzero", g.unary),
    ("Tensor.Mean", lambda x, d, k, dt: torch.mean(x, d, k, dtype=dt), h.mean_dtype),
    ("Tensor.Softmax", lambda x, d, dt: torch.softmax(x, d, dtype=dt), h.with_dim_dtype),
    ("Tensor.LogSoftmax", lambda x, d, dt: torch.log_softmax(x, d, dtype=dt), h.with_dim_dtype),
    ("Tensor.CumSum", lambda x, d, dt: torch.cumsum(x, d, dtype=dt), h.with_dim_dtype),
    ("Tensor.CumProd", lambda x, d, dt: torch.cumprod(x, d, dtype=dt), h.with_dim_dtype),
    ("Tensor.CumMax", "torch.cummax", g.with_dim),
]

SHAPES = [
    ("Tensor.TensorSplit", "torch.tensor_split", h.tensor_split_n),
    ("Tensor.TensorSplit", "torch.tensor_split", h.tensor_split_idx),
    ("Tensor.MoveDim", "torch.movedim", h.movedim),
    ("Tensor.MoveDim", "torch.movedim", h.movedims),
    ("Tensor.SwapAxes", "torch.swapaxes", g.two_dims),
    ("Tensor.SwapDims", "torch.swapdims", g.two_dims),
    ("Tensor.BroadcastTo", "torch.broadcast_to", h.broadcast_to),
    ("Tensor.Unflatten", "torch.unflatten", h.unflatten),
    ("Tensor.Roll", "torch.roll", h.roll),
    ("Tensor.Roll", "torch.roll", h.rolls),
    ("Tensor.Tile", "torch.tile", h.tile),
    ("Tensor.TakeAlongDim", "torch.take_along_dim", h.take_along),
    ("Tensor.IndexAdd", "torch.index_add", h.index_add),
    ("Tensor.IndexAdd_", "x.index_add_", h.index_add),
    ("Tensor.IndexCopy", "torch.index_copy", h.index_copy),
    ("Tensor.IndexCopy_", "x.index_copy_", h.index_copy),
    ("Tensor.ScatterReduce", lambda x, d, i, s, r, inc: torch.scatter_reduce(x, d, i, s, r, include_self=inc), h.scatter_reduce),
]

PRODUCTS = [
    ("Tensor.Dot", "torch.dot", h.dot),
    ("Tensor.Mv", "torch.mv", h.mv),
    ("Tensor.AddMm", "torch.addmm", h.addmm),
    ("Tensor.BaddBmm", baddbmm_ref, h.baddbmm),
    ("Tensor.Kron", "torch.kron", h.kron),
    ("Tensor.Diag", "torch.diag", h.diag),
    ("Tensor.Trace", "torch.trace", h.matrix),
    ("Tensor.TensorDot", "torch.tensordot", h.tensordot_n),
    ("Tensor.TensorDot", lambda a, b, da, db: torch.tensordot(a, b, (da, db)), h.tensordot_dims),
]

CREATION = [
    ("Torch.BroadcastTensors", lambda ts: torch.broadcast_tensors(*ts), h.broadcast_tensors),
    ("Torch.Where", lambda c: torch.where(c), g.unary),
    ("Torch.Meshgrid", lambda ts, ix: torch.meshgrid(*ts, indexing=ix), h.meshgrid),
    ("Torch.TrilIndices", "torch.tril_indices", h.tri_indices, dict(dtypes=(I64,))),
    ("Torch.TriuIndices", "torch.triu_indices", h.tri_indices, dict(dtypes=(I64,))),
    ("Torch.EmptyLike", "torch.empty_like", g.like, dict(values=False)),
    ("Torch.Logspace", "torch.logspace", h.logspace, dict(dtypes=FLOAT)),
]

# Floating dtypes only. Well-conditioned inputs; decompositions compared through invariants (qr_inv / svd_inv / eigh_inv).
LINALG = [
    ("Linalg.Qr", "linalg.qr", m.qr, dict(post=qr_inv)),
    ("Linalg.Svd", lambda a, fm: torch.linalg.svd(a, full_matrices=fm), m.svd, dict(post=svd_inv)),
    ("Linalg.SvdVals", "linalg.svdvals", m.rect1),
    ("Linalg.Eigh", lambda a, up: torch.linalg.eigh(a, UPLO="U" if up else "L"), m.eigh, dict(post=eigh_inv)),
    ("Linalg.Lstsq", "linalg.lstsq", m.lstsq),
    ("Linalg.Pinv", "linalg.pinv", m.pinv),
    ("Linalg.VectorNorm", lambda x, o, dims=None, keepdim=False: torch.linalg.vector_norm(x, o, dims, keepdim), m.vector_norm),
    ("Linalg.MatrixNorm", lambda a, o, keepdim: torch.linalg.matrix_norm(a, o, keepdim=keepdim), m.matrix_norm_s),
    ("Linalg.MatrixNorm", lambda a, o, keepdim: torch.linalg.matrix_norm(a, o, keepdim=keepdim), m.matrix_norm_d),
    ("Linalg.MatrixExp", "linalg.matrix_exp", m.matrix_exp),
    ("Linalg.MatrixPower", "linalg.matrix_power", m.matrix_power),
    ("Linalg.CholeskySolve", "torch.cholesky_solve", m.cholesky_solve),
    ("Torch.CholeskySolve", "torch.cholesky_solve", m.cholesky_solve, dict(draws=2)),
    ("Torch.MatrixExp", "torch.matrix_exp", m.matrix_exp, dict(draws=2)),
    ("Torch.Det", "torch.det", n.square, dict(draws=2)),
    ("Torch.Inverse", "torch.inverse", n.square, dict(draws=2)),
]

# Floating dtypes only: activations, normalisation, convolution and pooling, resampling, and the losses.
FUNCTIONAL = [
    ("Functional.Elu", "F.elu", m.alpha_f),
    ("Functional.Selu", "F.selu", g.unary),
    ("Functional.Celu", "F.celu", m.alpha_f),
    ("Functional.Gelu", lambda x, a: F.gelu(x, approximate=a), m.gelu_tanh),
    ("Functional.Hardtanh", "F.hardtanh", m.hardtanh),
    ("Functional.Glu", "F.glu", m.glu),
    ("Functional.Softmin", "F.softmin", g.with_dim),
    ("Functional.Normalize", "F.normalize", m.normalize),
    ("Functional.CosineSimilarity", "F.cosine_similarity", m.cosine),
    ("Functional.GroupNorm", "F.group_norm", m.group_norm),
    ("Functional.Conv1d", "F.conv1d", m.conv1d),
    ("Functional.AdaptiveAvgPool1d", "F.adaptive_avg_pool1d", m.pool1d),
    ("Functional.AdaptiveMaxPool1d", "F.adaptive_max_pool1d", m.pool1d),
    ("Functional.AdaptiveAvgPool2d", lambda x, a, b: F.adaptive_avg_pool2d(x, (a, b)), m.pool2d_hw),
    ("Functional.AdaptiveAvgPool2d", "F.adaptive_avg_pool2d", m.pool2d_n),
    ("Functional.AdaptiveMaxPool2d", lambda x, a, b: F.adaptive_max_pool2d(x, (a, b)), m.pool2d_hw),
    ("Functional.AdaptiveMaxPool2d", "F.adaptive_max_pool2d", m.pool2d_n),
    ("Functional.Interpolate", "F.interpolate", m.interpolate),
    ("Functional.PixelShuffle", "F.pixel_shuffle", m.pixel_shuffle),
    ("Functional.PixelUnshuffle", "F.pixel_unshuffle", m.pixel_unshuffle),
    ("Functional.Unfold", "F.unfold", m.unfold),
    ("Functional.Fold", "F.fold", m.fold),
    ("Functional.GumbelSoftmax", gumbel_ref, m.gumbel),
    ("Functional.KlDiv", kl_ref, m.kl_div),
    ("Functional.L1Loss", lambda x, t, r: F.l1_loss(x, t, reduction=r), m.pair_loss),
    ("Functional.SmoothL1Loss", lambda x, t, r, beta: F.smooth_l1_loss(x, t, reduction=r, beta=beta), m.smooth_l1),
    ("Functional.HuberLoss", lambda x, t, r, delta: F.huber_loss(x, t, reduction=r, delta=delta), m.huber),
    ("Functional.GaussianNllLoss", lambda x, t, v, full, reduction: F.gaussian_nll_loss(x, t, v, full=full, reduction=reduction),
     m.gaussian_nll),
]


def register(op, sop, rop, T):
    for name in UNARY2:
        op("Tensor." + name, "torch." + name.lower(), g.unary)
    for name in INPLACE2:
        op("Tensor." + name, "x." + name.lower(), g.unary)
    for table in (ELEMENTWISE, REDUCTIONS, SHAPES, PRODUCTS, CREATION):
        rows(op, table)
    rows(op, LINALG, dtypes=FLOAT)
    rows(op, FUNCTIONAL, dtypes=FLOAT)
    sop("Tensor.Xlogy", lambda x, s: torch.xlogy(x, T(s)))
    for ours, ref, *gen in SCALAR:
        sop(ours, ref, *gen)


def register_torch_forms(ops, op, have):
    """Torch.X(t, ...) forwards to t.X(...) with the same arguments: one line (2 draws per dtype) per Tensor.X line whose Torch.X
    exists, outside the scalar block (the forwarders take tensors; Tensor.Add(s) etc. are covered there)."""
    for o in list(ops):
        cls, name = o.ours.split(".", 1)
        if cls != "Tensor" or name not in have or name.endswith("_") or name.startswith("op_") or o.block == "scalar":
            continue
        op("Torch." + name, o.ref, o.gen, dtypes=o.dtypes, grad=o.grad, block=o.block, values=o.values, known=o.known, draws=2,
           post=o.post)
