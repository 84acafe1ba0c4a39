# vae_torch.py: PyTorch reference for the MLP VAE 784-400-20 (ECE 8803 PS2 P4): one epoch of continuous MNIST, batch 128, Adam 1e-3.
# Same model, loss, data order and noise draws as bench/vae/GenDsl.Bench.Vae: randperm then one randn (B, 20) per batch
# from one generator seeded with --seed; the test -ELBO uses a generator seeded with --seed + 1.
# usage: vae_torch.py [--threads N] [--init state.pt (written by the C# harness's --save-init)] [--limit N] [--seed S]
import argparse, math, os, sys, time
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mnist_idx  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--init", default=None, help="a {name: tensor} file from torch.save or GenDsl's Module.Save")
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--limit", type=int, default=60000, help="train on the first N images only (quick runs)")
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
torch.set_num_threads(a.threads)


class Vae(nn.Module):
    """Encoder 784-400-(2 x 20) giving (mu, logvar); decoder 20-400-784 giving Bernoulli logits."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40))
        self.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))

    def elbo(self, x, g):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        eps = torch.randn(mu.shape, generator=g)
        z = mu + (0.5 * logvar).exp() * eps
        logits = self.decoder(z)
        recon = (x * logits - F.softplus(logits)).sum(1)        # log p(x | z), Bernoulli with continuous x
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
        return recon - kl


model = Vae()
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
    x = train[perm[i : i + a.batch]]
    loss = -model.elbo(x, g).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    total += loss.item() * x.shape[0]
seconds = time.perf_counter() - start

with torch.no_grad():
    gt = torch.Generator().manual_seed(a.seed + 1)
    test_nelbo = sum(-model.elbo(test[i : i + 1000], gt).sum().item() for i in range(0, test.shape[0], 1000)) / test.shape[0]
print(f"torch vae_epoch seconds={seconds:.3f} train_neg_elbo={total / train.shape[0]:.4f} test_neg_elbo={test_nelbo:.4f} "
      f"batches={math.ceil(train.shape[0] / a.batch)} threads={a.threads}")
