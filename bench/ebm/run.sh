#!/usr/bin/env bash
# run.sh: EBM training steps per second, GenDsl (Trainer + EnergyModel.Objective) vs the same loop in PyTorch, M = 5000, 2 threads.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"
steps="${STEPS:-500}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
dotnet build "$here/GenDsl.Bench.Ebm" -c Release -v quiet -nologo >/dev/null
dotnet "$here/GenDsl.Bench.Ebm/bin/Release/net10.0/GenDsl.Bench.Ebm.dll" "$threads" "$steps"
# PyTorch's OpenMP workers spin by default; on a loaded machine that costs it up to 10x here. GenDsl starts OpenMP
# with OMP_WAIT_POLICY=PASSIVE, so the like-for-like figure is the second line.
"$python" "$here/torch_ref.py" --threads "$threads" --steps "$steps"
OMP_WAIT_POLICY=PASSIVE "$python" "$here/torch_ref.py" --threads "$threads" --steps "$steps"
