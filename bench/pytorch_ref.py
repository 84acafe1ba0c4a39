"""pytorch_ref.py: the three benchmark workloads in PyTorch (the reference), same loops as native_floor.cpp.

Usage: python3 bench/pytorch_ref.py [threads=2] [repeats=3] | adds N; prints "key value" lines for bench/run.sh.
Timed in chunks as native_floor.cpp is (the fastest chunk stands for the uncontended speed on a shared machine)."""
import math
import sys
import time

import torch


def per_add(n):
    """Seconds per add of two 1-element float32 tensors."""
    a, b = torch.ones(1), torch.ones(1)
    for _ in range(1000):
        c = a + b
    best = 1e9
    for _ in range(n // 5000):
        t0 = time.perf_counter()
        for _ in range(5000):
            c = a + b
        best = min(best, (time.perf_counter() - t0) / 5000)
    return best


def matmul_gflops(n, reps):
    """Throughput of n x n float32 matmul (2 n^3 flops per product)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        c = a @ b
    best = 1e9
    for _ in range(reps):
        t0 = time.perf_counter()
        c = a @ b
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def gmm_sgd(steps, lr):
    """CSE 599i HW1 P7c: SGD on GMM means, one point x[(s*7919) % 3000] per step,
    loss = -logsumexp_k(log(1/3) - log(2 pi) - |x - mu_k|^2 / 2)."""
    torch.manual_seed(0)
    centers = torch.tensor([-2.0, 0.0, 1.0, 3.0, 2.0, -2.0]).view(3, 1, 2)
    x = (torch.randn(3, 1000, 2) + centers).reshape(3000, 2)  # (3000, 2)
    mu = torch.randn(3, 2).requires_grad_()  # (3, 2)
    c = math.log(1.0 / 3.0) - math.log(2 * math.pi)
    best, t0 = 1e9, time.perf_counter()
    for s in range(steps):
        if s % 500 == 0:
            t0 = time.perf_counter()
        xi = x[(s * 7919) % 3000]  # (2,)
        d = xi - mu  # (3, 2)
        logp = (d * d).sum(1) * -0.5 + c  # (3,)
        loss = -torch.logsumexp(logp, 0)
        loss.backward()
        with torch.no_grad():
            g = mu.grad
            mu.add_(g, alpha=-lr)
            g.zero_()
        if s % 500 == 499:
            best = min(best, time.perf_counter() - t0)
    return best * steps / 500, mu.detach()


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "adds":  # only N adds, for counting instructions per op (bench/count.sh)
        torch.set_num_threads(1)
        a, b = torch.ones(1), torch.ones(1)
        for _ in range(int(sys.argv[2])):
            c = a + b
        return
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(threads)
    add, mm, gmm = 1e9, 0.0, 1e9
    for _ in range(repeats):
        add = min(add, per_add(100_000))
        mm = max(mm, matmul_gflops(1024, 20))
        t, mu = gmm_sgd(5000, 0.05)
        gmm = min(gmm, t)
    print(f"threads {torch.get_num_threads()}")
    print(f"add_us {add * 1e6:.4f}")
    print(f"matmul_gflops {mm:.2f}")
    print(f"gmm_s {gmm:.4f}")
    print("gmm_mu " + " ".join(f"{v:.3f}" for v in mu.flatten().tolist()))


if __name__ == "__main__":
    main()
