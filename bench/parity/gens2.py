# gens2.py: argument generators for the issue-14 ops (elementwise, reductions, shapes, products, linalg, functional, losses) — each takes a Draw and a dtype and returns (args, kwargs).
import torch

from draw import ALL, F64, FLOAT, Dt, Enum, Gen, Ints, Ts, reduction


# ---- elementwise ----
def logit(d, dt):
    x = d.t(d.shape(), dt, -0.2, 1.2) if dt in FLOAT and d.r.random() < 0.5 else d.x(dt)
    return [x, d.r.choice([None, 1e-6, 0.25])], {}


def isclose(d, dt):
    x = d.x(dt)
    y = x + (d.t(x.shape, dt) * 1e-6 if dt in FLOAT else 0) if dt != torch.bool else x
    if d.r.random() < 0.3:
        y = d.t(d.partner(list(x.shape)), dt)
    return [x, y], {"rtol": d.r.choice([1e-5, 0.1]), "atol": d.r.choice([1e-8, 0.5]), "equalNan": d.r.random() < 0.5}


def nan_to_num(d, dt):
    return [d.x(dt), d.r.choice([None, 0.0, 7.5]), d.r.choice([None, 100.0]), d.r.choice([None, -100.0])], {}


def div_mode(d, dt):
    x = d.x(dt)
    m = d.r.choice(["None", "Trunc", "Floor"])
    return [x, d.t(d.partner(list(x.shape)), d.other_dtype(dt))], \
        {"roundingMode": Enum("RoundingMode." + m, None if m == "None" else m.lower())}


def div_mode_s(d, dt, s):
    m = d.r.choice(["None", "Trunc", "Floor"])
    return [d.x(dt), s], {"roundingMode": Enum("RoundingMode." + m, None if m == "None" else m.lower())}


def lerp_s(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape)), dt), d.r.choice([0.0, 0.25, 1.0, 1.5])], {}


def lerp_t(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape)), dt), d.t(d.partner(list(x.shape)), dt)], {}


def addc(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape)), dt), d.t(d.partner(list(x.shape)), dt)], \
        {"value": d.r.choice([1, 2, 0.5])} if d.r.random() < 0.6 else {}


def sub_alpha(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape), bad=0), d.other_dtype(dt)), d.r.choice([1, 2, 0.5])], {}


# ---- reductions ----
def nonempty_x(d, dt):
    return [d.t(d.shape(empty=False), dt)], {}


def quantile(d, dt):
    x = d.x(dt)
    kw = {"keepdim": d.r.random() < 0.5, "interpolation": d.r.choice(["linear", "lower", "higher", "nearest", "midpoint"])}
    if d.r.random() < 0.6:
        kw["dim"] = d.dim(list(x.shape))
    return [x, d.r.choice([0.0, 0.25, 0.5, 0.9, 1.0])], kw


def quantile_t(d, dt):
    (x, _), kw = quantile(d, dt)
    qdt = dt if dt in FLOAT else torch.float32  # q must be floating (an integer x then raises on both sides)
    return [x, d.t([d.r.randint(1, 3)] if d.r.random() < 0.8 else [], qdt, 0.0, 1.0)], kw


def dims_keep_dtype(d, dt):
    x = d.x(dt)
    kw = {"keepdim": d.r.random() < 0.5}
    if d.r.random() < 0.6:
        kw["dims"] = d.dims(list(x.shape))
    if d.r.random() < 0.4:
        kw["dtype"] = Dt(d.r.choice(FLOAT))
    return [x], kw


def var_mean(d, dt):
    x = d.x(dt)
    kw = {"correction": d.r.choice([0, 1]), "keepdim": d.r.random() < 0.5}
    if d.r.random() < 0.7:
        kw["dims"] = d.dims(list(x.shape))
    return [x], kw


def argsort(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape)), d.r.random() < 0.5, True], {}


def kthvalue(d, dt):
    x = d.x(dt, empty=False)
    k = d.dim(list(x.shape))
    n = x.shape[k] if x.dim() else 1
    return [x, d.r.randint(1, n), k, d.r.random() < 0.5], {}


def unique(d, dt):
    x = d.t(d.shape(), dt, -2, 3) if dt in FLOAT else d.x(dt)
    if dt in FLOAT:
        x = x.round()
    return [x, True, d.dim(list(x.shape)) if x.dim() and d.r.random() < 0.4 else None], {}


def bincount(d, dt):
    x = d.index(d.r.randint(1, 6), [d.r.randint(0, 6)])
    w = d.t(x.shape, dt) if d.r.random() < 0.5 else None
    return [x, w, d.r.randint(0, 7)], {}


def searchsorted(d, dt):
    s = d.shape(lo=1, hi=2, empty=False)
    seq = d.t(s, dt).sort(-1).values if dt != torch.bool else d.t(s, dt).sort(-1).values
    v = d.t(s[:-1] + [d.r.randint(1, 4)], dt)
    return [seq, v, d.r.random() < 0.5, d.r.random() < 0.3], {}


def count_nonzero(d, dt):
    x = d.x(dt)
    return [x, d.dims(list(x.shape))], {}


def with_dim_dtype(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape)), Dt(d.r.choice(FLOAT))], {}


def mean_dtype(d, dt):
    x = d.x(dt)
    return [x, d.dims(list(x.shape)), d.r.random() < 0.5, Dt(d.r.choice(FLOAT))], {}


# ---- shapes ----
def tensor_split_n(d, dt):
    x = d.x(dt, lo=1)
    return [x, d.r.randint(1, 4), d.dim(list(x.shape))], {}


def tensor_split_idx(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    return [x, Ints(sorted(d.r.randint(0, x.shape[k] + 1) for _ in range(d.r.randint(1, 3)))), k], {}


def movedim(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape)), d.dim(list(x.shape))], {}


def movedims(d, dt):
    x = d.x(dt, lo=1)
    n = x.dim()
    k = d.r.randint(1, n)
    return [x, Ints(d.r.sample(range(n), k)), Ints(d.r.sample(range(n), k))], {}


def broadcast_to(d, dt):
    x = d.x(dt)
    s = list(x.shape)
    t = [2 if v == 1 and d.r.random() < 0.5 else v for v in s]
    return [x, Ints(([3] if d.r.random() < 0.3 else []) + t)], {}


def unflatten(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    n = x.shape[k]
    sizes = d.r.choice([[n], [1, n], [n, 1], [-1, 1], [n, -1] if n else [n, 1]])
    if n == 4 and d.r.random() < 0.5:
        sizes = [2, 2]
    return [x, k, Ints(sizes)], {}


def roll(d, dt):
    x = d.x(dt, lo=1)
    return [x, d.r.randint(-3, 3), d.dim(list(x.shape))], {}


def rolls(d, dt):
    x = d.x(dt)
    if d.r.random() < 0.3:
        return [x, Ints([d.r.randint(-3, 3)])], {}
    ds = d.dims(list(x.shape)) if x.dim() else Ints([0])
    return [x, Ints(d.r.randint(-3, 3) for _ in ds), ds], {}


def tile(d, dt):
    x = d.x(dt)
    return [x, Ints(d.r.randint(1, 3) for _ in range(d.r.randint(0, x.dim() + 1)))], {}


def take_along(d, dt):
    x = d.x(dt, lo=1, empty=False)
    if d.r.random() < 0.3:
        return [x, d.index(x.numel(), [d.r.randint(1, 4)])], {}
    k = d.dim(list(x.shape))
    ish = list(x.shape)
    ish[k] = d.r.randint(1, 3)
    return [x, d.index(x.shape[k], ish), k], {}


def index_add(d, dt):
    x = d.x(dt, lo=1, empty=False)
    k = d.dim(list(x.shape))
    idx = d.index(x.shape[k], [d.r.randint(1, 3)])
    s = list(x.shape)
    s[k] = idx.shape[0]
    return [x, k, idx, d.t(s, dt)], ({"alpha": d.r.choice([2, 0.5])} if d.r.random() < 0.4 and dt in FLOAT else {})


def index_copy(d, dt):
    x = d.x(dt, lo=1, empty=False)
    k = d.dim(list(x.shape))
    idx = torch.randperm(x.shape[k], generator=d.g)[:d.r.randint(1, x.shape[k])]
    s = list(x.shape)
    s[k] = idx.shape[0]
    return [x, k, idx, d.t(s, dt)], {}


def scatter_reduce(d, dt):
    x = d.x(dt, lo=1, empty=False)
    k = d.dim(list(x.shape))
    ish = [d.r.randint(1, v) for v in x.shape]
    idx = d.index(x.shape[k], ish)
    return [x, k, idx, d.t(ish, dt), d.r.choice(["sum", "prod", "mean", "amax", "amin"]), d.r.random() < 0.5], {}


# ---- products ----
def dot(d, dt):
    n = d.r.randint(0, 4)
    return [d.t([n], dt), d.t([n if d.r.random() > 0.08 else n + 1], dt)], {}


def mv(d, dt):
    m, n = d.r.randint(0, 3), d.r.randint(1, 4)
    return [d.t([m, n], dt), d.t([n if d.r.random() > 0.08 else n + 1], dt)], {}


def addmm(d, dt):
    m, k, n = d.r.randint(1, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    kw = {}
    if d.r.random() < 0.5:
        kw = {"beta": d.r.choice([0, 1, 2]), "alpha": d.r.choice([1, 2])} if dt not in FLOAT else \
            {"beta": d.r.choice([0.0, 0.5, 1.0]), "alpha": d.r.choice([1.0, -2.0])}
    return [d.t(d.partner([m, n], bad=0.05), dt), d.t([m, k], dt), d.t([k, n], dt)], kw


def baddbmm(d, dt):
    b, m, k, n = d.r.randint(1, 2), d.r.randint(1, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    kw = {}
    if d.r.random() < 0.5:
        kw = {"beta": d.r.choice([0, 1, 2]), "alpha": d.r.choice([1, 2])} if dt not in FLOAT else \
            {"beta": d.r.choice([0.0, 0.5, 1.0]), "alpha": d.r.choice([1.0, -2.0])}
    return [d.t(d.partner([b, m, n], bad=0.05), dt), d.t([b, m, k], dt), d.t([b, k, n], dt)], kw


def kron(d, dt):
    return [d.t(d.shape(hi=2, sizes=(1, 2, 3)), dt), d.t(d.shape(hi=2, sizes=(1, 2)), dt)], {}


def diag(d, dt):
    return [d.t(d.shape(lo=1, hi=2), dt), d.r.randint(-2, 2)], {}


def matrix(d, dt):
    return [d.t(d.shape(lo=2, hi=2), dt)], {}


def tensordot_n(d, dt):
    a = d.shape(lo=1, hi=3, sizes=(1, 2, 3))
    k = d.r.randint(0, len(a))
    b = a[len(a) - k:] + d.shape(hi=1, sizes=(1, 2))
    return [d.t(a, dt), d.t(b, dt), k], {}


def tensordot_dims(d, dt):
    a = d.shape(lo=1, hi=3, sizes=(1, 2, 3))
    da = d.r.sample(range(len(a)), d.r.randint(1, len(a)))
    b = [a[i] for i in da]
    perm = list(range(len(b)))
    d.r.shuffle(perm)
    bs = [b[p] for p in perm] + d.shape(hi=1, sizes=(2,))
    return [d.t(a, dt), d.t(bs, dt), Ints(da), Ints(perm)], {}


# ---- creation ----
def broadcast_tensors(d, dt):
    x = d.x(dt)
    return [Ts([x] + [d.t(d.partner(list(x.shape)), d.other_dtype(dt)) for _ in range(d.r.randint(0, 2))])], {}


def meshgrid(d, dt):
    return [Ts(d.t([d.r.randint(0, 3)], dt) for _ in range(d.r.randint(1, 3))), d.r.choice(["ij", "xy"])], {}


def tri_indices(d, dt):
    return [d.r.randint(0, 4), d.r.randint(0, 4), d.r.randint(-2, 2)], {}


def logspace(d, dt):
    return [d.r.uniform(-2, 0), d.r.uniform(0, 2), d.r.randint(0, 5), d.r.choice([10.0, 2.0])], {"dtype": Dt(dt)}


# ---- linalg (well-conditioned inputs: A + n I, SPD B B^T + n I) ----
def rect(d, dt, batch=True):
    m, n = d.r.randint(1, 4), d.r.randint(1, 4)
    s = ([d.r.randint(1, 2)] if batch and d.r.random() < 0.4 else []) + [m, n]
    a = torch.randn(s, generator=d.g, dtype=F64)
    k = min(m, n)
    a[..., range(k), range(k)] += 3  # singular values well away from 0 and from each other in most draws
    return a.to(dt)


def qr(d, dt):
    return [rect(d, dt), d.r.choice(["reduced", "complete", "r"])], {}


def svd(d, dt):
    return [rect(d, dt), d.r.random() < 0.5], {}


def rect1(d, dt):
    return [rect(d, dt)], {}


def eigh(d, dt):
    return [d.square(dt, spd=True), d.r.random() < 0.5], {}


def lstsq(d, dt):
    m = d.r.randint(2, 4)
    n = d.r.randint(1, m)
    a = torch.randn([m, n], generator=d.g, dtype=F64)
    a[range(n), range(n)] += 3
    return [a.to(dt), d.t([m, d.r.randint(1, 2)], dt)], {}


def pinv(d, dt):
    return [rect(d, dt)], {"hermitian": False} if d.r.random() < 0.5 else {}


def vector_norm(d, dt):
    x = d.x(dt)
    kw = {"keepdim": d.r.random() < 0.5}
    if d.r.random() < 0.6:
        kw["dims"] = d.dims(list(x.shape))
    return [x, d.r.choice([1.0, 2.0, 3.5, 0.0, float("inf"), float("-inf")])], kw


def matrix_norm_s(d, dt):
    return [rect(d, dt), d.r.choice(["fro", "nuc"])], {"keepdim": d.r.random() < 0.5}


def matrix_norm_d(d, dt):
    return [rect(d, dt), d.r.choice([1.0, -1.0, 2.0, -2.0, float("inf"), float("-inf")])], {"keepdim": d.r.random() < 0.5}


def matrix_exp(d, dt):
    n = d.r.randint(1, 3)
    s = ([2] if d.r.random() < 0.4 else []) + [n, n]
    return [d.t(s, dt, -1.0, 1.0)], {}


def matrix_power(d, dt):
    return [d.square(dt), d.r.choice([0, 1, 2, 3, -1, -2])], {}


def cholesky_solve(d, dt):
    """B and the Cholesky factor L of an SPD matrix (upper: U = L^T)."""
    a = d.square(F64, spd=True)
    up = d.r.random() < 0.5
    l = torch.linalg.cholesky(a, upper=up)
    return [d.t(list(a.shape[:-1]) + [d.r.randint(1, 2)], dt), l.to(dt), up], {}


# ---- functional ----
def alpha_f(d, dt):
    return [d.x(dt), d.r.choice([1.0, 0.5, 2.0])], {}


def gelu_tanh(d, dt):
    return [d.x(dt), d.r.choice(["tanh", "none"])], {}


def hardtanh(d, dt):
    return [d.x(dt), d.r.choice([-1.0, -0.5]), d.r.choice([1.0, 2.0])], {}


def glu(d, dt):
    s = d.shape(lo=1, sizes=(2, 4, 1, 3))
    return [d.t(s, dt), d.dim(s)], {}


def normalize(d, dt):
    x = d.x(dt, lo=1)
    return [x, d.r.choice([1.0, 2.0, 3.0]), d.dim(list(x.shape))], {}


def cosine(d, dt):
    x = d.x(dt, lo=1)
    return [x, d.t(d.partner(list(x.shape), bad=0), dt), d.dim(list(x.shape))], {}


def group_norm(d, dt):
    g = d.r.choice([1, 2])
    c = g * d.r.randint(1, 2)
    x = d.t([d.r.randint(1, 2), c] + [d.r.randint(1, 3)] * d.r.randint(0, 2), dt)
    aff = d.r.random() < 0.5
    return [x, g, d.t([c], dt) if aff else None, d.t([c], dt) if aff else None], {}


def conv1d(d, dt):
    g = d.r.choice([1, 1, 2])
    c, o, k = 2 * g, 2 * g, d.r.randint(1, 3)
    x = d.t([d.r.randint(1, 2), c, d.r.randint(3, 6)], dt)
    return [x, d.t([o, c // g, k], dt), d.t([o], dt) if d.r.random() < 0.5 else None], \
        {"stride": d.r.randint(1, 2), "padding": d.r.randint(0, 1), "dilation": d.r.randint(1, 2), "groups": g}


def pool1d(d, dt):
    return [d.t([d.r.randint(1, 2), d.r.randint(1, 2), d.r.randint(1, 6)], dt), d.r.randint(1, 4)], {}


def pool2d_hw(d, dt):
    return [d.t([d.r.randint(1, 2), d.r.randint(1, 2), d.r.randint(1, 5), d.r.randint(1, 5)], dt), d.r.randint(1, 3),
            d.r.randint(1, 3)], {}


def pool2d_n(d, dt):
    return [d.t([d.r.randint(1, 2), d.r.randint(1, 2), d.r.randint(1, 5), d.r.randint(1, 5)], dt), d.r.randint(1, 3)], {}


def interpolate(d, dt):
    x = d.t([1, d.r.randint(1, 2), d.r.randint(1, 4), d.r.randint(1, 4)], dt)
    mode = d.r.choice(["nearest", "bilinear"])
    kw = {"mode": mode}
    if d.r.random() < 0.5:
        kw["size"] = Ints([d.r.randint(1, 6), d.r.randint(1, 6)])
    else:
        kw["scaleFactor"] = d.r.choice([2.0, 0.5, 1.5])
    if mode == "bilinear":
        kw["alignCorners"] = d.r.random() < 0.5
    return [x], kw


def pixel_shuffle(d, dt):
    r = d.r.choice([1, 2])
    return [d.t([1, r * r * d.r.randint(1, 2), d.r.randint(1, 3), d.r.randint(1, 3)], dt), r], {}


def pixel_unshuffle(d, dt):
    r = d.r.choice([1, 2])
    return [d.t([1, d.r.randint(1, 2), r * d.r.randint(1, 2), r * d.r.randint(1, 2)], dt), r], {}


def unfold(d, dt):
    return [d.t([1, d.r.randint(1, 2), d.r.randint(2, 4), d.r.randint(2, 4)], dt), d.r.randint(1, 2)], \
        {"dilation": d.r.randint(1, 2), "padding": d.r.randint(0, 1), "stride": d.r.randint(1, 2)}


def fold(d, dt):
    k, c = d.r.randint(1, 2), d.r.randint(1, 2)
    h, w = d.r.randint(2, 4), d.r.randint(2, 4)
    blocks = (h - k + 1) * (w - k + 1)
    return [d.t([1, c * k * k, blocks], dt), Ints([h, w]), k], {}


def gumbel(d, dt):
    x = d.x(dt, lo=1, empty=False)
    return [x, d.r.choice([1.0, 0.5]), d.r.random() < 0.5, d.dim(list(x.shape)), Gen(d.seed())], {}


# ---- losses ----
def kl_div(d, dt):
    x = d.x(dt)
    log_t = d.r.random() < 0.5
    t = d.t(x.shape, dt) if log_t else d.t(x.shape, dt, 0.0, 1.0)
    bm = d.r.random() < 0.3
    return [x, t], {"reduction": reduction(d) if not bm else Enum("Reduction.Mean", "batchmean"), "logTarget": log_t,
                    "batchMean": bm}


def pair_loss(d, dt):
    x = d.x(dt)
    return [x, d.t(x.shape, dt), reduction(d)], {}


def smooth_l1(d, dt):
    (x, t, r), _ = pair_loss(d, dt)
    return [x, t, r], {"beta": d.r.choice([1.0, 0.5, 2.0])}


def huber(d, dt):
    (x, t, r), _ = pair_loss(d, dt)
    return [x, t, r], {"delta": d.r.choice([1.0, 0.5, 2.0])}


def gaussian_nll(d, dt):
    s = d.shape(lo=1, empty=False)
    vs = d.r.choice([s, s[:-1], s[:-1] + [1]])
    return [d.t(s, dt), d.t(s, dt), d.t(vs, dt, 0.1, 2.0), d.r.random() < 0.5], {"reduction": reduction(d)}
