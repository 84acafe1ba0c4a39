# gens_nn2.py: argument generators for the issue-14 linear algebra (well-conditioned inputs), functional ops and losses — each takes a Draw and a dtype and returns (args, kwargs).
import torch

from draw import F64, Enum, Gen, Ints, reduction


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
