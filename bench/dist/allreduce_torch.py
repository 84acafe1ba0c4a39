# allreduce_torch.py: the PyTorch reference — all-reduce of one float32 tensor between N processes over Gloo (torch.multiprocessing, file:// rendezvous).
# Usage: allreduce_torch.py [megabytes=100] [repeats=5] [nproc=2]; the same protocol as GenDsl.Bench.Dist (warm-up, barrier, timed all-reduce).
import os, sys, tempfile, time
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, world, store, mb, repeats):
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    dist.init_process_group("gloo", init_method="file://" + store, rank=rank, world_size=world)
    t = torch.ones(int(mb * 1e6 / 4), dtype=torch.float32)
    dist.all_reduce(t)
    times = []
    for _ in range(repeats):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(t)
        times.append(time.perf_counter() - t0)
    if rank == 0:
        med = sorted(times)[len(times) // 2]
        print(f"PyTorch all-reduce {mb:.0f} MB float32, {world} processes, gloo: times {' '.join(f'{x:.3f}' for x in times)} s; "
              f"median {med:.3f} s = {mb / med:.0f} MB/s (size / time)  [torch {torch.__version__}]")
    dist.destroy_process_group()


if __name__ == "__main__":
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 100
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    world = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    store = os.path.join(tempfile.mkdtemp(), "store")
    mp.spawn(worker, args=(world, store, mb, repeats), nprocs=world)
