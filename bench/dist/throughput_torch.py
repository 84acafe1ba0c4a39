# throughput_torch.py: the PyTorch side of bench/dist/throughput.sh — the MLP VAE epoch or the Transformer LM (b) steps, one process or a DDP (Gloo) rank.
"""
usage: throughput_torch.py vae [--limit N] [--threads T]         one epoch of continuous MNIST, batch 128 global, Adam 1e-3
       throughput_torch.py lm [--steps S] [--threads T]          LM (b) for S steps, batch 32 global, Adam 1e-4, clip 0.25
  [--nproc W]  W DDP ranks on this machine (torch.multiprocessing, torchrun's environment variables: Debian's torch 1.13
               launcher, `python3 -m torch.distributed.run`, fails under Python 3.11 in its elastic agent); the script
               also runs as a rank under a working torchrun (WORLD_SIZE set).
Alone it is one process with T threads; as a rank it joins a Gloo process group (env://) and trains a
DistributedDataParallel copy: every rank draws the same global batch from the same permutation and keeps its strided
shard batch[rank::W] (GenDsl's Trainer shards the same way), and DDP averages the gradients. Each step is timed from the batch gather to after optimizer.step() and the loss read-out
(GenDsl's per-step clock covers the same span); rank 0 prints one line:
  result impl=torch model=vae setup=2x1 steps=469 examples=60000 train_s=... wall_s=... median_step_s=...
train_s sums the step times, wall_s is the loop's wall-clock time (the same plus the per-step bookkeeping).
"""
import argparse, os, statistics, sys, time
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn import functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
sys.path.insert(0, os.path.join(here, "..", "lm"))
import mnist_idx  # noqa: E402
import lm_torch   # noqa: E402  (the LM module and the WikiText-2 reader of bench/lm; importing it runs nothing)


class Vae(nn.Module):
    """ECE 8803 PS2 P4's MLP VAE, as bench/vae/vae_torch.py: encoder 784-400-(mu, logvar of 20), decoder 20-400-784
    giving Bernoulli logits; elbo(x) = log p(x | z) - KL(q(z | x) || N(0, I)) with one reparameterised z per image."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40))
        self.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))

    def forward(self, x, g):
        """-ELBO averaged over the batch (DDP hooks the gradient all-reduce onto forward's graph)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)                 # (B, 20) each
        z = mu + (0.5 * logvar).exp() * torch.randn(mu.shape, generator=g)
        logits = self.decoder(z)                                     # (B, 784)
        recon = (x * logits - F.softplus(logits)).sum(1)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
        return -(recon - kl).mean()


class LmLoss(nn.Module):
    """lm_torch's Lm with its next-token cross-entropy as forward, so DDP sees the loss computation."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, tokens, g=None):
        return self.lm.loss(tokens)


def spawned(rank, world, port, a):
    """A rank started by --nproc: torchrun's variables, then the run."""
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world), LOCAL_WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS=str(a.threads or 1))
    run(a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["vae", "lm"])
    ap.add_argument("--threads", type=int, default=None, help="intra-op threads (default: 2 alone, 1 per DDP rank)")
    ap.add_argument("--limit", type=int, default=60000, help="vae: train on the first N images (quick runs)")
    ap.add_argument("--steps", type=int, default=40, help="lm: steps to time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nproc", type=int, default=1, help="start this many DDP ranks here (torch.multiprocessing)")
    a = ap.parse_args()
    if a.nproc > 1 and "WORLD_SIZE" not in os.environ:
        import socket
        with socket.socket() as sk:                        # a free loopback port for rank 0's TCPStore
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        mp.spawn(spawned, args=(a.nproc, port, a), nprocs=a.nproc)
    else:
        run(a)


def run(a):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    torch.set_num_threads(a.threads or (2 if world == 1 else 1))
    if world > 1:
        dist.init_process_group("gloo")
    torch.manual_seed(a.seed)                       # the same initial weights on every rank (DDP broadcasts rank 0's anyway)

    if a.model == "vae":
        data = mnist_idx.images("train")[: a.limit]                        # (N, 784)
        model, batch, lr, clip = Vae(), 128, 1e-3, None
        steps = (data.shape[0] + batch - 1) // batch
        unit = 1                                                           # examples
    else:
        ids, (train, _, _) = lm_torch.corpus(os.path.join(here, "..", "..", "data", "wikitext-2"))
        c = 150
        w = (len(train) - 1) // c
        flat = torch.tensor(train[: w * c + 1])
        data = torch.stack([flat[i * c: i * c + c + 1] for i in range(w)])  # (W, 151): windows with their next token
        model, batch, lr, clip = LmLoss(lm_torch.config_model("b", len(ids))), 32, 1e-4, 0.25
        for p in model.parameters():                                       # gm-hw1's initialisation: weights N(0, 0.02^2)
            if p.dim() == 2:
                nn.init.normal_(p, 0, 0.02)
        steps = a.steps
        if steps * batch > w:
            raise SystemExit(f"--steps {steps}: the LM bench times steps within one epoch, at most {w // batch}")
        unit = c                                                           # tokens predicted per window
    net = nn.parallel.DistributedDataParallel(model) if world > 1 else model
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    g_order = torch.Generator().manual_seed(a.seed)                        # the global order: the same on every rank
    g_noise = torch.Generator().manual_seed(a.seed + 1 + rank)             # the VAE's noise: each rank its own
    n = data.shape[0]
    perm = torch.randperm(n, generator=g_order)

    times, examples = [], 0
    net.train()
    start = time.perf_counter()
    for s in range(steps):
        t0 = time.perf_counter()
        glob = perm[s * batch: (s + 1) * batch]                            # (B,) this step's global batch
        mine = glob[rank::world]                                           # (B / W,) this rank's strided shard
        opt.zero_grad()
        loss = net(data[mine], g_noise)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
        opt.step()
        if world > 1:                                                      # the step's loss averaged over ranks, as GenDsl logs it
            lv = loss.detach().reshape(1) * (mine.numel() / glob.numel())
            dist.all_reduce(lv)
        else:
            lv = loss.detach()
        float(lv)
        times.append(time.perf_counter() - t0)
        examples += glob.numel() * unit
    wall = time.perf_counter() - start

    if rank == 0:
        print(f"result impl=torch model={a.model} setup={world}x{torch.get_num_threads()} steps={steps} examples={examples} "
              f"train_s={sum(times):.3f} wall_s={wall:.3f} median_step_s={statistics.median(times):.4f} last_loss={float(lv):.4f}",
              flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
