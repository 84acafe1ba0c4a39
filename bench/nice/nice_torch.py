# nice_torch.py: PyTorch reference for NICE at the seed's setting (ECE 8803 PS2 P4): 4 additive couplings, each an MLP with 5 hidden
# layers of 1000 ReLU units, a diagonal scaling layer and a logistic prior; one epoch of dequantised MNIST, batch 256, Adam 1e-3.
# Names match GenDsl's Nice.Mlp state dict (net.<i>.net.<j>.weight, scaling.log_scale), so --init loads its Module.Save file.
# Dequantisation: x = (pixel + u) / 256, u ~ U[0, 1); bits/dim = (D ln 256 - LL) / (D ln 2) with LL the log-density in nats on [0, 1]^D.
# usage: nice_torch.py [--threads N] [--init state.pt] [--limit N] [--seed S]
import argparse, math, os, sys, time
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mnist_idx  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--init", default=None, help="a {name: tensor} file from torch.save or GenDsl's Module.Save")
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--limit", type=int, default=60000, help="train on the first N images only (quick runs)")
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
torch.set_num_threads(a.threads)
D = 784


class Coupling(nn.Module):
    """(a, b) = (x[:, :D/2], x[:, D/2:]); not reversed: b += m(a); reversed: a += m(b)."""

    def __init__(self, reverse, hidden=1000, layers=5):
        super().__init__()
        self.reverse = reverse
        net = [nn.Linear(D // 2, hidden), nn.ReLU()]
        for _ in range(layers - 1):
            net += [nn.Linear(hidden, hidden), nn.ReLU()]
        self.net = nn.Sequential(*net, nn.Linear(hidden, D - D // 2))

    def forward(self, x):
        a, b = x[:, : D // 2], x[:, D // 2 :]
        return torch.cat((a + self.net(b), b), 1) if self.reverse else torch.cat((a, b + self.net(a)), 1)


class Scaling(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.zeros(1, D))


class Nice(nn.Module):
    def __init__(self, blocks=4):
        super().__init__()
        self.net = nn.Sequential(*[Coupling(reverse=i % 2 == 1) for i in range(blocks)])
        self.scaling = Scaling()

    def log_prob(self, x):
        """log p(x) in nats (B): logistic prior -(softplus(z) + softplus(-z)) summed, plus log|det| = sum log_scale."""
        z = self.net(x) * self.scaling.log_scale.exp()
        return -(F.softplus(z) + F.softplus(-z)).sum(1) + self.scaling.log_scale.sum()


def dequantize(x, g):
    return (x * 255 + torch.rand(x.shape, generator=g)) / 256


model = Nice()
if a.init:
    model.load_state_dict(torch.load(a.init))
train = mnist_idx.images("train")[: a.limit]
test = mnist_idx.images("test")
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
g = torch.Generator().manual_seed(a.seed)

start = time.perf_counter()
perm = torch.randperm(train.shape[0], generator=g)
total = 0.0
for i in range(0, train.shape[0], a.batch):
    x = dequantize(train[perm[i : i + a.batch]], g)
    loss = -model.log_prob(x).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    total += loss.item() * x.shape[0]
seconds = time.perf_counter() - start

with torch.no_grad():
    gt = torch.Generator().manual_seed(a.seed + 1)
    ll = sum(model.log_prob(dequantize(test[i : i + 1000], gt)).sum().item() for i in range(0, test.shape[0], 1000)) / test.shape[0]
bpd = (D * math.log(256) - ll) / (D * math.log(2))
print(f"torch nice_epoch seconds={seconds:.3f} train_nll={total / train.shape[0]:.4f} test_ll={ll:.4f} test_bits_per_dim={bpd:.4f} "
      f"batches={math.ceil(train.shape[0] / a.batch)} threads={a.threads}")
