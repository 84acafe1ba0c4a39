# gens2.py: argument generators for the issue-14 elementwise ops, reductions, shapes, products and creation (linalg, functional, losses: gens_nn2.py) — each takes a Draw and a dtype and returns (args, kwargs).
import torch

from draw import FLOAT, Dt, Enum, Ints, Ts


# ---- elementwise ----
def logit(d, dt):
    x = d.t(d.shape(), dt, -0.2, 1.2) if dt in FLOAT and d.r.random() < 0.5 else d.x(dt)
    return [x, d.r.choice([None, 1e-6, 0.25])], {}


def clamp(d, dt):
    """Float bounds (either may be None) for the double? overload, int bounds for the long? one."""
    x = d.x(dt)
    if d.r.random() < 0.5:
        lo, hi = d.r.choice([None, -1.5, 0.0]), d.r.choice([None, 0.5, 2.0])
    else:
        lo, hi = d.r.choice([-1, 0]), d.r.choice([1, 3])
    return [x, lo, hi], {}


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


def bcast_to(d, s):
    """A shape that broadcasts to s without growing it: each dim kept or 1, leading dims sometimes dropped."""
    t = [v if d.r.random() < 0.6 else 1 for v in s]
    return t[d.r.randint(0, len(t)):] if d.r.random() < 0.3 else t


def addmm(d, dt):
    m, k, n = d.r.randint(1, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    kw = {}
    if d.r.random() < 0.5:
        kw = {"beta": d.r.choice([0, 1, 2]), "alpha": d.r.choice([1, 2])} if dt not in FLOAT else \
            {"beta": d.r.choice([0.0, 0.5, 1.0]), "alpha": d.r.choice([1.0, -2.0])}
    return [d.t(bcast_to(d, [m, n]), dt), d.t([m, k], dt), d.t([k, n], dt)], kw


def baddbmm(d, dt):
    b, m, k, n = d.r.randint(1, 2), d.r.randint(1, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    kw = {}
    if d.r.random() < 0.5:
        kw = {"beta": d.r.choice([0, 1, 2]), "alpha": d.r.choice([1, 2])} if dt not in FLOAT else \
            {"beta": d.r.choice([0.0, 0.5, 1.0]), "alpha": d.r.choice([1.0, -2.0])}
    return [d.t(bcast_to(d, [b, m, n]), dt), d.t([b, m, k], dt), d.t([b, k, n], dt)], kw


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
