# zoo_torch.py: PyTorch reference for bench/zoo — N Adam steps of MADE (one hidden layer of 8000, natural order) or PixelCNN
# (7x7 type A, 7 plain blocks of 3x3 type B at 64 channels, Bernoulli; pixelcnn_res: 15 residual blocks at 128) on statically binarised MNIST (pixel > 0.5), batches in
# file order. Module names match GenDsl's Made / PixelCnn state dicts (masks are buffers), so --init loads a Module.Save file.
# Masks as Mila Q1 defines them: M[i][j] = 1 if i > c, or i = c and j < c (type A) / j <= c (type B), c the centre.
# usage: zoo_torch.py --model made|pixelcnn|pixelcnn_res [--threads N] [--steps N] [--warmup N] [--batch B] [--lr LR] [--init state.pt]
import argparse, math, os, sys, time
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mnist_idx  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="made", choices=["made", "pixelcnn", "pixelcnn_res"])
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--init", default=None)
ap.add_argument("--data", default=mnist_idx.DEFAULT_DIR)
a = ap.parse_args()
torch.set_num_threads(a.threads)
D = 784


class MaskedLinear(nn.Linear):
    def __init__(self, n_in, n_out, mask):
        super().__init__(n_in, n_out)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)


def made(hidden=8000):
    """Degrees: inputs 1..D; hidden unit k: k mod (D-1) + 1 when h >= D-1, else floor(k (D-1) / h) + 1."""
    deg_in = torch.arange(1, D + 1)
    deg_h = torch.arange(hidden) % (D - 1) + 1 if hidden >= D - 1 else torch.arange(hidden) * (D - 1) // hidden + 1
    m1 = (deg_h[:, None] >= deg_in[None, :]).float()
    m2 = (deg_in[:, None] > deg_h[None, :]).float()
    return nn.Sequential(MaskedLinear(D, hidden, m1), nn.ReLU(), MaskedLinear(hidden, D, m2))


def q1_mask(k, kind):
    c = (k + 1) // 2
    return torch.tensor([[1.0 if i > c or (i == c and (j < c if kind == "A" else j <= c)) else 0.0
                          for j in range(1, k + 1)] for i in range(1, k + 1)])


class MaskedConv2d(nn.Conv2d):
    def __init__(self, cin, cout, k, kind):
        super().__init__(cin, cout, k, padding=(k - 1) // 2)
        self.register_buffer("mask", q1_mask(k, kind))

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class Plain(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = MaskedConv2d(c, c, 3, "B")

    def forward(self, x):
        return self.conv(F.relu(x))


class Residual(nn.Module):
    """x + 1x1(ReLU(B(ReLU(1x1(ReLU x))))), halving the channels inside (pytorch-generative's layout)."""

    def __init__(self, c):
        super().__init__()
        self.add_module("in", nn.Conv2d(c, c // 2, 1))   # "in" as GenDsl names it (a Python keyword)
        self.conv = MaskedConv2d(c // 2, c // 2, 3, "B")
        self.out = nn.Conv2d(c // 2, c, 1)

    def forward(self, x):
        return x + self.out(F.relu(self.conv(F.relu(getattr(self, "in")(F.relu(x))))))


def pixelcnn(c=64, blocks=7, block=Plain):
    return nn.Sequential(MaskedConv2d(1, c, 7, "A"), *[block(c) for _ in range(blocks)],
                         nn.ReLU(), nn.Conv2d(c, c, 1), nn.ReLU(), nn.Conv2d(c, 1, 1))


torch.manual_seed(1000)
net = {"made": made, "pixelcnn": pixelcnn, "pixelcnn_res": lambda: pixelcnn(128, 15, Residual)}[a.model]()
if a.init:
    net.load_state_dict({k[len("net."):]: v for k, v in torch.load(a.init).items()})
train = (mnist_idx.images("train", a.data)[: (a.warmup + a.steps) * a.batch] > 0.5).float()
opt = torch.optim.Adam(net.parameters(), lr=a.lr)

first = last = 0.0
for s in range(a.warmup + a.steps):
    if s == a.warmup:
        wall, cpu = time.perf_counter(), time.process_time()
    x = train[s * a.batch : (s + 1) * a.batch]
    if a.model.startswith("pixelcnn"):
        x = x.view(-1, 1, 28, 28)
    loss = F.binary_cross_entropy_with_logits(net(x), x, reduction="none").flatten(1).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    v = loss.item()
    first = v if s == 0 else first
    last = v
seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
print(f"torch {a.model} step_seconds={seconds / a.steps:.4f} step_cpu_seconds={cpu_seconds / a.steps:.4f} "
      f"epoch_seconds={seconds / a.steps * math.ceil(60000 / a.batch):.1f} first_loss={first:.4f} last_loss={last:.4f} "
      f"steps={a.steps} batch={a.batch} threads={a.threads} params={sum(p.numel() for p in net.parameters())}")
