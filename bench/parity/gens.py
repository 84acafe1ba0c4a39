# gens.py: argument generators for the op table — each takes a Draw and a dtype (and, in the scalar block, a Python scalar) and returns (args, kwargs).
import torch

from draw import ALL, FLOAT, Dt, Gen, Ints, Ts, reduction


def unary(d, dt):
    return [d.x(dt)], {}


def binary(d, dt):
    """x and a broadcasting partner, sometimes of another dtype (type promotion), sometimes not broadcastable (both must raise)."""
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape)), d.other_dtype(dt))], {}


def same_shape(d, dt):
    x = d.x(dt)
    return [x, d.t(x.shape, dt)], {}


def ternary_inplace(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape), bad=0), dt), d.t(d.partner(list(x.shape), bad=0), dt)], {}


def with_dim(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape))], {}


def with_dim_keep(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape)), d.r.random() < 0.5], {}


def with_dims_keep(d, dt):
    x = d.x(dt)
    return [x, d.dims(list(x.shape)), d.r.random() < 0.5], {}


def var_like(d, dt):
    x = d.x(dt)
    return [x, d.dims(list(x.shape))], {"correction": d.r.choice([0, 1]), "keepdim": d.r.random() < 0.5}


def sum_dtype(d, dt):
    x = d.x(dt)
    return [x, d.dims(list(x.shape)), d.r.random() < 0.5, Dt(d.r.choice(ALL))], {}


def norm(d, dt):
    x = d.x(dt)
    return [x, d.r.choice([1, 2, 3.5, float("inf")]), d.dims(list(x.shape)), d.r.random() < 0.5], {}


def nonempty_dim_keep(d, dt):
    x = d.t(d.shape(empty=False), dt)
    return [x, d.dim(list(x.shape)), d.r.random() < 0.5], {}


def nonempty(d, dt):
    return [d.t(d.shape(empty=False), dt)], {}


def one_element(d, dt):
    return [d.t([1] * d.r.randint(0, 2), dt)], {}


def allclose(d, dt):
    x = d.x(dt)
    y = x + (d.t(x.shape, dt) * 1e-6 if dt in FLOAT and d.r.random() < 0.5 else 0) if dt != torch.bool else x
    return [x, y if d.r.random() < 0.7 else d.t(d.partner(list(x.shape)), dt)], {}


def matmul(d, dt):
    """1-d, 2-d and batched operands, inner sizes equal (or, rarely, not)."""
    m, k, n = d.r.randint(0, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    k2 = k if d.r.random() > 0.08 else k + 1
    bs = [d.r.randint(1, 2)] if d.r.random() < 0.3 else []
    a = [k] if d.r.random() < 0.2 else bs + [m, k]
    b = [k2] if d.r.random() < 0.2 else ([1] if bs and d.r.random() < 0.5 else bs) + [k2, n]
    return [d.t(a, dt), d.t(b, dt)], {}


def mm(d, dt):
    m, k, n = d.r.randint(0, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    return [d.t([m, k], dt), d.t([k if d.r.random() > 0.08 else k + 1, n], dt)], {}


def mm_out(d, dt):
    (a, b), _ = mm(d, dt)
    return [a, b, torch.zeros(d.shape(lo=1, hi=2), dtype=dt)], {}


def bmm(d, dt):
    bs, m, k, n = d.r.randint(1, 2), d.r.randint(0, 3), d.r.randint(1, 4), d.r.randint(1, 3)
    return [d.t([bs, m, k], dt), d.t([bs, k, n], dt)], {}


def vectors(d, dt):
    return [d.t([d.r.randint(0, 4)], dt), d.t([d.r.randint(1, 3)], dt)], {}


# ---- shape ----
def view(d, dt):
    x = d.x(dt)
    s = list(x.shape)
    n = x.numel()
    choice = d.r.choice([[-1], list(reversed(s)), [n], s + [1], [1] + s, [-1, 1]])
    return [x, Ints(choice)], {}


def expand(d, dt):
    s = [d.r.choice([1, 2, 3]) for _ in range(d.r.randint(0, 3))]
    x = d.t(s, dt)
    target = [d.r.choice([2, 3]) if v == 1 and d.r.random() < 0.6 else (-1 if d.r.random() < 0.3 else v) for v in s]
    if d.r.random() < 0.3:
        target = [2] + target
    return [x, Ints(target)], {}


def expand_as(d, dt):
    (x, t), _ = expand(d, dt)
    return [x, torch.zeros([2 if v == -1 else v for v in t] if all(v != -1 for v in t[:1]) else list(x.shape))], {}


def permute(d, dt):
    x = d.x(dt)
    p = list(range(x.dim()))
    d.r.shuffle(p)
    return [x, Ints(k - x.dim() if d.r.random() < 0.3 else k for k in p)], {}


def two_dims(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape)), d.dim(list(x.shape))], {}


def any_dim_x(d, dt):
    x = d.t(d.shape(hi=3), dt)
    return [x], {}


def matrix_x(d, dt):
    return [d.t(d.shape(lo=2, hi=3), dt)], {}


def unsqueeze(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape) + [1])], {}


def flatten(d, dt):
    x = d.x(dt)
    a, b = sorted([d.dim(list(x.shape)), d.dim(list(x.shape))], key=lambda k: k % max(x.dim(), 1))
    return [x, a, b], {}


def chunk(d, dt):
    x = d.x(dt, lo=1)
    return [x, d.r.randint(1, 4), d.dim(list(x.shape))], {}


def split_sizes(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    n = x.shape[k]
    cut = d.r.randint(0, n)
    return [x, Ints([cut, n - cut] if d.r.random() > 0.1 else [cut, n - cut + 1]), k], {}


def select(d, dt):
    x = d.x(dt, lo=1, empty=False)
    k = d.dim(list(x.shape))
    n = x.shape[k]
    return [x, k, d.r.randint(-n, n - 1 if d.r.random() > 0.1 else n)], {}


def slice_(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    n = x.shape[k]
    return [x, k, d.r.randint(-n - 1, n), d.r.randint(-n, n + 2), d.r.randint(1, 2)], {}


def narrow(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    n = x.shape[k]
    s = d.r.randint(0, n)
    return [x, k, s, d.r.randint(0, n - s)], {}


def index_select(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    return [x, k, d.index(x.shape[k], [d.r.randint(0, 4)])], {}


def at(d, dt):
    x = d.x(dt, lo=1, empty=False)
    idx = [d.r.randint(-v, v - 1) for v in list(x.shape)[:d.r.randint(0, x.dim())]]
    return [x, Ints(idx)], {}


def index(d, dt):
    x = d.x(dt, lo=1, empty=False)
    s = list(x.shape)
    k = d.r.randint(1, len(s))
    if d.r.random() < 0.3:
        return [x, Ts([d.mask(s[:k])])], {}
    ish = [d.r.randint(1, 3)]
    return [x, Ts([None if d.r.random() < 0.3 and i < k - 1 else d.index(s[i], ish) for i in range(k)])], {}


def index_put(d, dt):
    x = d.x(dt, lo=1, empty=False)
    s = list(x.shape)
    idx = [d.index(s[0], [3])]
    return [x, Ts(idx), d.t([3] + s[1:], dt), d.r.random() < 0.5], {}


def gather(d, dt):
    x = d.x(dt, lo=1, empty=False)
    k = d.dim(list(x.shape))
    ish = [d.r.randint(1, v) for v in x.shape]
    return [x, k, d.index(x.shape[k], ish)], {}


def scatter(d, dt):
    (x, k, idx), _ = gather(d, dt)
    return [x, k, idx, d.t(idx.shape, dt)], {}


def masked(d, dt):
    x = d.x(dt)
    return [x, d.mask(d.partner(list(x.shape), bad=0.05))], {}


def diag_offset(d, dt):
    x = d.t(d.shape(lo=2, hi=3), dt)
    return [x, d.r.randint(-2, 2)], {}


def diagonal(d, dt):
    x = d.t(d.shape(lo=2, hi=3), dt)
    a, b = d.r.sample(range(x.dim()), 2)
    return [x, d.r.randint(-2, 2), a, b], {}


def flip(d, dt):
    x = d.x(dt, lo=1)
    return [x, d.dims(list(x.shape))], {}


def repeat(d, dt):
    x = d.x(dt)
    return [x, Ints(d.r.randint(0 if d.r.random() < 0.1 else 1, 3) for _ in range(x.dim() + d.r.randint(0, 1)))], {}


def sort(d, dt):
    x = d.x(dt)
    return [x, d.dim(list(x.shape)), d.r.random() < 0.5], {}


def topk(d, dt):
    x = d.x(dt, lo=1)
    k = d.dim(list(x.shape))
    return [x, d.r.randint(0, x.shape[k]), k, d.r.random() < 0.5], {}


def to_dtype(d, dt):
    return [d.x(dt), Dt(d.r.choice(ALL))], {}


def copy_(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape)), d.other_dtype(dt))], {}


def cat(d, dt):
    s = d.shape(lo=1)
    k = d.dim(s)
    parts = []
    for _ in range(d.r.randint(1, 3)):
        t = list(s)
        t[k] = d.r.randint(0, 3)
        parts.append(d.t(t, d.other_dtype(dt, 0.2)))
    return [Ts(parts), k], {}


def stack(d, dt):
    s = d.shape()
    return [Ts(d.t(s, dt) for _ in range(d.r.randint(1, 3))), d.dim(s + [1])], {}


def where(d, dt):
    x = d.x(dt)
    return [d.mask(d.partner(list(x.shape))), x, d.t(d.partner(list(x.shape)), d.other_dtype(dt))], {}


def cdist(d, dt):
    m = d.r.randint(1, 3)
    return [d.t([d.r.randint(1, 4), m], dt), d.t([d.r.randint(1, 4), m], dt), d.r.choice([1.0, 2.0, 3.0])], {}


def einsum(d, dt):
    eq, shapes = d.r.choice([("ij,jk->ik", [[2, 3], [3, 4]]), ("bij,bjk->bik", [[2, 2, 3], [2, 3, 1]]),
                             ("i,i->", [[4], [4]]), ("ij->ji", [[2, 3]]), ("ii->i", [[3, 3]]), ("i,j->ij", [[2], [3]])])
    return [eq, Ts(d.t(s, dt) for s in shapes)], {}


# ---- creation and random ----
def shape_dtype(d, dt):
    return [Ints(d.shape()), Dt(dt)], {}


def like(d, dt):
    return [d.x(dt)], {}


def arange(d, dt):
    return [d.r.randint(-3, 2), d.r.randint(0, 6), d.r.choice([1, 2]), Dt(dt)], {}


def linspace(d, dt):
    return [d.r.uniform(-2, 0), d.r.uniform(0, 3), d.r.randint(0, 5), Dt(dt)], {}


def eye(d, dt):
    return [d.r.randint(0, 3), d.r.randint(0, 3), Dt(dt)], {}


def rand_shape(d, dt):
    return [Ints(d.shape()), Gen(d.seed()), Dt(dt)], {}


def rand_like(d, dt):
    return [d.x(dt), Gen(d.seed())], {}


def randint(d, dt):
    lo = d.r.randint(-3, 2)
    return [lo, lo + d.r.randint(1, 10), Ints(d.shape()), Gen(d.seed()), Dt(dt)], {}


def randperm(d, dt):
    return [d.r.randint(0, 8), Gen(d.seed())], {}


def probs(d, dt):
    return [d.t(d.shape(), dt, 0.0, 1.0), Gen(d.seed())], {}


def multinomial(d, dt):
    p = d.t(d.shape(lo=1, hi=2, empty=False), dt, 0.05, 1.0)
    n = d.r.randint(1, p.shape[-1])
    return [p, n, d.r.random() < 0.5, Gen(d.seed())], {}


def normal(d, dt):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape), bad=0), dt, 0.1, 2.0), Gen(d.seed())], {}


def value_dtype(d, dt):
    return [d.r.choice([0.5, -2.0, 3.0, 1e10, float("inf")]), Dt(dt)], {}
