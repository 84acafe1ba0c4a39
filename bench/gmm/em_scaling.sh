#!/usr/bin/env bash
# em_scaling.sh: EM on 100k / 1M / 4M ring points (K = 10, spherical, 100 iterations), GenDsl vs sklearn on the same data from
# the same start: fit time (median of REPS, no warm-up fit), user + system CPU seconds of each whole process (start-up and
# data loading included; robust to other load where wall time is not), peak RSS of each process, final NLL and their difference.
#
# usage: bench/gmm/em_scaling.sh [N ...]        (default: 100000 1000000 4000000)
#        THREADS=2 REPS=1 ITERS=100 OUT=bench/out/em_scaling
# Run it on a quiet machine: 4M points take minutes per side, and both sides' figures mean little under load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"; reps="${REPS:-1}"; iters="${ITERS:-100}"
out="${OUT:-$here/../out/em_scaling}"; mkdir -p "$out"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE
sizes=("$@"); ((${#sizes[@]})) || sizes=(100000 1000000 4000000)
dotnet build "$here/GenDsl.Bench.Gmm" -c Release -v quiet -nologo >/dev/null
bench="$here/GenDsl.Bench.Gmm/bin/Release/net10.0/GenDsl.Bench.Gmm.dll"

# field: the value of key= in a result line
field() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$2"; }
printf '%-9s %10s %10s %6s  %10s %10s %6s  %12s %12s %6s  %16s %16s %9s\n' N gendsl_s sklearn_s ratio gendsl_cpu sklearn_cpu ratio \
  gendsl_rss sklearn_rss ratio gendsl_nll sklearn_nll diff
for n in "${sizes[@]}"; do
  data="$out/ring_$n.f64"
  # The DS-GA 1008 ring (K = 10, R = 10, unit variances), numpy seed 0, float64 (N, 2) row-major.
  [[ -f "$data" ]] || "$python" - "$n" "$data" <<'PY'
import math, sys
import numpy as np
n, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
a = 2 * math.pi * np.arange(10) / 10
means = 10.0 * np.stack([np.cos(a), np.sin(a)], 1)
(means[rng.integers(0, 10, n)] + rng.standard_normal((n, 2))).astype(np.float64).tofile(path)
PY
  /usr/bin/time -f "%U %S %M" -o "$out/rss_gendsl" dotnet "$bench" --data "$data" --threads "$threads" --reps "$reps" --warmup 0 \
    --em100k-iters "$iters" > "$out/gendsl_$n.txt"
  /usr/bin/time -f "%U %S %M" -o "$out/rss_sklearn" "$python" "$here/em_sklearn.py" --data "$data" --reps "$reps" --warmup 0 \
    --iters "$iters" > "$out/sklearn_$n.txt"
  c="$(cat "$out/gendsl_$n.txt")"; s="$(cat "$out/sklearn_$n.txt")"
  "$python" - "$n" "$(field seconds "$c")" "$(field seconds "$s")" "$(tail -1 "$out/rss_gendsl")" "$(tail -1 "$out/rss_sklearn")" \
    "$(field nll "$c")" "$(field nll "$s")" <<'PY'
import sys
n, cs, ss, ct, st, cn, sn = sys.argv[1:]   # ct, st: "user system maxrss_kB" from /usr/bin/time
(cu, cy, cr), (su, sy, sr) = [[float(v) for v in t.split()] for t in (ct, st)]
cs, ss, cc, sc, cr, sr, cn, sn = float(cs), float(ss), cu + cy, su + sy, cr / 1024, sr / 1024, float(cn), float(sn)
print(f"{n:<9s} {cs:10.3f} {ss:10.3f} {cs / ss:6.2f}  {cc:10.2f} {sc:10.2f} {cc / sc:6.2f}  {cr:9.0f} MB {sr:9.0f} MB {cr / sr:6.2f}  "
      f"{cn:16.10f} {sn:16.10f} {cn - sn:9.1e}")
PY
done
