#!/usr/bin/env bash
# models.sh: issue 26's model benchmarks before and after the BLAS choice, GenDsl and PyTorch side by side with the same
# BLAS: NICE (an epoch on the first LIMIT images, bench/nice/run.sh), the conv VAE (20 steps, bench/vae/run.sh conv) and
# the LM (b) (training tokens/s for SECONDS, bench/lm/run.sh train). Usage: bench/blas/models.sh [threads=2]
#   before  OpenBLAS's SSE3 kernel in Debian's pthreads build: what both got on this CPU before (Debian's detection
#           does not know it), for both sides
#   after   OpenBLAS's OpenMP build with the kernel GenDsl chooses from the CPU's features (OPENBLAS_CORETYPE unset for
#           this command), PyTorch given the same libraries (LD_PRELOAD) and the same core type
# Benchmarks, not tests: the environment's OPENBLAS_* settings are changed for these commands only.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
threads=${1:-2}
limit=${LIMIT:-5120}
seconds=${SECONDS_PER_RUN:-60}
export THREADS="$threads" SECONDS_PER_RUN="$seconds" CONFIGS=b
preload_omp=$(openmp_preload)
chosen=$(chosen_kernel "$threads")
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); CPU family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model[[:space:]]' /proc/cpuinfo | cut -d: -f2 | xargs); after = ${chosen:-none}"
with() { # before|after command...
  local how=$1; shift
  case $how in
    before) env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Prescott GENDSL_BLAS=system "$@" ;;
    after)  env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$chosen" LD_PRELOAD="$preload_omp" "$@" ;;
  esac
}
for how in before after; do
  echo "## $how"
  echo "### NICE, one epoch of the first $limit images (GenDsl, then PyTorch)"; with "$how" bash bench/nice/run.sh --limit "$limit" 2>&1 | grep -v '^#' | tail -4
  echo "### conv VAE, 20 steps (GenDsl, then PyTorch)"; with "$how" bash bench/vae/run.sh conv --steps 20 2>&1 | tail -6
  echo "### LM (b), training for ${seconds} s (GenDsl, then PyTorch)"; with "$how" bash bench/lm/run.sh train 2>&1 | tail -2
done
