# conv_vae_torch.py: PyTorch reference for the convolutional VAE of ece8803_ps2_p4_nice_vs_vae.fsx (pytorch-generative's defaults), timed per training step.
# The same layers, in the same order and with the same state-dict names, as GenDsl's Model.vaeConv built by
# Nets.build (and bench/vae/GenDsl.Bench.Vae --mode conv): 1x32x32 input, four stride-2 stages, 64 hidden and
# 32 residual channels, two residual blocks per stage, 16 latent channels at 2x2, Bernoulli decoder, Adam 5e-4.
# Data: the first N training images zero-padded to 32x32, dynamically binarised per batch (a fresh Bernoulli draw).
# usage: conv_vae_torch.py [--threads N] [--steps 20] [--warmup 2] [--batch 256] [--init state.pt] [--profile]
#        [--iwae-k 5000 --iwae-images 8] (times IWAE-K on a few test images, chunks of 250, as the DSL's final metric)
import argparse, os, sys, time
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mnist_idx  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--init", default=None, help="a {name: tensor} file from torch.save or GenDsl's Module.Save")
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--lr", type=float, default=5e-4)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--channels-last", action="store_true", help="run the model in channels_last memory format")
ap.add_argument("--onednn-transpose", action="store_true",
                help="run ConvTranspose2d with >= 16 output channels as GenDsl's native/conv_transpose.cpp does (oneDNN backward-data)")
ap.add_argument("--profile", action="store_true", help="print torch.autograd.profiler's per-op table for 3 steps")
ap.add_argument("--iwae-k", type=int, default=0)
ap.add_argument("--iwae-images", type=int, default=8)
a = ap.parse_args()
torch.set_num_threads(a.threads)


class Residual(nn.Module):
    """x + net(x) (GenDsl.Torch.NN.Residual; the inner Sequential is named 'net')."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return x + self.net(x)


class ConvTranspose2dOneDnn(torch.autograd.Function):
    """conv_transpose2d(x, w, stride, padding) as the input-gradient of conv2d(., w, stride, padding) (oneDNN's backward-data),
    as GenDsl's native/conv_transpose.cpp; libtorch 1.13 runs F.conv_transpose2d on its slow im2col path."""

    @staticmethod
    def forward(ctx, x, w, s, p):
        shape = (x.shape[0], w.shape[1]) + tuple((x.shape[2 + d] - 1) * s - 2 * p + w.shape[2 + d] for d in range(2))
        y = torch.ops.aten.convolution_backward(x, x.new_empty(shape), w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1,
                                                [True, False, False])[0]
        ctx.save_for_backward(x, w)
        ctx.sp = (s, p)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        s, p = ctx.sp
        gw = torch.ops.aten.convolution_backward(x, g, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, [False, True, False])[1]
        return F.conv2d(g, w, None, s, p), gw, None, None


class OneDnnTranspose(nn.ConvTranspose2d):
    def forward(self, x):
        if self.out_channels < 16:
            return super().forward(x)
        return ConvTranspose2dOneDnn.apply(x, self.weight, self.stride[0], self.padding[0]) + self.bias.view(1, -1, 1, 1)


def block(c, r):
    return Residual(nn.Sequential(nn.ReLU(), nn.Conv2d(c, r, 3, 1, 1), nn.ReLU(), nn.Conv2d(r, c, 1, 1, 0)))


def stack(c, r):
    return [block(c, r), block(c, r), nn.ReLU()]


def down(cin, cout, hidden=64, res=32):
    return [nn.Conv2d(cin, hidden, 4, 2, 1), nn.ReLU()] + stack(hidden, res) + [nn.Conv2d(hidden, cout, 3, 1, 1)]


def up(cin, cout, hidden=64, res=32):
    return [nn.Conv2d(cin, hidden, 3, 1, 1)] + stack(hidden, res) + [(OneDnnTranspose if a.onednn_transpose else nn.ConvTranspose2d)(hidden, cout, 4, 2, 1)]


class ConvVae(nn.Module):
    """Encoder 1x32x32 -> (mu, logvar) 2x16x2x2; decoder 16x2x2 -> logits 1x32x32."""

    def __init__(self, latent=16):
        super().__init__()
        self.encoder = nn.Sequential(*(down(1, 64) + down(64, 64) + down(64, 64) + down(64, 2 * latent)))
        self.decoder = nn.Sequential(*(up(latent, 64) + up(64, 64) + up(64, 64) + up(64, 1)))

    def encode(self, x):
        return self.encoder(x).chunk(2, dim=1)

    def elbo(self, x, g):
        mu, logvar = self.encode(x)
        eps = torch.randn(mu.shape, generator=g)
        z = mu + (0.5 * logvar).exp() * eps
        logits = self.decoder(z)
        recon = (x * logits - F.softplus(logits)).flatten(1).sum(1)   # log p(x | z), Bernoulli
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).flatten(1).sum(1)
        return recon - kl

    def iwae(self, x, k, g, chunk=250):
        """log (1/K) sum_k w_k per example, K samples `chunk` at a time (batched over the chunk, as GenDsl's Vae.Iwae)."""
        mu, logvar = self.encode(x)
        b = x.shape[0]
        parts = []
        for s in range(0, k, chunk):
            m = min(chunk, k - s)
            eps = torch.randn((m,) + tuple(mu.shape), generator=g)                  # (m, B, 16, 2, 2)
            z = mu.unsqueeze(0) + (0.5 * logvar).exp().unsqueeze(0) * eps
            logits = self.decoder(z.reshape((m * b,) + tuple(mu.shape[1:])))         # (m B, 1, 32, 32)
            xs = x.unsqueeze(0).expand((m,) + tuple(x.shape)).reshape((m * b,) + tuple(x.shape[1:]))
            ll = (xs * logits - F.softplus(logits)).flatten(1).sum(1).view(m, b)
            lp = (-0.5 * z.pow(2) - 0.5 * torch.log(torch.tensor(2 * torch.pi))).flatten(2).sum(2)
            lq = (-0.5 * eps.pow(2) - 0.5 * logvar.unsqueeze(0) - 0.5 * torch.log(torch.tensor(2 * torch.pi))).flatten(2).sum(2)
            parts.append((ll + lp - lq).logsumexp(0))
        return torch.stack(parts).logsumexp(0) - torch.log(torch.tensor(float(k)))


model = ConvVae()
if a.init:
    model.load_state_dict(torch.load(a.init))
if a.channels_last:
    model = model.to(memory_format=torch.channels_last)
params = sum(p.numel() for p in model.parameters())
train_bytes = (mnist_idx.images("train")[: a.batch * 8] * 255).round().to(torch.uint8).view(-1, 28, 28)
train_bytes = F.pad(train_bytes, (2, 2, 2, 2))                                       # (N, 32, 32)
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
g = torch.Generator().manual_seed(a.seed)


def batch(i):
    n = train_bytes.shape[0]
    idx = torch.arange(i * a.batch, (i + 1) * a.batch) % n
    x = torch.bernoulli(train_bytes[idx].float().div(255), generator=g).view(-1, 1, 32, 32)   # (B, 1, 32, 32)
    return x.contiguous(memory_format=torch.channels_last) if a.channels_last else x


def step(i, times):
    t0 = time.perf_counter()
    x = batch(i)
    loss = -model.elbo(x, g).mean()
    t1 = time.perf_counter()
    opt.zero_grad()
    loss.backward()
    t2 = time.perf_counter()
    opt.step()
    t3 = time.perf_counter()
    if times is not None:
        times[0] += t1 - t0; times[1] += t2 - t1; times[2] += t3 - t2
    return loss.item()


for i in range(a.warmup):
    step(i, None)
times = [0.0, 0.0, 0.0]
start, cpu0 = time.perf_counter(), time.process_time()
for i in range(a.steps):
    loss = step(a.warmup + i, times)
total, cpu = time.perf_counter() - start, time.process_time() - cpu0
n = a.steps
# cpu_s_per_step: CPU seconds of all the process's threads per step; on a loaded machine it varies far less than the wall time
print(f"torch conv_vae s_per_step={total / n:.4f} cpu_s_per_step={cpu / n:.4f} forward={times[0] / n:.4f} backward={times[1] / n:.4f} optimizer={times[2] / n:.4f} "
      f"loss={loss:.3f} params={params} batch={a.batch} threads={torch.get_num_threads()} mkldnn={torch.backends.mkldnn.is_available()} "
      f"epoch_s={total / n * 196:.0f} onednn_transpose={a.onednn_transpose}")

if a.profile:
    with torch.autograd.profiler.profile() as prof:
        for i in range(3):
            step(i, None)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))

if a.iwae_k:
    test = (mnist_idx.images("test")[: a.iwae_images] * 255).round().to(torch.uint8).view(-1, 28, 28)
    x = torch.bernoulli(F.pad(test, (2, 2, 2, 2)).float().div(255), generator=g).view(-1, 1, 32, 32)
    with torch.no_grad():
        t0 = time.perf_counter()
        l = model.iwae(x, a.iwae_k, g)
        dt = time.perf_counter() - t0
    print(f"torch conv_vae iwae_k={a.iwae_k} images={a.iwae_images} seconds={dt:.3f} s_per_image={dt / a.iwae_images:.3f} mean_neg_iwae={-l.mean().item():.3f}")
