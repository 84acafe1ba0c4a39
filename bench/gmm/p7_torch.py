# p7_torch.py: PyTorch reference for CSE 599i HW1 P7 (GD k=0..10, SGD k=0..5000, EM k=0..10), timed as the C# bench times them.
import argparse, math, statistics, time
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--gd-lr", type=float, default=3.0)
ap.add_argument("--sgd-lr", type=float, default=0.05)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.set_default_dtype(torch.float64)

K, D = 3, 2
true_means = torch.tensor([[-2.0, 0.0], [1.0, 3.0], [2.0, -2.0]])
g = torch.Generator().manual_seed(0)
x = torch.cat([m + torch.randn(1000, D, generator=g) for m in true_means])  # (3000, 2), 1000 per component


def mean_ll(x, mu):
    """(1/n) sum_i log sum_k (1/K) N(x_i; mu_k, I)."""
    d2 = ((x[:, None, :] - mu[None, :, :]) ** 2).sum(-1)  # (N, K)
    return (torch.logsumexp(-0.5 * d2, dim=1) - math.log(K) - 0.5 * D * math.log(2 * math.pi)).mean()


def init(seed):
    gi = torch.Generator().manual_seed(seed)
    return x[torch.randperm(x.shape[0], generator=gi)[:K]].clone()


def gd():
    mu = init(1).requires_grad_()
    curve = []
    for k in range(11):
        ll = mean_ll(x, mu)
        curve.append(ll.item())
        if k == 10:
            break
        (grad,) = torch.autograd.grad(ll, mu)
        with torch.no_grad():
            mu += a.gd_lr * grad
    return curve


def sgd(steps=5000):
    mu = init(1).requires_grad_()
    gs = torch.Generator().manual_seed(2)
    idx = torch.randint(0, x.shape[0], (steps, 1), generator=gs)
    with torch.no_grad():
        curve = [mean_ll(x, mu).item()]
    for t in range(steps):
        (grad,) = torch.autograd.grad(mean_ll(x[idx[t]], mu), mu)
        with torch.no_grad():
            mu += a.sgd_lr * grad
            curve.append(mean_ll(x, mu).item())
    return curve


def em():
    mu = init(1)
    curve = []
    for k in range(11):
        logj = -0.5 * ((x[:, None, :] - mu[None]) ** 2).sum(-1) - math.log(K) - 0.5 * D * math.log(2 * math.pi)
        lse = torch.logsumexp(logj, 1, keepdim=True)
        curve.append(lse.mean().item())
        if k == 10:
            break
        q = (logj - lse).exp()  # (N, K)
        mu = q.T @ x / q.sum(0)[:, None]  # mu'_k = sum_i q x_i / (n pi'_k)
    return curve


for name, f in [("p7_gd", gd), ("p7_sgd", sgd), ("p7_em", em)]:
    f()
    ts = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        c = f()
        ts.append(time.perf_counter() - t0)
    print(f"torch {name} seconds={statistics.median(ts):.4f} nll={-c[-1]:.4f} iterations={len(c) - 1}")
