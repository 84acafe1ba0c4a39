# shapes.py: PyTorch side of bench/blas/run.sh: GFLOP/s and error vs float64 on the matmul shapes of GenDsl.Bench's "shapes" mode.
import ctypes, sys, time
import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
SHAPES = [  # name, batch (0: a plain 2-D product), (m, k) @ (k, n): the same list as bench/GenDsl.Bench/Program.cs
    ("square_1024", 0, 1024, 1024, 1024),
    ("vae_enc_128x784x400", 0, 128, 784, 400),
    ("nice_256x1000x1000", 0, 256, 1000, 1000),
    ("lm_logits_1280x200x8192", 0, 1280, 200, 8192),
    ("attn_bmm_64x128x64x128", 64, 128, 64, 128),
]
try:  # the OpenBLAS this process runs (the one libtorch's libblas.so.3 resolved to, or an LD_PRELOADed one)
    ob = ctypes.CDLL("libopenblas.so.0")
    ob.openblas_get_corename.restype = ctypes.c_char_p
    print(f"blas OpenBLAS ({['sequential', 'pthreads', 'OpenMP'][ob.openblas_get_parallel()]}); kernel {ob.openblas_get_corename().decode()}")
except OSError:
    print("blas not OpenBLAS")
g = torch.Generator().manual_seed(0)
for name, b, m, k, n in SHAPES:
    a = torch.randn(*(([b] if b else []) + [m, k]), generator=g)
    w = torch.randn(*(([b] if b else []) + [k, n]), generator=g)
    flops = 2.0 * max(b, 1) * m * k * n
    inner = max(1, int(2e10 / flops))
    for _ in range(3):
        a @ w
    best = 1e9
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            a @ w
        best = min(best, (time.perf_counter() - t) / inner)
    exact = a.double() @ w.double()
    err = ((a @ w).double() - exact).abs().max().item() / exact.abs().max().item()
    print(f"{name} gflops {flops / best / 1e9:.1f} relerr {err:.1e}")
