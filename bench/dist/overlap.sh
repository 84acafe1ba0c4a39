#!/usr/bin/env bash
# overlap.sh: GenDsl's 2 processes x 1 thread with the gradient all-reduce after backward (GradSync) vs overlapped with backward (OverlappedGradSync), for the VAE epoch and the LM (b) of throughput.sh.
# usage: bench/dist/overlap.sh [vae|lm|all]      env: STEPS=12 (LM steps), ROUNDS=2 (every variant that many times, alternating),
#        OUT=bench/out/dist-overlap. Prints one result line per run (throughput_table.py's format, setup = the variant).
# Variants: sync (the default), overlap (GENDSL_DIST_OVERLAP=1: buckets of 25 MB, the first of 1 MB, as DDP),
# overlap-1mb (also GENDSL_DIST_BUCKET_BYTES=1 MiB: more, smaller buckets, so more of the all-reduce can start early).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
what="${1:-all}"
steps="${STEPS:-12}"
out="${OUT:-$root/bench/out/dist-overlap}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
mkdir -p "$out"
cd "$root"
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
gendsl=(dotnet "$root/src/Cli/bin/Release/net10.0/gendsl.dll" run)

run() {  # model variant unit script args...
  local model="$1" variant="$2" unit="$3" script="$4"; shift 4
  local runs="$out/runs-$model-$variant"
  rm -rf "$runs"
  local env=(GENDSL_DIST_OVERLAP=0)
  [[ "$variant" == overlap* ]] && env=(GENDSL_DIST_OVERLAP=1)
  [[ "$variant" == overlap-1mb ]] && env+=(GENDSL_DIST_BUCKET_BYTES=1048576)
  echo "== $model $variant (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  env "${env[@]}" "${gendsl[@]}" "$script" -o "$runs" --threads 1 --nproc 2 "$@" > "$out/log-$model-$variant.txt" 2>&1 \
    || { echo "gendsl failed; see $out/log-$model-$variant.txt" >&2; tail -20 "$out/log-$model-$variant.txt" >&2; exit 1; }
  "$python" "$here/throughput_table.py" gendsl "$(ls -d "$runs"/*/*/ | head -1)" "$model" "$variant" "$unit" | sed "s/\$/ load=$(cut -d' ' -f1 /proc/loadavg)/"
}

for _ in $(seq "${ROUNDS:-2}"); do
  if [[ "$what" == vae || "$what" == all ]]; then
    for v in sync overlap overlap-1mb; do run vae "$v" 1 "$here/../vae/dsl_epoch.fsx"; done
  fi
  if [[ "$what" == lm || "$what" == all ]]; then
    for v in sync overlap; do run lm "$v" 150 "$here/lm_steps.fsx" --set "budget.steps=$steps"; done
  fi
done
