#!/usr/bin/env bash
# epoch_rounds.sh: issue 26's MLP VAE target, one epoch through the DSL (bench/vae/dsl_epoch.fsx, the fit's seconds from
# summary.json) against PyTorch's loop (bench/vae/vae_torch.py), interleaved ROUNDS times, both sides with the same BLAS:
# the OpenMP OpenBLAS build with the kernel GenDsl chooses from the CPU's features (PyTorch given the same libraries by
# LD_PRELOAD and the same OPENBLAS_CORETYPE). A benchmark, not a test: the environment's OPENBLAS_* settings are changed
# for these commands only. Usage: bench/vae/epoch_rounds.sh [threads=2] [rounds=5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"
threads=${1:-2}
rounds=${2:-5}
py=${PYTHON:-/usr/bin/python3}
bench_threads "$threads"
cli=$(release_cli)
chosen=$(chosen_kernel "$threads")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); kernel ${chosen:-none} on both sides"
dsl_sum=0; torch_sum=0
for r in $(seq "$rounds"); do
  env -u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE "$cli" run "$here/dsl_epoch.fsx" --threads "$threads" -o "$out" > /dev/null
  dsl=$(last_fit_seconds "$out" bench_vae_dsl_epoch)
  torch=$(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$chosen" LD_PRELOAD="$(openmp_preload)" \
    "$py" "$here/vae_torch.py" --threads "$threads" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
  echo "round $r: dsl $dsl s  torch $torch s"
  dsl_sum=$("$py" -c "print($dsl_sum + $dsl)"); torch_sum=$("$py" -c "print($torch_sum + $torch)")
done
"$py" -c "print(f'# total dsl {$dsl_sum:.2f} s, torch {$torch_sum:.2f} s, ratio {$dsl_sum / $torch_sum:.3f}')"
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
