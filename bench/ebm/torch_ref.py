# torch_ref.py: the same EBM training loop in PyTorch (n = 1000 ring points, M = 5000 from the true ring, MLP 2-64-1 tanh + confining term, float64, Adam, full batch).
# Each step reads the loss and the ESS back as Python floats, as the GenDsl Trainer does.
import argparse, math, time
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=500)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1008)
K, R, M, S = 10, 10.0, 5000, 4.0
ang = 2 * math.pi * torch.arange(K, dtype=torch.float64) / K
mu = R * torch.stack([ang.cos(), ang.sin()], 1)  # (K, 2)


def ring_sample(n):
    return mu[torch.randint(0, K, (n,))] + torch.randn(n, 2, dtype=torch.float64)  # (n, 2)


def ring_logprob(x):
    d2 = ((x.unsqueeze(1) - mu.unsqueeze(0)) ** 2).sum(2)  # (n, K)
    return torch.logsumexp(-0.5 * d2 - math.log(2 * math.pi), 1) - math.log(K)


train = ring_sample(1000)
xs = ring_sample(M)
logq = ring_logprob(xs)
net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1)).double()


def energy(x):
    return net(x).squeeze(1) - (x * x).sum(1) / (2 * S * S)


def run(steps):
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        lw = energy(xs) - logq
        loss = -(energy(train).mean() - (torch.logsumexp(lw, 0) - math.log(M)))
        loss.item()
        with torch.no_grad():
            ess = math.exp(2 * torch.logsumexp(lw, 0).item() - torch.logsumexp(2 * lw, 0).item())
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


run(20)
sec = run(a.steps)
print(f"torch ebm threads={a.threads} steps={a.steps} seconds={sec:.3f} steps_per_s={a.steps / sec:.1f} (torch {torch.__version__})")
