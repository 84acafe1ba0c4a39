# compare.py: the largest relative difference between GenDsl's and scikit-learn's KDE log-densities on the queries both scored.
import sys
import numpy as np

d = sys.argv[1]
a = np.fromfile(f"{d}/logp_gendsl.f64", dtype="<f8")
b = np.fromfile(f"{d}/logp_sklearn.f64", dtype="<f8")
n = min(len(a), len(b))
rel = np.abs(a[:n] - b[:n]) / np.maximum(np.abs(b[:n]), 1e-300)
print(f"compare queries={n} max_rel_diff={rel.max():.3e} max_abs_diff={np.abs(a[:n] - b[:n]).max():.3e} mean_logp={b[:n].mean():.6f}"
      f" {'OK' if rel.max() <= 1e-9 else 'MISMATCH'} (tolerance 1e-9 relative)")
sys.exit(0 if rel.max() <= 1e-9 else 1)
