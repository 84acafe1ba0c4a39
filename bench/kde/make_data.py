# make_data.py: the fixed KDE benchmark data — 10^5 training points and 10^5 queries from the DS-GA 1008 ring (K = 10, R = 10), raw float64 (N, 2).
import argparse, math
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--n", type=int, default=100_000)
ap.add_argument("--queries", type=int, default=100_000)
a = ap.parse_args()
K, R = 10, 10.0
rng = np.random.default_rng(1008)
angles = 2 * math.pi * np.arange(K) / K
means = R * np.stack([np.cos(angles), np.sin(angles)], 1)  # (K, 2)
for name, n in [("train", a.n), ("queries", a.queries)]:
    x = means[rng.integers(0, K, n)] + rng.standard_normal((n, 2))  # (n, 2)
    x.astype("<f8").tofile(f"{a.out}/{name}.f64")
