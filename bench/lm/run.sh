#!/usr/bin/env bash
# run.sh: the Transformer LM benchmark (CSE 599i HW1 P8) — GenDsl vs PyTorch: the first 20 losses from the same weights and batches, training and sampling speed of (b) and (c), time per epoch of (b), (c), (d).
# usage: bench/lm/run.sh [check|train|sample|all]   (SECONDS_PER_RUN=120 THREADS=2 CONFIGS="b c" STEPS=20)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
what="${1:-all}"
threads="${THREADS:-2}"
budget="${SECONDS_PER_RUN:-120}"
configs="${CONFIGS:-b c}"
# Debian's python3-torch lives in the system interpreter; PYTHON overrides it
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
dotnet build "$here/GenDsl.Bench.Lm" -c Release -v quiet -nologo >/dev/null
bench=(dotnet "$here/GenDsl.Bench.Lm/bin/Release/net10.0/GenDsl.Bench.Lm.dll")
out="$root/bench/out/lm"
mkdir -p "$out"
cd "$root"

if [[ "$what" == check || "$what" == all ]]; then
  # (b) from GenDsl's initial weights: GenDsl trains STEPS steps through its Trainer, PyTorch replays the same batches
  "${bench[@]}" check --config b --threads "$threads" --steps "${STEPS:-20}" --out "$out/check-b"
  "$python" "$here/lm_torch.py" check "$out/check-b" --threads "$threads"
fi
if [[ "$what" == train || "$what" == all ]]; then
  for c in $configs; do
    "${bench[@]}" train --config "$c" --threads "$threads" --seconds "$budget" 2>/dev/null | tee -a "$out/results.txt"
    "$python" "$here/lm_torch.py" train --config "$c" --threads "$threads" --seconds "$budget" 2>/dev/null | tee -a "$out/results.txt"
  done
fi
if [[ "$what" == sample || "$what" == all ]]; then
  for c in $configs; do
    "${bench[@]}" sample --config "$c" --threads "$threads" --tokens "${TOKENS:-500}" | tee -a "$out/results.txt"
    "$python" "$here/lm_torch.py" sample --config "$c" --threads "$threads" --tokens "${TOKENS:-500}" | tee -a "$out/results.txt"
  done
fi
