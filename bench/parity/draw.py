# draw.py: random arguments for parity cases (shapes, broadcasting partners, dims, tensors of each dtype) and the argument kinds that cross to C#.
import random

import torch

F32, F64, I64, B = torch.float32, torch.float64, torch.int64, torch.bool
FLOAT = (F32, F64)
NUM = (F32, F64, I64)
ALL = (F32, F64, I64, B)
OURS = {F32: "Float32", F64: "Float64", I64: "Int64", B: "Bool"}  # GenDsl.Torch.ScalarType names


class Ints(list):
    """A list of ints: long[] on our side, a list (or torch.Size) on PyTorch's."""


class Ts(list):
    """A list of tensors (None entries allowed): Tensor[] on our side."""


class Dt:
    """A dtype argument: ScalarType on our side, torch.dtype on PyTorch's."""
    def __init__(self, dtype): self.dtype = dtype


class Gen:
    """A generator seeded with `seed`: new Generator(seed) on our side, torch.Generator().manual_seed(seed) on PyTorch's."""
    def __init__(self, seed): self.seed = seed


class Enum:
    """An enum value: `ours` (e.g. Reduction.Mean) on our side, `torch` (e.g. 'mean') on PyTorch's."""
    def __init__(self, ours, torch_value): self.ours, self.torch = ours, torch_value


def reduction(d):
    name = d.r.choice(["None", "Mean", "Sum"])
    return Enum("Reduction." + name, name.lower())


class Draw:
    """One case's random draws, from a random.Random and a torch.Generator seeded together (fixed seed per case)."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.g = torch.Generator().manual_seed(seed)
        self.consts = set()

    def const(self, t):
        """Marks a floating tensor as not differentiated (running statistics, pos_weight): PyTorch refuses requires_grad there."""
        self.consts.add(id(t))
        return t

    # ---- shapes ----
    def shape(self, lo=0, hi=3, empty=True, sizes=(1, 2, 3, 4)):
        """A shape with lo..hi dims; one dim is 0 with probability 0.1 (empty tensors) when allowed."""
        s = [self.r.choice(sizes) for _ in range(self.r.randint(lo, hi))]
        if empty and s and self.r.random() < 0.1:
            s[self.r.randrange(len(s))] = 0
        return s

    def partner(self, s, bad=0.08):
        """A shape that broadcasts with s (dims kept, set to 1, dropped from the front, or one added); with probability bad, one that does not."""
        t = [x if self.r.random() < 0.6 else 1 for x in s]
        t = t[self.r.randint(0, len(t)):] if self.r.random() < 0.3 else t
        if self.r.random() < 0.2:
            t = [self.r.choice([1, 2])] + t
        if self.r.random() < bad:
            for i in range(1, len(s) + 1):
                if s[-i] >= 2:
                    t = [1] * max(0, i - len(t)) + t
                    t[-i] = s[-i] + 1
                    break
        return t

    def dim(self, s, extra=0):
        """A valid dim for a tensor of shape s (negative half the time); 0-d tensors take 0 and -1, as PyTorch."""
        n = max(len(s), 1) + extra
        k = self.r.randrange(n)
        return k - n if self.r.random() < 0.5 else k

    def dims(self, s):
        """A non-empty list of distinct dims of s (PyTorch treats an empty list as 'all dims' in some ops, so it is avoided)."""
        n = max(len(s), 1)
        ks = self.r.sample(range(n), self.r.randint(1, n))
        return Ints(k - n if self.r.random() < 0.3 else k for k in ks)

    # ---- tensors ----
    def t(self, shape, dtype, lo=None, hi=None):
        """Values: floats ~ N(0, 2^2) (or U(lo, hi)), ints uniform on [-5, 7] (or [lo, hi)), bools fair coins."""
        shape = list(shape)
        if dtype in FLOAT:
            if lo is None:
                x = torch.randn(shape, generator=self.g, dtype=F64) * 2
                if x.numel() and self.r.random() < 0.1:  # special values: nan, +-inf, -0, 0, at a few places
                    for _ in range(self.r.randint(1, 2)):
                        x.view(-1)[self.r.randrange(x.numel())] = self.r.choice([float("nan"), float("inf"), float("-inf"), -0.0, 0.0])
                return x.to(dtype)
            return (torch.rand(shape, generator=self.g, dtype=F64) * (hi - lo) + lo).to(dtype)
        if dtype == B:
            return torch.randint(0, 2, shape, generator=self.g).bool()
        return torch.randint(-5 if lo is None else lo, 8 if hi is None else hi, shape, generator=self.g, dtype=dtype)

    def x(self, dtype, **kw):
        """A tensor of a random shape (0 to 3 dims, sometimes empty)."""
        return self.t(self.shape(**kw), dtype)

    def other_dtype(self, dtype, p=0.3):
        """dtype, or with probability p another of float32/float64/int64/bool (mixed-dtype promotion)."""
        return self.r.choice(ALL) if self.r.random() < p else dtype

    def index(self, n, shape):
        """int64 indices uniform on [0, n) (n >= 1)."""
        return torch.randint(0, max(n, 1), list(shape), generator=self.g)

    def mask(self, shape):
        return torch.randint(0, 2, list(shape), generator=self.g).bool()

    def square(self, dtype, n=None, batch=True, spd=False):
        """A well-conditioned (n, n) matrix, sometimes batched: A + n I, or B B^T + n I when spd."""
        n = n or self.r.randint(1, 4)
        shape = ([self.r.randint(1, 3)] if batch and self.r.random() < 0.4 else []) + [n, n]
        a = torch.randn(shape, generator=self.g, dtype=F64)
        a = a @ a.transpose(-2, -1) if spd else a
        return (a + n * torch.eye(n, dtype=F64)).to(dtype) if dtype in FLOAT else a.round().to(dtype)

    def seed(self):
        return self.r.randrange(1, 2**31)
