#!/usr/bin/env bash
# run.sh: the Gaussian-mixture benchmark — the core (C#) vs PyTorch (P7) and sklearn (EM, 100k points), 2 threads, with ratios.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"
reps="${REPS:-5}"
# Debian's python3-torch and python3-sklearn live in the system interpreter; PYTHON overrides it
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
dotnet build "$here/GenDsl.Bench.Gmm" -c Release -v quiet -nologo >/dev/null
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
dotnet "$here/GenDsl.Bench.Gmm/bin/Release/net10.0/GenDsl.Bench.Gmm.dll" --threads "$threads" --reps "$reps" | tee -a "$out"
"$python" "$here/p7_torch.py" --threads "$threads" --reps "$reps" | tee -a "$out"
"$python" "$here/em_sklearn.py" --reps "$reps" | tee -a "$out"
echo "--- C# time / reference time (lower is better for C#), $threads threads, median of $reps runs"
"$python" - "$out" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    who, name, *kv = line.split()
    rows[(who, name)] = float(dict(s.split("=") for s in kv)["seconds"])
for name in ["p7_gd", "p7_sgd", "p7_em", "em100k"]:
    ref = "sklearn" if name == "em100k" else "torch"
    c, r = rows.get(("csharp", name)), rows.get((ref, name))
    if c and r:
        print(f"{name:8s} csharp {c:8.4f}s  {ref:7s} {r:8.4f}s  ratio {c / r:6.2f}")
PY
