# gens_nn.py: argument generators for functional (layers, losses), linear algebra and the scalar block (tensor dtype x Python int/float/bool scalar).
import torch

from draw import B, F64, FLOAT, I64, Dt, Gen, Ints, Ts, reduction


# ---- scalar block: each takes (d, dtype, s) with s a Python int, float or bool ----
def t_s(d, dt, s):
    return [d.x(dt), s], {}


def s_t(d, dt, s):
    return [s, d.x(dt)], {}


def mask_s(d, dt, s):
    x = d.x(dt)
    return [x, d.mask(d.partner(list(x.shape), bad=0)), s], {}


def clamp_s(d, dt, s):
    """Both bounds of the scalar's kind: (s - 1, s) for numbers, (False, True) for bools."""
    lo = (False if isinstance(s, bool) else s - 1)
    hi = (True if isinstance(s, bool) else s)
    return [d.x(dt), lo, hi], {}


def alpha_s(d, dt, s):
    x = d.x(dt)
    return [x, d.t(d.partner(list(x.shape), bad=0), dt), s], {}


def addc_s(d, dt, s):
    x = d.x(dt)
    return [x, d.t(x.shape, dt), d.t(x.shape, dt), s], {}


def full_s(d, dt, s):
    return [Ints(d.shape()), s, Dt(dt)], {}


def full_nodtype_s(d, dt, s):
    return [Ints(d.shape()), s], {}


def arange_s(d, dt, s):
    """Start 0, end from the scalar's kind (|s| + 3), step 1, no dtype: the dtype follows the scalars."""
    end = (3 if s else 2) if isinstance(s, bool) else abs(s) + 3
    return [0, end], {}


# ---- functional ----
def linear(d, dt):
    i, o = d.r.randint(1, 4), d.r.randint(1, 3)
    x = d.t(d.shape(lo=0, hi=2) + [i if d.r.random() > 0.08 else i + 1], dt)
    return [x, d.t([o, i], dt), d.t([o], dt) if d.r.random() < 0.6 else None], {}


def conv2d(d, dt):
    g = d.r.choice([1, 1, 2])
    c, o, k = 2 * g, 2 * g, d.r.randint(1, 3)
    x = d.t([d.r.randint(1, 2), c, d.r.randint(3, 5), d.r.randint(3, 5)], dt)
    w = d.t([o, c // g, k, k], dt)
    return [x, w, d.t([o], dt) if d.r.random() < 0.5 else None], \
        {"stride": d.r.randint(1, 2), "padding": d.r.randint(0, 1), "dilation": d.r.randint(1, 2), "groups": g}


def conv_t2d(d, dt):
    g = d.r.choice([1, 2])
    c, o, k = 2 * g, 2 * g, d.r.randint(1, 3)
    x = d.t([d.r.randint(1, 2), c, d.r.randint(2, 4), d.r.randint(2, 4)], dt)
    s = d.r.randint(1, 2)
    return [x, d.t([c, o // g, k, k], dt), d.t([o], dt) if d.r.random() < 0.5 else None], \
        {"stride": s, "padding": d.r.randint(0, 1), "outputPadding": d.r.randint(0, s - 1), "groups": g}


def pool2d(d, dt):
    x = d.t([d.r.randint(1, 2), d.r.randint(1, 2), d.r.randint(2, 5), d.r.randint(2, 5)], dt)
    k = d.r.randint(1, 2)
    return [x, k], {"stride": d.r.choice([None, 1, 2]), "padding": d.r.randint(0, k // 2)}


def embedding(d, dt):
    v = d.r.randint(1, 5)
    w = d.t([v, d.r.randint(1, 3)], dt)
    return [d.index(v, d.shape(hi=2)), w, d.r.choice([None, 0, v - 1, -1, -v])], {}


def layer_norm(d, dt):
    s = d.shape(lo=1, empty=False)
    n = s[-d.r.randint(1, len(s)):]
    aff = d.r.random() < 0.5
    return [d.t(s, dt), Ints(n), d.t(n, dt) if aff else None, d.t(n, dt) if aff else None], {}


def batch_norm(d, dt):
    c = d.r.randint(1, 3)
    x = d.t([d.r.randint(2, 4), c] + [d.r.randint(1, 3)] * d.r.randint(0, 2), dt)
    tr = d.r.random() < 0.5
    return [x, d.const(d.t([c], dt)), d.const(d.t([c], dt, 0.5, 2.0)), d.t([c], dt), d.t([c], dt)], {"training": tr}


def dropout(d, dt):
    return [d.x(dt), d.r.choice([0.0, 0.3, 0.5, 1.0]), d.r.random() < 0.8, Gen(d.seed())], {}


def leaky(d, dt):
    return [d.x(dt), d.r.choice([0.01, 0.2, -0.5])], {}


def softplus(d, dt):
    return [d.x(dt), d.r.choice([1.0, 2.0, 0.5]), d.r.choice([20.0, 1.0])], {}


def one_hot(d, dt):
    n = d.r.randint(1, 4)
    return [d.index(n, d.shape(hi=2)), d.r.choice([-1, n, n + 1])], {}


def pad(d, dt):
    x = d.x(dt, lo=1)
    p = [d.r.randint(0, 2) for _ in range(2 * d.r.randint(1, x.dim()))]
    return [x, Ints(p), d.r.choice([0.0, 1.5])], {}


def nll(d, dt):
    n, c = d.r.randint(1, 3), d.r.randint(1, 4)
    logp = torch.log_softmax(d.t([n, c], F64), -1).to(dt)
    tgt = d.index(c, [n])
    return [logp, tgt, d.t([c], dt, 0.5, 2.0) if d.r.random() < 0.3 else None, reduction(d)], {}


def cross_entropy(d, dt):
    n, c = d.r.randint(1, 3), d.r.randint(1, 4)
    return [d.t([n, c], dt), d.index(c, [n])], {"reduction": reduction(d), "labelSmoothing": d.r.choice([0.0, 0.1])}


def bce_logits(d, dt):
    s = d.shape()
    return [d.t(s, dt), d.t(s, dt, 0.0, 1.0), None, d.const(d.t(s[-1:], dt, 0.5, 2.0)) if s and d.r.random() < 0.4 else None,
            reduction(d)], {}


def bce(d, dt):
    s = d.shape()
    return [d.t(s, dt, 0.05, 0.95), d.t(s, dt, 0.0, 1.0), None, reduction(d)], {}


def mse(d, dt):
    x = d.x(dt)
    return [x, d.t(x.shape, dt), reduction(d)], {}


def sdpa(d, dt):
    b, l, s, e = d.r.randint(1, 2), d.r.randint(1, 4), d.r.randint(1, 4), d.r.randint(1, 4)
    q, k, v = d.t([b, l, e], dt), d.t([b, s, e], dt), d.t([b, s, d.r.randint(1, 3)], dt)
    kw = {}
    r = d.r.random()
    if r < 0.3:
        kw["isCausal"] = True
    elif r < 0.5:
        kw["attnMask"] = d.mask([l, s]) | torch.eye(l, s, dtype=B)
    elif r < 0.6:
        kw["attnMask"] = d.t([l, s], dt)
    if d.r.random() < 0.3:
        kw["scale"] = 0.5
    return [q, k, v], kw


def causal_bias(d, dt):
    return [d.r.randint(0, 4), d.r.randint(0, 4), Dt(dt)], {}


# ---- linalg ----
def square(d, dt):
    return [d.square(dt)], {}


def spd_upper(d, dt):
    return [d.square(dt, spd=True), d.r.random() < 0.5], {}


def spd(d, dt):
    return [d.square(dt, spd=True)], {}


def solve(d, dt):
    a = d.square(dt)
    n = a.shape[-1]
    return [a, d.t(list(a.shape[:-1]) + [d.r.randint(1, 2)], dt)], {}


def solve_tri(d, dt):
    up = d.r.random() < 0.5
    a = d.square(dt)
    a = a.triu() if up else a.tril()
    return [a, d.t(list(a.shape[:-1]) + [d.r.randint(1, 2)], dt), up], {}
