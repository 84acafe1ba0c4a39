#!/usr/bin/env bash
# count.sh: instructions per 1-element add for the C++ floor, GenDsl (C#) and PyTorch, counted by valgrind's callgrind
# (deterministic, unlike wall-clock time on a shared machine). Each program runs N1 and N2 adds; the difference of
# the two totals over N2 - N1 is the per-op cost with start-up, JIT and warm-up cancelled out.
# Usage: bench/count.sh [N1=20000] [N2=60000] (run bench/run.sh first: it builds the programs).
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-20000}
n2=${2:-60000}
export GENDSL_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 DOTNET_NOLOGO=1
total() { # command... -> instructions collected over the whole run
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected :/ { print $NF }'
}
per_op() { # name command...
  local name=$1 a b; shift
  a=$(total "$@" adds "$n1"); b=$(total "$@" adds "$n2")
  awk -v n="$name" -v a="$a" -v b="$b" -v d=$((n2 - n1)) 'BEGIN { printf "%-8s %8.0f instructions/add\n", n, (b - a) / d }'
}
py=""
for c in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [[ -n "$c" ]] && "$c" -c "import torch" 2> /dev/null; then py=$c; break; fi
done
[[ -n "$py" ]] || { echo "count.sh: no python3 with torch found (install python3-torch or set PYTHON)" >&2; exit 1; }
per_op C++ native/build/gendsl_bench_floor
per_op GenDsl dotnet bench/GenDsl.Bench/bin/Release/net10.0/GenDsl.Bench.dll
per_op PyTorch "$py" bench/pytorch_ref.py
