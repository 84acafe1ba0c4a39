#!/usr/bin/env bash
# run.sh: all-reduce bandwidth, GenDsl (libtorch's c10d ProcessGroupGloo through our C ABI) vs PyTorch (torch.distributed, gloo),
# 2 processes on this machine, a 100 MB float32 tensor, median of 5. Args: [megabytes] [repeats] [nproc]; ROUNDS=k repeats both k times, alternating.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
dotnet build "$here/GenDsl.Bench.Dist" -c Release -v quiet -nologo >/dev/null
for _ in $(seq "${ROUNDS:-1}"); do
  dotnet "$here/GenDsl.Bench.Dist/bin/Release/net10.0/GenDsl.Bench.Dist.dll" "${1:-100}" "${2:-5}" "${3:-2}" | sed 's/^\[rank 0\] //'
  "$python" "$here/allreduce_torch.py" "${1:-100}" "${2:-5}" "${3:-2}"
done
