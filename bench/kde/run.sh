#!/usr/bin/env bash
# run.sh: the KDE benchmark — GenDsl's KernelDensity vs scikit-learn's KernelDensity, 10^5 queries x 10^5 points of the ring in 2-D:
# time, peak RSS, and agreement of the log-densities to 1e-9 relative. sklearn scores SK_QUERIES queries (default 2000; it takes
# ~18 s per 1000 here), extrapolated to 10^5; set SK_QUERIES=100000 for the full run (~30 min).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${THREADS:-2}"
h="${BANDWIDTH:-0.3}"
budget="${BUDGET_MIB:-16}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
dir="${OUT:-$(mktemp -d)}"
mkdir -p "$dir"
"$python" "$here/make_data.py" --out "$dir"
dotnet build "$here/GenDsl.Bench.Kde" -c Release -v quiet -nologo >/dev/null
dotnet "$here/GenDsl.Bench.Kde/bin/Release/net10.0/GenDsl.Bench.Kde.dll" "$dir" "$h" "$threads" "$budget"
"$python" "$here/kde_sklearn.py" --dir "$dir" --bandwidth "$h" --queries "${SK_QUERIES:-2000}"
"$python" "$here/compare.py" "$dir"
echo "data and log-densities in $dir"
