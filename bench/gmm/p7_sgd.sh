#!/usr/bin/env bash
# p7_sgd.sh: P7's SGD (5,000 one-point steps, lr 0.01 on the mean log-likelihood, the full-data log-likelihood computed and
# kept every step) three ways, interleaved ROUNDS times: through the DSL (bench/gmm/p7_sgd_dsl.fsx, the fit's seconds from
# summary.json: the trainer, the per-step log and progress), on the core alone (GenDsl.Bench.Gmm's p7_sgd: the trainer,
# no log) and PyTorch's loop doing the same work (bench/gmm/p7_torch.py's sgd), OMP_WAIT_POLICY=PASSIVE on every side.
# Usage: bench/gmm/p7_sgd.sh [threads=2] [rounds=3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"
threads=${1:-2}
rounds=${2:-3}
py=${PYTHON:-/usr/bin/python3}
bench_threads "$threads"
cli=$(release_cli)
dotnet build "$here/GenDsl.Bench.Gmm" -c Release -v quiet -nologo > /dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  "$cli" run "$here/p7_sgd_dsl.fsx" --threads "$threads" -o "$out" > /dev/null
  dsl=$(last_fit_seconds "$out" bench_p7_sgd_dsl)
  core=$(dotnet "$here/GenDsl.Bench.Gmm/bin/Release/net10.0/GenDsl.Bench.Gmm.dll" --threads "$threads" --only p7 --reps 1 --sgd-lr 0.01 | awk '$2 == "p7_sgd" { print $3 }')
  torch=$("$py" "$here/p7_torch.py" --threads "$threads" --reps 1 --sgd-lr 0.01 | awk '$2 == "p7_sgd" { print $3 }')
  echo "round $r: dsl seconds=$dsl  core $core  torch $torch"
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
