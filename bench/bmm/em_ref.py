"""em_ref.py: Bernoulli-mixture EM on statically binarised MNIST in PyTorch or numpy, the same algorithm and start as GenDsl's bench."""
import argparse
import resource
import struct
import sys
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--impl", choices=["torch", "numpy"], required=True)
ap.add_argument("--mnist", required=True, help="folder with train-images-idx3-ubyte")
ap.add_argument("--init", required=True, help="pi (K) then p (K, D), float64 little-endian, written by the C# bench")
ap.add_argument("--k", type=int, default=20)
ap.add_argument("--iters", type=int, default=50)
ap.add_argument("--n", type=int, default=60000)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()

raw = open(f"{a.mnist}/train-images-idx3-ubyte", "rb").read()
assert struct.unpack(">i", raw[:4])[0] == 0x803
x8 = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784)[: a.n]
x = (x8.astype(np.float32) / 255.0 > 0.5).astype(np.float32)  # (N, D) static binarisation, x/255 > 0.5
init = np.fromfile(a.init, dtype="<f8")
pi0, p0 = init[: a.k].copy(), init[a.k:].reshape(a.k, 784).copy()
a1 = a2 = 1e-8
N, D = x.shape


def em_torch():
    import torch
    torch.set_num_threads(a.threads)
    xt = torch.from_numpy(x)
    p, pi = torch.from_numpy(p0), torch.from_numpy(pi0)
    ll = None
    for t in range(a.iters + 1):
        logp, log1mp = p.clamp_min(1e-300).log(), (1 - p).clamp_min(1e-300).log()
        wT = (logp - log1mp).T.contiguous().float()  # (D, K)
        c = (log1mp.sum(1) + pi.clamp_min(1e-300).log()).float()  # (K)
        lj = xt @ wT + c  # (N, K)
        lse = torch.logsumexp(lj, 1, keepdim=True)
        ll = lse.sum(dtype=torch.float64).item()
        if t == a.iters:
            break
        eta = (lj - lse).exp()
        nk = eta.sum(0, dtype=torch.float64)
        sx = (eta.T @ xt).double().minimum(nk[:, None]).clamp_min(0)
        p = (sx + a1) / (nk[:, None] + a1 * D)
        pi = (nk + a2) / (nk.sum() + a2 * a.k)
    return ll


def em_numpy():
    p, pi = p0, pi0
    ll = None
    for t in range(a.iters + 1):
        logp, log1mp = np.log(np.maximum(p, 1e-300)), np.log(np.maximum(1 - p, 1e-300))
        wT = np.ascontiguousarray((logp - log1mp).T).astype(np.float32)
        c = (log1mp.sum(1) + np.log(np.maximum(pi, 1e-300))).astype(np.float32)
        lj = x @ wT + c
        m = lj.max(1, keepdims=True)
        lse = m + np.log(np.exp(lj - m).sum(1, keepdims=True))
        ll = lse.sum(dtype=np.float64)
        if t == a.iters:
            break
        eta = np.exp(lj - lse)
        nk = eta.sum(0, dtype=np.float64)
        sx = np.clip((eta.T @ x).astype(np.float64), 0, nk[:, None])
        p = (sx + a1) / (nk[:, None] + a1 * D)
        pi = (nk + a2) / (nk.sum() + a2 * a.k)
    return ll


r0 = resource.getrusage(resource.RUSAGE_SELF)
sw = time.perf_counter()
ll = em_torch() if a.impl == "torch" else em_numpy()
sec = time.perf_counter() - sw
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(f"{a.impl} bmm seconds={sec:.3f} ll={ll:.2f} ll_per_image={ll / N:.4f} n={N} k={a.k} iters={a.iters} "
      f"user={r1.ru_utime - r0.ru_utime:.2f} sys={r1.ru_stime - r0.ru_stime:.2f}")
