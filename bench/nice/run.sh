#!/usr/bin/env bash
# run.sh: one epoch of NICE at the seed setting on dequantised MNIST (batch 256, Adam 1e-3): the core (C#) vs PyTorch from the same initial weights.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
. "$here/../lib.sh"
bench_threads "$threads"
dotnet build "$here/GenDsl.Bench.Nice" -c Release -v quiet -nologo >/dev/null
init="$(mktemp --suffix=.pt)"
trap 'rm -f "$init"' EXIT
dotnet "$here/GenDsl.Bench.Nice/bin/Release/net10.0/GenDsl.Bench.Nice.dll" --threads "$threads" --save-init "$init" "$@"
"$python" "$here/nice_torch.py" --threads "$threads" --init "$init" "$@"
