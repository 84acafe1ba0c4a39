# lm_torch.py: the PyTorch reference of GenDsl's TransformerLm (CSE 599i HW1 P8, gm-hw1's model) — replays GenDsl's first steps from its weights and batches, and times training and sampling.
"""
usage: lm_torch.py check DIR [--tol 2e-4]     load DIR/init.pt (GenDsl's initial state dict) and DIR/steps.pt (its batches,
                                              losses and gradient norms), take the same Adam steps, compare every loss
       lm_torch.py train [--config b|c|d] [--threads 2] [--seconds 120] [--steps N] [--device cpu|cuda]
       lm_torch.py sample [--config b] [--threads 2] [--tokens 500]
The module and parameter names are GenDsl's (tok, pos, blocks.{l}.attn.{q,k,v,o}, blocks.{l}.{norm1,ff1,ff2,norm2}, bias),
so GenDsl's state dict loads as it is. Written for this benchmark from the equations in GenDsl's doc comments.
"""
import argparse, gzip, math, os, resource, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, h, k, p):
        super().__init__()
        self.h, self.hd, self.p = h, k, p
        self.q = nn.Linear(d, h * k, bias=False)
        self.k = nn.Linear(d, h * k, bias=False)
        self.v = nn.Linear(d, h * k, bias=False)
        self.o = nn.Linear(h * k, d, bias=False)

    def forward(self, x, bias):
        b, t, _ = x.shape
        q = self.q(x).view(b, t, self.h, self.hd).transpose(1, 2)       # (B, h, T, k)
        kk = self.k(x).view(b, t, self.h, self.hd).transpose(1, 2)      # (B, h, T, k)
        v = self.v(x).view(b, t, self.h, self.hd).transpose(1, 2)       # (B, h, T, k)
        s = (q * (1.0 / math.sqrt(self.hd))).matmul(kk.transpose(-2, -1)) + bias   # (B, h, T, T)
        w = s.softmax(-1)
        if self.training and self.p > 0:
            w = F.dropout(w, self.p)
        a = w.matmul(v).transpose(1, 2).reshape(b, t, self.h * self.hd)  # (B, T, h·k)
        return self.o(a)


class Block(nn.Module):
    def __init__(self, d, h, k, m, p):
        super().__init__()
        self.p = p
        self.attn = Attention(d, h, k, p)
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, m)
        self.ff2 = nn.Linear(m, d)
        self.norm2 = nn.LayerNorm(d)

    def drop(self, x):
        return F.dropout(x, self.p) if self.training and self.p > 0 else x

    def forward(self, x, bias):
        h = self.norm1(x + self.drop(self.attn(x, bias)))
        f = self.ff2(self.drop(self.ff1(h).relu()))
        return self.norm2(h + self.drop(f))


class Lm(nn.Module):
    def __init__(self, vocab, context=150, d=400, h=2, k=40, layers=2, m=900, p=0.0, pio=0.0):
        super().__init__()
        self.d, self.pio = d, pio
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList([Block(d, h, k, m, p) for _ in range(layers)])
        self.bias = nn.Parameter(torch.zeros(vocab))

    def dropio(self, x):
        return F.dropout(x, self.pio) if self.training and self.pio > 0 else x

    def hidden(self, x):
        t = x.shape[1]
        z = self.tok(x) * math.sqrt(self.d)                                    # (B, T, d)
        p = self.pos(torch.arange(t, device=x.device))                         # (T, d)
        z = (self.dropio(z) + self.dropio(p)).relu()
        bias = torch.full((t, t), float("-inf"), device=x.device).triu(1)     # (T, T)
        for blk in self.blocks:
            z = blk(z, bias)
        return z

    def loss(self, tokens):
        b, t = tokens.shape[0], tokens.shape[1] - 1
        z = self.dropio(self.hidden(tokens[:, :-1]))
        logits = F.linear(z, self.tok.weight, self.bias)                      # (B, T, V)
        return F.cross_entropy(logits.reshape(b * t, -1), tokens[:, 1:].reshape(b * t))


def corpus(folder):
    ids, streams = {}, []
    for split in ["train", "valid", "test"]:
        out = []
        with gzip.open(os.path.join(folder, split + ".txt.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                for w in line.split() + ["<eos>"]:
                    out.append(ids.setdefault(w, len(ids)))
        streams.append(out)
    return ids, streams


def config_model(config, vocab):
    kw = {"b": dict(layers=2, h=2), "c": dict(layers=16, h=10), "d": dict(layers=16, h=10, p=0.2, pio=0.6)}[config]
    return Lm(vocab, **kw)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--config", default="b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--tokens", type=int, default=500)
    ap.add_argument("--tol", type=float, default=2e-4)
    ap.add_argument("--device", default="cpu", help="cpu or cuda: where train runs (batches are cut on the CPU and moved, as GenDsl does)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "wikitext-2"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    if a.mode == "check":
        init = torch.load(os.path.join(a.dir, "init.pt"))
        steps = torch.load(os.path.join(a.dir, "steps.pt"))
        model = Lm(init["tok.weight"].shape[0], h=init["blocks.0.attn.q.weight"].shape[0] // 40,
                   layers=len({k.split(".")[1] for k in init if k.startswith("blocks.")}))
        model.load_state_dict(init)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        n = steps["loss"].shape[0]
        worst = 0.0
        for s in range(1, n + 1):
            opt.zero_grad()
            loss = model.loss(steps[f"batch.{s}"])
            loss.backward()
            norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25))
            opt.step()
            ours, theirs = float(steps["loss"][s - 1]), float(loss)
            worst = max(worst, abs(ours - theirs))
            print(f"torch check step={s} loss={theirs:.7f} gendsl={ours:.7f} diff={theirs - ours:+.2e} "
                  f"grad_norm={norm:.6f} gendsl_grad_norm={float(steps['grad_norm'][s - 1]):.6f}")
        ok = worst <= a.tol
        print(f"torch check steps={n} max_abs_loss_diff={worst:.3e} tol={a.tol:g} {'PASS' if ok else 'FAIL'}")
        sys.exit(0 if ok else 1)

    ids, (train, _, _) = corpus(a.data)
    model = config_model(a.config, len(ids))
    for prm in model.parameters():            # gm-hw1's initialisation (weights N(0, 0.02^2), biases 0), for the timing only
        if prm.dim() == 2:
            nn.init.normal_(prm, 0, 0.02)
    if a.mode == "train":
        dev = torch.device(a.device)
        model.to(dev)
        c = 150
        w = (len(train) - 1) // c
        data = torch.tensor(train[: w * c + 1])
        windows = torch.stack([data[i * c: i * c + c + 1] for i in range(w)])   # (W, 151)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        order = torch.randperm(w)
        times, start, cpu_after_first = [], time.perf_counter(), 0.0
        model.train()
        for s in range(a.steps):
            t0 = time.perf_counter()
            batch = windows[order[(s * 32) % (w - 32):][:32]].to(dev)
            opt.zero_grad()
            loss = model.loss(batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            lv = float(loss)
            times.append(time.perf_counter() - t0)
            if len(times) == 1:
                cpu_after_first = time.process_time()
            print(f"  step {s + 1} loss {lv:.4f} {times[-1]:.3f}s", file=sys.stderr)
            if time.perf_counter() - start > a.seconds and len(times) >= 3:
                break
        cpu_per_step = (time.process_time() - cpu_after_first) / (len(times) - 1)
        med = statistics.median(sorted(times[1:]))
        print(f"torch train config={a.config} device={a.device} threads={a.threads} steps={len(times)} step_s={med:.4f} "
              f"tokens_per_s={32 * 150 / med:.1f} epoch_s={436 * med:.0f} cpu_s_per_step={cpu_per_step:.3f} "
              f"mean_step_s={statistics.mean(times[1:]):.4f} rss_mb={peak_rss_mb():.0f}")
    elif a.mode == "sample":
        model.eval()
        g = torch.Generator().manual_seed(7)

        def generate(n):
            seq = [0]
            with torch.no_grad():
                for _ in range(n):
                    window = torch.tensor([seq[-150:]])
                    z = model.hidden(window)[:, -1]                                    # (1, d)
                    logits = F.linear(z, model.tok.weight, model.bias)[0]              # (V)
                    seq.append(int(torch.multinomial(logits.softmax(-1), 1, generator=g)))
            return seq[1:]

        generate(5)
        c0, t0 = time.process_time(), time.perf_counter()
        generate(a.tokens)
        s, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"torch sample config={a.config} threads={a.threads} tokens={a.tokens} seconds={s:.3f} "
              f"tokens_per_s={a.tokens / s:.1f} cpu_s={cpu:.2f} rss_mb={peak_rss_mb():.0f}")


if __name__ == "__main__":
    main()
