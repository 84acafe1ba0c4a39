# mlp_steps.py: PyTorch side of bench/blas/spin.sh — MLP VAE-shaped training steps (784-400-20, batch 128, Adam) on random data.
import argparse, time, torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=300)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
enc = torch.nn.Sequential(torch.nn.Linear(784, 400), torch.nn.ReLU(), torch.nn.Linear(400, 40))
dec = torch.nn.Sequential(torch.nn.Linear(20, 400), torch.nn.ReLU(), torch.nn.Linear(400, 784))
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), 1e-3)
x = torch.rand(128, 784)
t = time.perf_counter()
for _ in range(a.steps):
    mu, logv = enc(x).chunk(2, 1)
    z = mu + torch.randn_like(mu) * (0.5 * logv).exp()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(dec(z), x, reduction="sum") - 0.5 * (1 + logv - mu ** 2 - logv.exp()).sum()
    opt.zero_grad(); loss.backward(); opt.step()
print(f"steps {a.steps} seconds {time.perf_counter() - t:.3f}")
