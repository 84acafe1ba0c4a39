# ops.py: the op table — one line per public op (overload) of GenDsl.Core: our name, PyTorch's call, the argument generator, the dtypes tried.
#
# Our name is Class.Member (Tensor, Torch, Functional, Linalg); the C# runner finds the overload by reflection from the argument
# kinds (a Python int picks a long/Scalar overload, a float a double one, Ints a long[] ...), so a new op is one line here.
# PyTorch's call is "torch.f", "x.f" (a method of the first argument), "F.f", "linalg.f", or a function. Keyword arguments use
# our (camelCase) names; PyTorch gets them in snake_case. `block="scalar"` ops run once per tensor dtype x scalar kind.
import torch
import torch.nn.functional as F

import gens as g
import gens_nn as n
import ops2
from draw import ALL, B, F32, F64, FLOAT, I64, NUM


class Op:
    def __init__(self, ours, ref, gen, dtypes=ALL, grad=True, block="main", values=True, known=None, draws=4, post=None):
        self.ours, self.ref, self.gen, self.dtypes, self.post = ours, ref, gen, dtypes, post
        self.grad = grad and not ours.endswith("_") and block != "random"
        self.block, self.values, self.known, self.draws = block, values, known, draws


OPS = []


def op(*a, **k):
    OPS.append(Op(*a, **k))


def sop(ours, ref, gen=n.t_s, **k):
    op(ours, ref, gen, block="scalar", **k)


def rop(ours, ref, gen, dtypes=FLOAT, **k):
    op(ours, ref, gen, dtypes=dtypes, block="random", **k)


def with_gen(f):
    """A PyTorch call whose generator argument is the last positional one (ours takes it positionally, torch as generator=)."""
    return lambda *a, **k: f(*a[:-1], generator=a[-1], **k)


def T(s):
    """A Python scalar as a 0-d tensor: the reference for our Scalar overloads of ops PyTorch only defines on tensors."""
    return torch.tensor(s)


def sdpa_ref(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """
    softmax(q k^T scale + bias) v (Vaswani et al. eq. 1) as PyTorch 2's documented math path of F.scaled_dot_product_attention
    (absent in 1.13): the causal triangle and a bool mask become an additive bias of 0 / -inf.
    """
    s = (q * (scale if scale is not None else q.shape[-1] ** -0.5)) @ k.transpose(-2, -1)
    if is_causal:
        attn_mask = torch.ones(s.shape[-2:], dtype=torch.bool).tril()
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        attn_mask = torch.zeros(attn_mask.shape, dtype=s.dtype).masked_fill(~attn_mask, float("-inf"))
    return (s if attn_mask is None else s + attn_mask).softmax(-1) @ v


def dropout_ref(x, p, training, gen):
    """F.dropout has no generator argument: the same Bernoulli(1 - p) keep mask drawn from gen, scaled by 1/(1 - p)."""
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    return x * torch.empty(x.shape, dtype=x.dtype).bernoulli_(1 - p, generator=gen) / (1 - p)


# ---- elementwise, unary ----
for ours, ref in [("Neg", "torch.neg"), ("Abs", "torch.abs"), ("Exp", "torch.exp"), ("Log", "torch.log"), ("Log1p", "torch.log1p"),
                  ("Expm1", "torch.expm1"), ("Sqrt", "torch.sqrt"), ("Rsqrt", "torch.rsqrt"), ("Sigmoid", "torch.sigmoid"),
                  ("LogSigmoid", "F.logsigmoid"), ("Tanh", "torch.tanh"), ("Relu", "torch.relu"), ("Sin", "torch.sin"),
                  ("Cos", "torch.cos"), ("Floor", "torch.floor"), ("Ceil", "torch.ceil"), ("Round", "torch.round"),
                  ("Sign", "torch.sign"), ("Reciprocal", "torch.reciprocal"), ("Square", "torch.square"),
                  ("LogicalNot", "torch.logical_not"), ("Gelu", "F.gelu"), ("Lgamma", "torch.lgamma"), ("Erf", "torch.erf"),
                  ("IsNaN", "torch.isnan"), ("IsFinite", "torch.isfinite"), ("Silu", "F.silu"), ("Exp_", "x.exp_")]:
    op("Tensor." + ours, ref, g.unary)
op("Tensor.LeakyRelu", "F.leaky_relu", n.leaky)
op("Tensor.Softplus", "F.softplus", n.softplus)
op("Tensor.op_UnaryNegation", lambda x: -x, g.unary)
op("Tensor.op_LogicalNot", lambda x: ~x, g.unary, known="our ! is logical_not; Python's ~ on an integer tensor is bitwise not")

# ---- elementwise, binary (tensor, tensor) ----
for ours, ref in [("Add", "torch.add"), ("Sub", "torch.sub"), ("Mul", "torch.mul"), ("Div", "torch.div"), ("Pow", "torch.pow"),
                  ("Remainder", "torch.remainder"), ("Maximum", "torch.maximum"), ("Minimum", "torch.minimum"),
                  ("Eq", "torch.eq"), ("Ne", "torch.ne"), ("Lt", "torch.lt"), ("Le", "torch.le"), ("Gt", "torch.gt"),
                  ("Ge", "torch.ge"), ("LogicalAnd", "torch.logical_and"), ("LogicalOr", "torch.logical_or"),
                  ("Atan2", "torch.atan2"), ("LogAddExp", "torch.logaddexp"), ("FloorDivide", "torch.floor_divide"),
                  ("Add_", "x.add_"), ("Sub_", "x.sub_"), ("Mul_", "x.mul_"), ("Div_", "x.div_")]:
    op("Tensor." + ours, ref, g.binary)
for ours, ref in [("op_Addition", lambda a, b: a + b), ("op_Subtraction", lambda a, b: a - b), ("op_Multiply", lambda a, b: a * b),
                  ("op_Division", lambda a, b: a / b), ("op_Modulus", lambda a, b: a % b), ("op_LessThan", lambda a, b: a < b),
                  ("op_LessThanOrEqual", lambda a, b: a <= b), ("op_GreaterThan", lambda a, b: a > b),
                  ("op_GreaterThanOrEqual", lambda a, b: a >= b)]:
    op("Tensor." + ours, ref, g.binary)
op("Tensor.op_BitwiseAnd", lambda a, b: a & b, g.binary, known="our & is logical_and; Python's & is bitwise_and (differs on int64, refuses floats)")
op("Tensor.op_BitwiseOr", lambda a, b: a | b, g.binary, known="our | is logical_or; Python's | is bitwise_or (differs on int64, refuses floats)")
op("Tensor.AddCMul_", "x.addcmul_", g.ternary_inplace)
op("Tensor.AddCDiv_", "x.addcdiv_", g.ternary_inplace)
op("Tensor.Copy_", "x.copy_", g.copy_)
op("Torch.Where", "torch.where", g.where)
op("Torch.Maximum", "torch.maximum", g.binary)
op("Torch.Minimum", "torch.minimum", g.binary)

# ---- scalar block: tensor dtype x Python int / float / bool ----
for ours, ref in [("Add", "torch.add"), ("Sub", "torch.sub"), ("Mul", "torch.mul"), ("Div", "torch.div"), ("Pow", "torch.pow"),
                  ("Remainder", "torch.remainder"), ("Eq", "torch.eq"), ("Ne", "torch.ne"), ("Lt", "torch.lt"),
                  ("Le", "torch.le"), ("Gt", "torch.gt"), ("Ge", "torch.ge"), ("FloorDivide", "torch.floor_divide"),
                  ("Add_", "x.add_"), ("Mul_", "x.mul_"), ("Fill_", "x.fill_"), ("ClampMin", "torch.clamp_min"),
                  ("ClampMax", "torch.clamp_max"),
                  ("Maximum", lambda x, s: torch.maximum(x, T(s))), ("Minimum", lambda x, s: torch.minimum(x, T(s))),
                  ("LogicalAnd", lambda x, s: torch.logical_and(x, T(s))), ("LogicalOr", lambda x, s: torch.logical_or(x, T(s))),
                  ("Atan2", lambda x, s: torch.atan2(x, T(s))), ("RSub", lambda x, s: s - x), ("RDiv", lambda x, s: s / x),
                  ("RPow", lambda x, s: s ** x)]:
    sop("Tensor." + ours, ref)
for ours, ref in [("op_Addition", lambda a, b: a + b), ("op_Subtraction", lambda a, b: a - b), ("op_Multiply", lambda a, b: a * b),
                  ("op_Division", lambda a, b: a / b)]:
    sop("Tensor." + ours, ref)
    sop("Tensor." + ours, ref, n.s_t)
for ours, ref in [("op_Modulus", lambda a, b: a % b), ("op_LessThan", lambda a, b: a < b), ("op_GreaterThan", lambda a, b: a > b),
                  ("op_LessThanOrEqual", lambda a, b: a <= b), ("op_GreaterThanOrEqual", lambda a, b: a >= b)]:
    sop("Tensor." + ours, ref)
sop("Tensor.Clamp", "torch.clamp", n.clamp_s)
sop("Tensor.Clamp_", "x.clamp_", n.clamp_s)
sop("Tensor.MaskedFill", "x.masked_fill", n.mask_s)
sop("Tensor.Add_", lambda x, y, a: x.add_(y, alpha=a), n.alpha_s)
sop("Tensor.AddCMul_", lambda x, a, b, v: x.addcmul_(a, b, value=v), n.addc_s)
sop("Tensor.AddCDiv_", lambda x, a, b, v: x.addcdiv_(a, b, value=v), n.addc_s)
sop("Tensor.Lerp_", "x.lerp_", n.alpha_s)
sop("Torch.Full", lambda s, v, dt: torch.full(s, v, dtype=dt), n.full_s)
sop("Torch.Full", "torch.full", n.full_nodtype_s, dtypes=(F32,))
sop("Torch.FullLike", "torch.full_like", n.t_s)
sop("Torch.Arange", "torch.arange", n.arange_s, dtypes=(F32,))

# ---- reductions ----
for ours, ref in [("Sum", "torch.sum"), ("Mean", "torch.mean"), ("LogSumExp", "torch.logsumexp"), ("Amax", "torch.amax"),
                  ("Amin", "torch.amin")]:
    op("Tensor." + ours, ref, g.with_dims_keep)
    op("Tensor." + ours, ref, g.with_dim_keep)
op("Tensor.Sum", "torch.sum", g.unary)
op("Tensor.Mean", "torch.mean", g.unary)
op("Tensor.Sum", lambda x, d, k, dt: torch.sum(x, d, k, dtype=dt), g.sum_dtype)
op("Tensor.Prod", "torch.prod", g.unary)
op("Tensor.Prod", "torch.prod", g.with_dim_keep)
for ours, ref in [("Var", "torch.var"), ("Std", "torch.std")]:
    op("Tensor." + ours, ref, g.var_like)
    op("Tensor." + ours, ref, g.unary, known="PyTorch 1.13 fails in backward of var/std over one element (VarBackward0 returned an invalid gradient)")
op("Tensor.Norm", "torch.norm", g.norm)
op("Tensor.Norm", "torch.norm", g.unary)
for ours, ref in [("Max", "torch.max"), ("Min", "torch.min"), ("ArgMax", "torch.argmax"), ("ArgMin", "torch.argmin")]:
    op("Tensor." + ours, ref, g.unary)
    op("Tensor." + ours, ref, g.nonempty_dim_keep)
for ours, ref in [("Softmax", "torch.softmax"), ("LogSoftmax", "torch.log_softmax"), ("CumSum", "torch.cumsum"),
                  ("CumProd", "torch.cumprod")]:
    op("Tensor." + ours, ref, g.with_dim)
op("Tensor.All", "torch.all", g.unary)
op("Tensor.Any", "torch.any", g.unary)
op("Tensor.AllClose", "torch.allclose", g.allclose)
op("Tensor.Equal", "torch.equal", g.allclose)

# ---- products ----
op("Tensor.MatMul", "torch.matmul", g.matmul)
op("Torch.MatMul", "torch.matmul", g.matmul)
op("Tensor.Mm", "torch.mm", g.mm)
op("Tensor.Mm", lambda a, b, o: torch.mm(a, b, out=o), g.mm_out, grad=False)
op("Tensor.Bmm", "torch.bmm", g.bmm)
op("Tensor.Outer", "torch.outer", g.vectors)
op("Torch.Cdist", "torch.cdist", g.cdist, dtypes=FLOAT)
op("Torch.Einsum", lambda eq, ts: torch.einsum(eq, *ts), g.einsum)

# ---- shape, views and indexing ----
op("Tensor.View", "x.view", g.view)
op("Tensor.Reshape", "torch.reshape", g.view)
op("Tensor.Expand", "x.expand", g.expand)
op("Tensor.ExpandAs", "x.expand_as", g.expand_as)
op("Tensor.Permute", "torch.permute", g.permute)
op("Tensor.Transpose", "torch.transpose", g.two_dims)
op("Tensor.T", lambda x: x.T, g.any_dim_x, known="our .T refuses n-D (n > 2) tensors on purpose; PyTorch reverses all dims (deprecated)")
op("Tensor.MT", lambda x: x.mT, g.any_dim_x, known="PyTorch 1.13's .mT returns a 0-d tensor unchanged; ours refuses 0-d and 1-d alike")
op("Tensor.Unsqueeze", "torch.unsqueeze", g.unsqueeze)
op("Tensor.Squeeze", "torch.squeeze", g.unary)
op("Tensor.Squeeze", "torch.squeeze", g.with_dim)
op("Tensor.Flatten", "torch.flatten", g.flatten)
op("Tensor.Chunk", "torch.chunk", g.chunk)
op("Tensor.Split", "torch.split", g.chunk)
op("Tensor.Split", "torch.split", g.split_sizes)
op("Tensor.Unbind", "torch.unbind", g.with_dim)
op("Tensor.Select", "torch.select", g.select)
op("Tensor.Slice", lambda x, d, a, b, s: x[(slice(None),) * (d % x.dim()) + (slice(a, b, s),)], g.slice_)
op("Tensor.Narrow", "torch.narrow", g.narrow)
op("Tensor.IndexSelect", "torch.index_select", g.index_select)
op("Tensor.get_At", lambda x, i: x[tuple(i)], g.at)
op("Tensor.Index", lambda x, i: x[tuple(slice(None) if t is None else t for t in i)], g.index)
op("Tensor.IndexPut_", lambda x, i, v, a: x.index_put_(tuple(i), v, a), g.index_put)
op("Tensor.Gather", "torch.gather", g.gather)
op("Tensor.Scatter", "torch.scatter", g.scatter)
op("Tensor.ScatterAdd", "torch.scatter_add", g.scatter)
op("Tensor.MaskedSelect", "torch.masked_select", g.masked)
op("Tensor.Triu", "torch.triu", g.diag_offset)
op("Tensor.Tril", "torch.tril", g.diag_offset)
op("Tensor.Diagonal", "torch.diagonal", g.diagonal)
op("Tensor.DiagEmbed", "torch.diag_embed", g.unary)
op("Tensor.Flip", "torch.flip", g.flip)
op("Tensor.Repeat", "x.repeat", g.repeat)
op("Tensor.Nonzero", "torch.nonzero", g.unary)
op("Tensor.Sort", "torch.sort", g.sort)
op("Tensor.TopK", "torch.topk", g.topk)
op("Tensor.Alias", lambda x: x.view(x.shape), g.unary)
op("Torch.Cat", "torch.cat", g.cat)
op("Torch.Stack", "torch.stack", g.stack)

# ---- conversions, copies, metadata ----
op("Tensor.To", "x.to", g.to_dtype)
for ours, ref in [("Float", "x.float"), ("Double", "x.double"), ("Long", "x.long"), ("Bool", "x.bool"), ("Clone", "torch.clone"),
                  ("Contiguous", "x.contiguous"), ("Detach", "x.detach"), ("Cpu", "x.cpu"), ("Zero_", "x.zero_"),
                  ("Dim", "x.dim"), ("Shape", lambda x: x.shape), ("NumEl", "x.numel"), ("Dtype", lambda x: x.dtype),
                  ("Strides", lambda x: torch.Size(x.stride()))]:
    op("Tensor." + ours, ref, g.unary)
op("Tensor.Size", "x.size", g.with_dim)
op("Tensor.ToDouble", lambda x: float(x.item()), g.one_element)

# ---- creation ----
for ours, ref in [("Zeros", "torch.zeros"), ("Ones", "torch.ones")]:
    op("Torch." + ours, lambda s, dt, f=ref: getattr(torch, f[6:])(s, dtype=dt), g.shape_dtype)
op("Torch.Empty", lambda s, dt: torch.empty(s, dtype=dt), g.shape_dtype, values=False)
for ours, ref in [("ZerosLike", "torch.zeros_like"), ("OnesLike", "torch.ones_like")]:
    op("Torch." + ours, ref, g.like)
op("Torch.Arange", lambda a, b, s, dt: torch.arange(a, b, s, dtype=dt), g.arange, dtypes=NUM)
op("Torch.Linspace", lambda a, b, k, dt: torch.linspace(a, b, k, dtype=dt), g.linspace, dtypes=FLOAT)
op("Torch.Scalar", lambda v, dt: torch.tensor(v, dtype=dt), g.value_dtype)
op("Torch.Eye", lambda a, b, dt: torch.eye(a, b, dtype=dt), g.eye)
op("Functional.CausalBias",
   lambda l, s, dt: torch.full((l, s), float("-inf"), dtype=dt).triu(1), n.causal_bias, dtypes=FLOAT)

# ---- random (the same seed: the same numbers) ----
rop("Torch.Rand", lambda s, gen, dt: torch.rand(s, generator=gen, dtype=dt), g.rand_shape)
rop("Torch.Randn", lambda s, gen, dt: torch.randn(s, generator=gen, dtype=dt), g.rand_shape)
rop("Torch.RandLike", lambda x, gen: torch.rand(x.shape, generator=gen, dtype=x.dtype), g.rand_like)
rop("Torch.RandnLike", lambda x, gen: torch.randn(x.shape, generator=gen, dtype=x.dtype), g.rand_like)
rop("Torch.RandInt", lambda lo, hi, s, gen, dt: torch.randint(lo, hi, s, generator=gen, dtype=dt), g.randint, dtypes=(I64, F32))
rop("Torch.RandPerm", lambda k, gen: torch.randperm(k, generator=gen), g.randperm, dtypes=(I64,))
rop("Torch.Bernoulli", with_gen(torch.bernoulli), g.probs)
rop("Torch.Multinomial", with_gen(torch.multinomial), g.multinomial)
rop("Torch.Normal", with_gen(torch.normal), g.normal)
rop("Functional.Dropout", dropout_ref, n.dropout)


# ---- functional ----
op("Functional.Linear", "F.linear", n.linear, dtypes=FLOAT)
op("Functional.Conv2d", "F.conv2d", n.conv2d, dtypes=FLOAT)
op("Functional.ConvTranspose2d", "F.conv_transpose2d", n.conv_t2d, dtypes=FLOAT)
op("Functional.MaxPool2d", "F.max_pool2d", n.pool2d, dtypes=FLOAT)
op("Functional.AvgPool2d", "F.avg_pool2d", n.pool2d, dtypes=FLOAT)
op("Functional.Embedding", "F.embedding", n.embedding, dtypes=FLOAT)
op("Functional.LayerNorm", "F.layer_norm", n.layer_norm, dtypes=FLOAT)
op("Functional.BatchNorm", "F.batch_norm", n.batch_norm, dtypes=FLOAT)
for ours, ref in [("Relu", "F.relu"), ("Gelu", "F.gelu"), ("Sigmoid", "torch.sigmoid"), ("Tanh", "torch.tanh")]:
    op("Functional." + ours, ref, g.unary)
op("Functional.LeakyRelu", "F.leaky_relu", n.leaky)
op("Functional.Softplus", "F.softplus", n.softplus)
op("Functional.Softmax", "F.softmax", g.with_dim)
op("Functional.LogSoftmax", "F.log_softmax", g.with_dim)
op("Functional.OneHot", "F.one_hot", n.one_hot, dtypes=(I64,))
op("Functional.Pad", lambda x, p, v: F.pad(x, p, value=v), n.pad)
op("Functional.NllLoss", lambda x, t, w, r: F.nll_loss(x, t, w, reduction=r), n.nll, dtypes=FLOAT)
op("Functional.CrossEntropy", "F.cross_entropy", n.cross_entropy, dtypes=FLOAT)
op("Functional.BinaryCrossEntropyWithLogits", lambda x, t, w, pw, r: F.binary_cross_entropy_with_logits(x, t, w, reduction=r, pos_weight=pw),
   n.bce_logits, dtypes=FLOAT)
op("Functional.BinaryCrossEntropy", lambda x, t, w, r: F.binary_cross_entropy(x, t, w, reduction=r), n.bce, dtypes=FLOAT)
op("Functional.MseLoss", lambda x, t, r: F.mse_loss(x, t, reduction=r), n.mse, dtypes=FLOAT)
op("Functional.ScaledDotProductAttention", sdpa_ref, n.sdpa, dtypes=FLOAT)

# ---- linear algebra ----
op("Linalg.Det", "linalg.det", n.square, dtypes=FLOAT + (I64,))
op("Linalg.SlogDet", "linalg.slogdet", n.square, dtypes=FLOAT)
op("Linalg.Inv", "linalg.inv", n.square, dtypes=FLOAT)
op("Linalg.Cholesky", lambda a, up: torch.linalg.cholesky(a, upper=up), n.spd_upper, dtypes=FLOAT)
op("Linalg.Solve", "linalg.solve", n.solve, dtypes=FLOAT)
op("Linalg.SolveTriangular", lambda a, b, up: torch.linalg.solve_triangular(a, b, upper=up), n.solve_tri, dtypes=FLOAT)
op("Linalg.EigvalsH", "linalg.eigvalsh", n.spd, dtypes=FLOAT)
op("Linalg.Eigvals", lambda a: (lambda e: (e.real, e.imag))(torch.linalg.eigvals(a)), n.spd, dtypes=FLOAT, grad=False)

# ---- issue 14 (ops2.py), then the Torch.X(t, ...) function forms of every Tensor.X line ----
ops2.register(op, sop, rop, T)
ops2.register_torch_forms(OPS, op, ops2.TORCH_FORMS)
