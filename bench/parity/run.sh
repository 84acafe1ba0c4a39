#!/usr/bin/env bash
# run.sh: the differential test of GenDsl.Core against PyTorch — draw the cases, run them through the core (C#) and through PyTorch, compare.
# Prints `N cases, N agree, N differ` and every difference. Not part of CI or `dotnet test`. PYTHON must have torch (default /usr/bin/python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
threads="${THREADS:-1}"
. "$here/../lib.sh"
bench_threads "$threads"
export GENDSL_THREADS="$threads"
out="${OUT:-$(mktemp -d)}"
[ -n "${OUT:-}" ] || trap 'rm -rf "$out"' EXIT
dotnet build "$here/Parity" -c Release -v quiet -nologo >/dev/null
"$python" "$here/parity.py" gen "$out"
dotnet "$here/Parity/bin/Release/net10.0/Parity.dll" "$out" 2> >(grep -v -e "Warning: An output with one or more elements was resized" -e "Logging before InitGoogleLogging" >&2)
"$python" "$here/parity.py" check "$out"
