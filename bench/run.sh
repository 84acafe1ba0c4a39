#!/usr/bin/env bash
# run.sh: builds and runs the three benchmarks (C++ floor, GenDsl C#, PyTorch) at the same thread count and
# prints a table of figures and ratios. Usage: bench/run.sh [threads=2] [repeats=3]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
repeats=${2:-3}
export GENDSL_THREADS=$threads OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads DOTNET_NOLOGO=1

# The C# build also configures and builds native/ (libgendsl) with CMake; the floor is a target of the same tree.
dotnet build -c Release bench/GenDsl.Bench/GenDsl.Bench.csproj -v q -nologo > /dev/null
cmake --build native/build --target gendsl_bench_floor > /dev/null

# A python3 that has torch (Debian's python3-torch lives with the system python3).
py=""
for c in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [[ -n "$c" ]] && "$c" -c "import torch" 2> /dev/null; then py=$c; break; fi
done
[[ -n "$py" ]] || { echo "run.sh: no python3 with torch found (install python3-torch or set PYTHON)" >&2; exit 1; }

out_cpp=$(native/build/gendsl_bench_floor "$threads" "$repeats")
out_cs=$(dotnet bench/GenDsl.Bench/bin/Release/net10.0/GenDsl.Bench.dll "$threads" "$repeats")
out_py=$("$py" bench/pytorch_ref.py "$threads" "$repeats")
get() { awk -v k="$2" '$1 == k { print $2 }' <<< "$1"; }

printf '%s\n' "threads: $(get "$out_cpp" threads) (C++), $(get "$out_cs" threads) (C#), $(get "$out_py" threads) (PyTorch)"
printf '%-34s %10s %10s %10s %10s %10s\n' workload C++ GenDsl PyTorch GenDsl/Py GenDsl/C++
row() { # name unit key-in-cs lower-is-better(1|0)
  local c p s
  c=$(get "$out_cpp" "$4"); s=$(get "$out_cs" "$3"); p=$(get "$out_py" "$4")
  if [[ $5 == 1 ]]; then
    awk -v n="$1" -v c="$c" -v s="$s" -v p="$p" 'BEGIN { printf "%-34s %10.4f %10.4f %10.4f %9.2fx %9.2fx\n", n, c, s, p, s / p, s / c }'
  else # throughput: ratio of GenDsl's to the other's
    awk -v n="$1" -v c="$c" -v s="$s" -v p="$p" 'BEGIN { printf "%-34s %10.2f %10.2f %10.2f %9.2fx %9.2fx\n", n, c, s, p, s / p, s / c }'
  fi
}
row "add 1-elem (us/op, no scope)" us add_us add_us 1
row "add 1-elem (us/op, in a scope)" us add_in_scope_us add_us 1
row "add 1-elem (us/op, scope per op)" us add_scoped_us add_us 1
row "matmul 1024^2 f32 (GFLOP/s)" gf matmul_gflops matmul_gflops 0
row "GMM SGD 5000 steps (s)" s gmm_s gmm_s 1
mus() { sed -n 's/^gmm_mu //p' <<< "$1"; }
echo "final means (true: (-2,0) (1,3) (2,-2)): C++ [$(mus "$out_cpp")] GenDsl [$(mus "$out_cs")] PyTorch [$(mus "$out_py")]"
echo "targets: add no slower than PyTorch and <= 1.15x C++; matmul >= 0.95x PyTorch; GMM <= 0.75x PyTorch's time"
