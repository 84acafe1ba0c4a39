#!/usr/bin/env bash
# run.sh: the VAE benchmarks, the core (C#) vs PyTorch from the same initial weights: one epoch of the MLP VAE 784-400-20 (default), or `run.sh conv`: training steps of the conv VAE.
# usage: bench/vae/run.sh [args...]          MLP VAE, one epoch of MNIST (batch 128, Adam 1e-3)
#        bench/vae/run.sh conv [args...]     conv VAE of ece8803_ps2_p4_nice_vs_vae.fsx: --steps 20 at batch 256, Adam 5e-4,
#                                            forward/backward/optimizer split; REPEAT=2 runs both sides back to back twice.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
. "$here/../lib.sh"
bench_threads "$threads"
dotnet build "$here/GenDsl.Bench.Vae" -c Release -v quiet -nologo >/dev/null
init="$(mktemp --suffix=.pt)"
trap 'rm -f "$init"' EXIT
dll="$here/GenDsl.Bench.Vae/bin/Release/net10.0/GenDsl.Bench.Vae.dll"
if [ "${1:-}" = conv ]; then
  shift
  dotnet "$dll" --mode conv --threads "$threads" --steps 0 --warmup 0 --save-init "$init" >/dev/null
  for _ in $(seq "${REPEAT:-1}"); do
    dotnet "$dll" --mode conv --threads "$threads" --init "$init" "$@"
    "$python" "$here/conv_vae_torch.py" --threads "$threads" --init "$init" "$@"
  done
  exit 0
fi
dotnet "$dll" --threads "$threads" --save-init "$init" "$@"
"$python" "$here/vae_torch.py" --threads "$threads" --init "$init" "$@"
