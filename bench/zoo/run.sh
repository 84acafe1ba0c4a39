#!/usr/bin/env bash
# run.sh: N Adam steps of MADE and PixelCNN (plain; residual with pixelcnn_res) on binarised MNIST, the core (C#) vs PyTorch from the same initial weights, and their time ratio.
# usage: bench/zoo/run.sh [made|pixelcnn|pixelcnn_res|all] [extra args, e.g. --steps 20 --batch 128 --data DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
which="${1:-all}"; shift || true
threads="${THREADS:-2}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
. "$here/../lib.sh"
bench_threads "$threads"
dotnet build "$here/GenDsl.Bench.Zoo" -c Release -v quiet -nologo >/dev/null
init="$(mktemp --suffix=.pt)"
trap 'rm -f "$init"' EXIT
models=(made pixelcnn); [[ "$which" != all ]] && models=("$which")
for m in "${models[@]}"; do
  cs=$(dotnet "$here/GenDsl.Bench.Zoo/bin/Release/net10.0/GenDsl.Bench.Zoo.dll" --model "$m" --threads "$threads" --save-init "$init" "$@")
  py=$("$python" "$here/zoo_torch.py" --model "$m" --threads "$threads" --init "$init" "$@")
  echo "$cs"; echo "$py"
  get() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" <<< "$1"; }
  awk -v m="$m" -v a="$(get "$cs" step_seconds)" -v b="$(get "$py" step_seconds)" -v c="$(get "$cs" step_cpu_seconds)" -v d="$(get "$py" step_cpu_seconds)" \
    'BEGIN { printf "%s: GenDsl/PyTorch wall %.2fx, CPU %.2fx\n", m, a / b, c / d }'
done
