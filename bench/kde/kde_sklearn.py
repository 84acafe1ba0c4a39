# kde_sklearn.py: scikit-learn's KernelDensity (Gaussian, exact: rtol = atol = 0) on the benchmark data; writes its log-densities and prints time and peak RSS.
# sklearn scores one query at a time through a k-d tree on one thread; --queries scores only the first Q queries (the full 10^5 takes ~30 min here).
import argparse, resource, time
import numpy as np
from sklearn.neighbors import KernelDensity

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--bandwidth", type=float, required=True)
ap.add_argument("--queries", type=int, default=0, help="score the first Q queries only (0: all)")
a = ap.parse_args()
x = np.fromfile(f"{a.dir}/train.f64", dtype="<f8").reshape(-1, 2)   # (N, 2)
q = np.fromfile(f"{a.dir}/queries.f64", dtype="<f8").reshape(-1, 2)  # (Q, 2)
if a.queries:
    q = q[: a.queries]
t0 = time.perf_counter()
kde = KernelDensity(kernel="gaussian", bandwidth=a.bandwidth, rtol=0.0, atol=0.0).fit(x)
lp = kde.score_samples(q)
dt = time.perf_counter() - t0
lp.astype("<f8").tofile(f"{a.dir}/logp_sklearn.f64")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"sklearn kde queries={len(q)} points={len(x)} seconds={dt:.3f} seconds_per_1e5_queries={dt * 1e5 / len(q):.1f} peak_rss_mib={rss:.0f}")
