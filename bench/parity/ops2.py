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


def register(op, sop, rop, T):
    # ---- elementwise ----
    for name in UNARY2:
        op("Tensor." + name, "torch." + name.lower(), g.unary)
    for name in INPLACE2:
        op("Tensor." + name, "x." + name.lower(), g.unary)
    op("Tensor.Logit", "torch.logit", h.logit)
    op("Tensor.Xlogy", "torch.xlogy", g.binary)
    sop("Tensor.Xlogy", lambda x, s: torch.xlogy(x, T(s)))
    op("Tensor.Hypot", "torch.hypot", g.binary)
    op("Tensor.Fmod", "torch.fmod", g.binary)
    sop("Tensor.Fmod", "torch.fmod")
    op("Torch.Clamp", "torch.clamp", h.clamp)
    op("Tensor.IsClose", "torch.isclose", h.isclose)
    op("Tensor.NanToNum", "torch.nan_to_num", h.nan_to_num)
    op("Tensor.Div", "torch.div", h.div_mode)
    sop("Tensor.Div", "torch.div", h.div_mode_s)
    op("Tensor.Lerp", "torch.lerp", h.lerp_s)
    op("Tensor.Lerp", "torch.lerp", h.lerp_t)
    op("Tensor.AddCMul", "torch.addcmul", h.addc)
    op("Tensor.AddCDiv", "torch.addcdiv", h.addc)
    sop("Tensor.Sub_", "x.sub_")
    sop("Tensor.Div_", "x.div_")
    sop("Tensor.Pow_", "x.pow_")
    op("Tensor.Sub_", lambda x, y, a: x.sub_(y, alpha=a), h.sub_alpha)

    # ---- reductions ----
    op("Tensor.Median", "torch.median", g.unary)
    op("Tensor.Median", "torch.median", g.nonempty_dim_keep)
    op("Tensor.NanMedian", "torch.nanmedian", g.unary)
    op("Tensor.Quantile", "torch.quantile", h.quantile, dtypes=ALL)
    op("Tensor.Quantile", "torch.quantile", h.quantile_t, dtypes=ALL)
    op("Tensor.NanMean", lambda x, dims=None, keepdim=False, dtype=None: torch.nanmean(x, dims, keepdim, dtype=dtype), h.dims_keep_dtype)
    op("Tensor.NanSum", lambda x, dims=None, keepdim=False, dtype=None: torch.nansum(x, dims, keepdim, dtype=dtype), h.dims_keep_dtype)
    op("Tensor.VarMean", lambda x, dims=None, correction=1, keepdim=False: torch.var_mean(x, dims, correction=correction, keepdim=keepdim),
       h.var_mean)
    op("Tensor.StdMean", lambda x, dims=None, correction=1, keepdim=False: torch.std_mean(x, dims, correction=correction, keepdim=keepdim),
       h.var_mean)
    op("Tensor.LogCumSumExp", "torch.logcumsumexp", g.with_dim)
    op("Tensor.ArgSort", lambda x, d, desc, st: torch.sort(x, dim=d, descending=desc, stable=st)[1], h.argsort)
    op("Tensor.KthValue", "torch.kthvalue", h.kthvalue)
    op("Tensor.Unique", lambda x, s, d: torch.unique(x, s, True, True, d), h.unique, grad=False)
    op("Tensor.BinCount", "torch.bincount", h.bincount, dtypes=(F32, F64, I64))
    op("Tensor.SearchSorted", lambda s, v, r, o: torch.searchsorted(s, v, right=r, out_int32=o), h.searchsorted, dtypes=NUM)
    op("Tensor.CountNonzero", "torch.count_nonzero", h.count_nonzero)
    op("Tensor.CountNonzero", "torch.count_nonzero", g.with_dim)
    op("Tensor.CountNonzero", "torch.count_nonzero", g.unary)
    op("Tensor.Mean", lambda x, d, k, dt: torch.mean(x, d, k, dtype=dt), h.mean_dtype)
    op("Tensor.Softmax", lambda x, d, dt: torch.softmax(x, d, dtype=dt), h.with_dim_dtype)
    op("Tensor.LogSoftmax", lambda x, d, dt: torch.log_softmax(x, d, dtype=dt), h.with_dim_dtype)
    op("Tensor.CumSum", lambda x, d, dt: torch.cumsum(x, d, dtype=dt), h.with_dim_dtype)
    op("Tensor.CumProd", lambda x, d, dt: torch.cumprod(x, d, dtype=dt), h.with_dim_dtype)
    op("Tensor.CumMax", "torch.cummax", g.with_dim)

    # ---- shapes ----
    op("Tensor.TensorSplit", "torch.tensor_split", h.tensor_split_n)
    op("Tensor.TensorSplit", "torch.tensor_split", h.tensor_split_idx)
    op("Tensor.MoveDim", "torch.movedim", h.movedim)
    op("Tensor.MoveDim", "torch.movedim", h.movedims)
    op("Tensor.SwapAxes", "torch.swapaxes", g.two_dims)
    op("Tensor.SwapDims", "torch.swapdims", g.two_dims)
    op("Tensor.BroadcastTo", "torch.broadcast_to", h.broadcast_to)
    op("Tensor.Unflatten", "torch.unflatten", h.unflatten)
    op("Tensor.Roll", "torch.roll", h.roll)
    op("Tensor.Roll", "torch.roll", h.rolls)
    op("Tensor.Tile", "torch.tile", h.tile)
    op("Tensor.TakeAlongDim", "torch.take_along_dim", h.take_along)
    op("Tensor.IndexAdd", "torch.index_add", h.index_add)
    op("Tensor.IndexAdd_", "x.index_add_", h.index_add)
    op("Tensor.IndexCopy", "torch.index_copy", h.index_copy)
    op("Tensor.IndexCopy_", "x.index_copy_", h.index_copy)
    op("Tensor.ScatterReduce", lambda x, d, i, s, r, inc: torch.scatter_reduce(x, d, i, s, r, include_self=inc), h.scatter_reduce)

    # ---- products ----
    op("Tensor.Dot", "torch.dot", h.dot)
    op("Tensor.Mv", "torch.mv", h.mv)
    op("Tensor.AddMm", "torch.addmm", h.addmm)
    op("Tensor.BaddBmm", baddbmm_ref, h.baddbmm)
    op("Tensor.Kron", "torch.kron", h.kron)
    op("Tensor.Diag", "torch.diag", h.diag)
    op("Tensor.Trace", "torch.trace", h.matrix)
    op("Tensor.TensorDot", "torch.tensordot", h.tensordot_n)
    op("Tensor.TensorDot", lambda a, b, da, db: torch.tensordot(a, b, (da, db)), h.tensordot_dims)

    # ---- creation, broadcasting ----
    op("Torch.BroadcastTensors", lambda ts: torch.broadcast_tensors(*ts), h.broadcast_tensors)
    op("Torch.Where", lambda c: torch.where(c), g.unary)
    op("Torch.Meshgrid", lambda ts, ix: torch.meshgrid(*ts, indexing=ix), h.meshgrid)
    op("Torch.TrilIndices", "torch.tril_indices", h.tri_indices, dtypes=(I64,))
    op("Torch.TriuIndices", "torch.triu_indices", h.tri_indices, dtypes=(I64,))
    op("Torch.EmptyLike", "torch.empty_like", g.like, values=False)
    op("Torch.Logspace", "torch.logspace", h.logspace, dtypes=FLOAT)

    # ---- linear algebra (well-conditioned inputs; decompositions compared through invariants, see qr_inv / svd_inv / eigh_inv) ----
    op("Linalg.Qr", "linalg.qr", m.qr, dtypes=FLOAT, post=qr_inv)
    op("Linalg.Svd", lambda a, fm: torch.linalg.svd(a, full_matrices=fm), m.svd, dtypes=FLOAT, post=svd_inv)
    op("Linalg.SvdVals", "linalg.svdvals", m.rect1, dtypes=FLOAT)
    op("Linalg.Eigh", lambda a, up: torch.linalg.eigh(a, UPLO="U" if up else "L"), m.eigh, dtypes=FLOAT, post=eigh_inv)
    op("Linalg.Lstsq", "linalg.lstsq", m.lstsq, dtypes=FLOAT)
    op("Linalg.Pinv", "linalg.pinv", m.pinv, dtypes=FLOAT)
    op("Linalg.VectorNorm", lambda x, o, dims=None, keepdim=False: torch.linalg.vector_norm(x, o, dims, keepdim), m.vector_norm, dtypes=FLOAT)
    op("Linalg.MatrixNorm", lambda a, o, keepdim: torch.linalg.matrix_norm(a, o, keepdim=keepdim), m.matrix_norm_s, dtypes=FLOAT)
    op("Linalg.MatrixNorm", lambda a, o, keepdim: torch.linalg.matrix_norm(a, o, keepdim=keepdim), m.matrix_norm_d, dtypes=FLOAT)
    op("Linalg.MatrixExp", "linalg.matrix_exp", m.matrix_exp, dtypes=FLOAT)
    op("Linalg.MatrixPower", "linalg.matrix_power", m.matrix_power, dtypes=FLOAT)
    op("Linalg.CholeskySolve", "torch.cholesky_solve", m.cholesky_solve, dtypes=FLOAT)
    op("Torch.CholeskySolve", "torch.cholesky_solve", m.cholesky_solve, dtypes=FLOAT, draws=2)
    op("Torch.MatrixExp", "torch.matrix_exp", m.matrix_exp, dtypes=FLOAT, draws=2)
    op("Torch.Det", "torch.det", n.square, dtypes=FLOAT, draws=2)
    op("Torch.Inverse", "torch.inverse", n.square, dtypes=FLOAT, draws=2)

    # ---- functional ----
    op("Functional.Elu", "F.elu", m.alpha_f, dtypes=FLOAT)
    op("Functional.Selu", "F.selu", g.unary, dtypes=FLOAT)
    op("Functional.Celu", "F.celu", m.alpha_f, dtypes=FLOAT)
    op("Functional.Gelu", lambda x, a: F.gelu(x, approximate=a), m.gelu_tanh, dtypes=FLOAT)
    op("Functional.Hardtanh", "F.hardtanh", m.hardtanh, dtypes=FLOAT)
    op("Functional.Glu", "F.glu", m.glu, dtypes=FLOAT)
    op("Functional.Softmin", "F.softmin", g.with_dim, dtypes=FLOAT)
    op("Functional.Normalize", "F.normalize", m.normalize, dtypes=FLOAT)
    op("Functional.CosineSimilarity", "F.cosine_similarity", m.cosine, dtypes=FLOAT)
    op("Functional.GroupNorm", "F.group_norm", m.group_norm, dtypes=FLOAT)
    op("Functional.Conv1d", "F.conv1d", m.conv1d, dtypes=FLOAT)
    op("Functional.AdaptiveAvgPool1d", "F.adaptive_avg_pool1d", m.pool1d, dtypes=FLOAT)
    op("Functional.AdaptiveMaxPool1d", "F.adaptive_max_pool1d", m.pool1d, dtypes=FLOAT)
    op("Functional.AdaptiveAvgPool2d", lambda x, a, b: F.adaptive_avg_pool2d(x, (a, b)), m.pool2d_hw, dtypes=FLOAT)
    op("Functional.AdaptiveAvgPool2d", "F.adaptive_avg_pool2d", m.pool2d_n, dtypes=FLOAT)
    op("Functional.AdaptiveMaxPool2d", lambda x, a, b: F.adaptive_max_pool2d(x, (a, b)), m.pool2d_hw, dtypes=FLOAT)
    op("Functional.AdaptiveMaxPool2d", "F.adaptive_max_pool2d", m.pool2d_n, dtypes=FLOAT)
    op("Functional.Interpolate", "F.interpolate", m.interpolate, dtypes=FLOAT)
    op("Functional.PixelShuffle", "F.pixel_shuffle", m.pixel_shuffle, dtypes=FLOAT)
    op("Functional.PixelUnshuffle", "F.pixel_unshuffle", m.pixel_unshuffle, dtypes=FLOAT)
    op("Functional.Unfold", "F.unfold", m.unfold, dtypes=FLOAT)
    op("Functional.Fold", "F.fold", m.fold, dtypes=FLOAT)
    op("Functional.GumbelSoftmax", gumbel_ref, m.gumbel, dtypes=FLOAT)

    # ---- losses ----
    op("Functional.KlDiv", kl_ref, m.kl_div, dtypes=FLOAT)
    op("Functional.L1Loss", lambda x, t, r: F.l1_loss(x, t, reduction=r), m.pair_loss, dtypes=FLOAT)
    op("Functional.SmoothL1Loss", lambda x, t, r, beta: F.smooth_l1_loss(x, t, reduction=r, beta=beta), m.smooth_l1, dtypes=FLOAT)
    op("Functional.HuberLoss", lambda x, t, r, delta: F.huber_loss(x, t, reduction=r, delta=delta), m.huber, dtypes=FLOAT)
    op("Functional.GaussianNllLoss", lambda x, t, v, full, reduction: F.gaussian_nll_loss(x, t, v, full=full, reduction=reduction),
       m.gaussian_nll, dtypes=FLOAT)


def register_torch_forms(ops, op, have):
    """Torch.X(t, ...) forwards to t.X(...) with the same arguments: one line (2 draws per dtype) per Tensor.X line whose Torch.X
    exists, outside the scalar block (the forwarders take tensors; Tensor.Add(s) etc. are covered there)."""
    for o in list(ops):
        cls, name = o.ours.split(".", 1)
        if cls != "Tensor" or name not in have or name.endswith("_") or name.startswith("op_") or o.block == "scalar":
            continue
        op("Torch." + name, o.ref, o.gen, dtypes=o.dtypes, grad=o.grad, block=o.block, values=o.values, known=o.known, draws=2,
           post=o.post)
