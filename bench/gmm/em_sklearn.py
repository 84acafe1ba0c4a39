# em_sklearn.py: sklearn reference for EM on ring points of the DS-GA 1008 ring (K = 10, R = 10), spherical covariances:
# 100k points drawn here (run.sh), or N points from a file shared with GenDsl (--data, em_scaling.sh; sklearn then starts
# where GenDsl does: means at the first K points, weights 1/K, unit variances).
import argparse, math, statistics, time, warnings
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--iters", type=int, default=100)
ap.add_argument("--warmup", type=int, default=1)
ap.add_argument("--data", help="float64 row-major (N, 2) points, as em_scaling.sh writes them")
a = ap.parse_args()
warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0: it runs max_iter iterations on purpose

K, R = 10, 10.0
if a.data:
    x = np.fromfile(a.data, dtype=np.float64).reshape(-1, 2)  # (N, 2)
    start = dict(means_init=x[:K].copy(), weights_init=np.full(K, 1.0 / K), precisions_init=np.ones(K))
    name = f"em{len(x)}"
else:
    N = 100_000
    rng = np.random.default_rng(0)
    angles = 2 * math.pi * np.arange(K) / K
    means = R * np.stack([np.cos(angles), np.sin(angles)], 1)
    x = means[rng.integers(0, K, N)] + rng.standard_normal((N, 2))  # (N, 2)
    start = dict(init_params="random_from_data", random_state=1)
    name = "em100k"


def fit():
    gm = GaussianMixture(n_components=K, covariance_type="spherical", max_iter=a.iters, tol=0.0, reg_covar=1e-6,
                         n_init=1, **start)
    gm.fit(x)
    return gm


if a.warmup:
    fit()
ts = []
for _ in range(a.reps):
    t0 = time.perf_counter()
    gm = fit()
    ts.append(time.perf_counter() - t0)
print(f"sklearn {name} seconds={statistics.median(ts):.4f} nll={-gm.score(x):.10f} iterations={gm.n_iter_}")
