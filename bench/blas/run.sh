#!/usr/bin/env bash
# run.sh: the BLAS choices side by side on the models' matmul shapes, GenDsl (bench/GenDsl.Bench "shapes") then PyTorch
# (bench/blas/shapes.py) with the same BLAS, ROUNDS times interleaved. Usage: bench/blas/run.sh [threads=2] [rounds=2]
# Each configuration sets its own environment for its two commands only:
#   default   GenDsl as it starts: OpenBLAS's OpenMP build, OPENBLAS_CORETYPE as the environment has it, else chosen
#             from the CPU's features; PyTorch given the same libraries (LD_PRELOAD) and the same core type
#   auto      the same with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this command: the kernel GenDsl chooses
#   pthreads  the system's libblas.so.3 (Debian's pthreads build) with GenDsl's kernel choice; PyTorch as shipped (OpenBLAS's
#             own CPU detection, which on a CPU it knows picks the same kernel)
#   prescott  OpenBLAS's SSE3 kernel, what Debian's detection gives a CPU newer than itself (Intel family 6 model 207)
#   blis      BLIS (libblis4-pthread, if installed) as libblas.so.3, its own CPU detection; not in the default list
#             (CONFIGS=blis runs it): BLIS 0.9.0 takes its reference 'generic' kernels on a CPU it does not know (Zen 5),
#             about 10 GFLOP/s, and the rounds then take minutes
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
threads=${1:-2}
rounds=${2:-2}
py=${PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" BLIS_NUM_THREADS="$threads" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dll=$(bench_dll)
blis=$(dirname "$(openmp_blas_dir)")/blis-pthread/libblas.so.3
preload_omp=$(openmp_preload)
# the kernel GenDsl chooses on this CPU (its --version line names it)
chosen=$(chosen_kernel "$threads")
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model[[:space:]]' /proc/cpuinfo | cut -d: -f2 | xargs); GenDsl's choice here: ${chosen:-none}"
run() { # config
  case $1 in
    default)  dotnet "$dll" shapes "$threads"
              env OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$chosen}" LD_PRELOAD="$preload_omp" "$py" bench/blas/shapes.py "$threads" ;;
    auto)     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet "$dll" shapes "$threads"
              env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$chosen" LD_PRELOAD="$preload_omp" "$py" bench/blas/shapes.py "$threads" ;;
    pthreads) env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE GENDSL_BLAS=system dotnet "$dll" shapes "$threads"
              env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" bench/blas/shapes.py "$threads" ;;
    prescott) env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Prescott GENDSL_BLAS=system dotnet "$dll" shapes "$threads"
              env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Prescott "$py" bench/blas/shapes.py "$threads" ;;
    blis)     [[ -f $blis ]] || { echo "blis: not installed (libblis4-pthread)"; return; }
              env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE GENDSL_BLAS=system LD_PRELOAD="$blis" dotnet "$dll" shapes "$threads"
              env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_PRELOAD="$blis" "$py" bench/blas/shapes.py "$threads" ;;
  esac
}
for r in $(seq "$rounds"); do
  for c in ${CONFIGS:-default auto pthreads prescott}; do
    echo "## round $r: $c"
    run "$c" 2>&1 | sed 's/^/  /'
  done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
