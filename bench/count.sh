#!/usr/bin/env bash
# count.sh: instructions per 1-element add for the C++ floor, GenDsl (C#) and PyTorch, counted by valgrind's callgrind
# (deterministic, unlike wall-clock time on a shared machine). Each program runs N1 and N2 adds; the difference of
# the two totals over N2 - N1 is the per-op cost with start-up and warm-up cancelled out. .NET runs with tiered
# compilation off (every method jitted once, fully optimized) so that the count does not depend on when tiering
# happens; under valgrind the JIT still falls back to unoptimized code for some methods, so the C# figure is an
# upper bound. Usage: bench/count.sh [N1=20000] [N2=60000] (run bench/run.sh first: it builds the programs).
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-20000}
n2=${2:-60000}
export GENDSL_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 DOTNET_NOLOGO=1
export DOTNET_TieredCompilation=0 DOTNET_ReadyToRun=0
total() { # command... -> instructions collected over the whole run
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected :/ { print $NF }'
}
per_op() { # name program... -- extra arguments after N
  local name=$1 a b prog=() extra=(); shift
  while [[ $# -gt 0 && $1 != -- ]]; do prog+=("$1"); shift; done
  [[ $# -gt 0 ]] && { shift; extra=("$@"); }
  a=$(total "${prog[@]}" adds "$n1" "${extra[@]}"); b=$(total "${prog[@]}" adds "$n2" "${extra[@]}")
  awk -v n="$name" -v a="$a" -v b="$b" -v d=$((n2 - n1)) 'BEGIN { printf "%-16s %8.0f instructions/add\n", n, (b - a) / d }'
}
py=""
for c in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [[ -n "$c" ]] && "$c" -c "import torch" 2> /dev/null; then py=$c; break; fi
done
[[ -n "$py" ]] || { echo "count.sh: no python3 with torch found (install python3-torch or set PYTHON)" >&2; exit 1; }
cs=bench/GenDsl.Bench/bin/Release/net10.0/GenDsl.Bench.dll
per_op C++ native/build/gendsl_bench_floor
per_op "GenDsl" dotnet "$cs"
per_op "GenDsl (scope)" dotnet "$cs" -- scope
per_op PyTorch "$py" bench/pytorch_ref.py
