#!/usr/bin/env bash
# spin.sh: what waiting BLAS threads cost: one MLP VAE epoch (bench/vae: 784-400-20, batch 128, Adam 1e-3, same initial
# weights) in GenDsl's hand loop and in PyTorch, with OpenBLAS's pthreads build (Debian's libblas.so.3) and its OpenMP
# build (what GenDsl loads), each under /usr/bin/time: wall, user and system seconds, involuntary and voluntary context
# switches. Both sides get the same BLAS and kernel (PyTorch through LD_PRELOAD and OPENBLAS_CORETYPE).
# Usage: bench/blas/spin.sh [threads=2] [rounds=2] [limit=60000 images]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads=${1:-2}
rounds=${2:-2}
limit=${3:-60000}
py=${PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build "$here/../vae/GenDsl.Bench.Vae" -c Release -v quiet -nologo > /dev/null
dll="$here/../vae/GenDsl.Bench.Vae/bin/Release/net10.0/GenDsl.Bench.Vae.dll"
init="$(mktemp --suffix=.pt)"
trap 'rm -f "$init"' EXIT
dotnet "$dll" --threads "$threads" --limit 128 --save-init "$init" > /dev/null
. "$here/../lib.sh"
# the kernel: the environment's OPENBLAS_CORETYPE, else the one GenDsl chooses on this CPU (GenDsl.Bench names it)
core=${OPENBLAS_CORETYPE:-$(chosen_kernel 1)}
fmt="wall %e s, user %U s, sys %S s, involuntary %c, voluntary %w"
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); OPENBLAS_CORETYPE=$core on both sides; $limit images"
for r in $(seq "$rounds"); do
  for build in pthreads openmp; do
    if [[ $build == pthreads ]]; then g=(env GENDSL_BLAS=system); p=(env); else g=(env); p=(env LD_PRELOAD="$(openmp_preload)"); fi
    echo "## round $r: $build"
    echo "  gendsl  $("${g[@]}" OPENBLAS_CORETYPE="$core" /usr/bin/time -f "$fmt" dotnet "$dll" --threads "$threads" --init "$init" --limit "$limit" 2>&1 | tr '\n' ' ')"
    echo "  pytorch $("${p[@]}" OPENBLAS_CORETYPE="$core" /usr/bin/time -f "$fmt" "$py" "$here/../vae/vae_torch.py" --threads "$threads" --init "$init" --limit "$limit" 2>&1 | tr '\n' ' ')"
  done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
