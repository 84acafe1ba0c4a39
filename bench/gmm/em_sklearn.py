# em_sklearn.py: sklearn reference for EM on 100k points of the DS-GA 1008 ring (K = 10, R = 10), spherical covariances.
import argparse, math, statistics, time, warnings
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--iters", type=int, default=100)
a = ap.parse_args()
warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0: it runs max_iter iterations on purpose

K, R, N = 10, 10.0, 100_000
rng = np.random.default_rng(0)
angles = 2 * math.pi * np.arange(K) / K
means = R * np.stack([np.cos(angles), np.sin(angles)], 1)
x = means[rng.integers(0, K, N)] + rng.standard_normal((N, 2))  # (N, 2)


def fit():
    gm = GaussianMixture(n_components=K, covariance_type="spherical", max_iter=a.iters, tol=0.0, reg_covar=1e-6,
                         init_params="random_from_data", n_init=1, random_state=1)
    gm.fit(x)
    return gm


fit()
ts = []
for _ in range(a.reps):
    t0 = time.perf_counter()
    gm = fit()
    ts.append(time.perf_counter() - t0)
print(f"sklearn em100k seconds={statistics.median(ts):.4f} nll={-gm.score(x):.4f} iterations={gm.n_iter_}")
