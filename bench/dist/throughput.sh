#!/usr/bin/env bash
# throughput.sh: training throughput of data parallelism on one machine — 1 process x 2 threads vs 2 processes x 1 thread, GenDsl (`gendsl run`, Gloo) and PyTorch (DDP, Gloo), for the MLP VAE epoch and the Transformer LM (b).
# usage: bench/dist/throughput.sh [vae|lm|all]      env: STEPS=40 (LM steps), SUBSET=N (train the VAE on the first N images; default all 60,000),
#        ROUNDS=1 (repeat every run, the table keeps the fastest), OUT=bench/out/dist-throughput. Smoke: STEPS=3 SUBSET=1280.
# Prints one markdown table (also OUT/table.md); bench/dist/THROUGHPUT.md says what is measured.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
what="${1:-all}"
steps="${STEPS:-40}"
subset="${SUBSET:-}"
out="${OUT:-$root/bench/out/dist-throughput}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
mkdir -p "$out"
results="$out/results.txt"
: > "$results"
cd "$root"
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
gendsl=(dotnet "$root/src/Cli/bin/Release/net10.0/gendsl.dll" run)

# One GenDsl run into a fresh output root; its run folder's result line goes to results.txt.
gendsl_run() {  # model setup unit script args...
  local model="$1" setup="$2" unit="$3" script="$4"; shift 4
  local runs="$out/runs-$model-$setup"
  rm -rf "$runs"
  echo "== GenDsl $model $setup" >&2
  "${gendsl[@]}" "$script" -o "$runs" "$@" > "$out/log-gendsl-$model-$setup.txt" 2>&1 \
    || { echo "gendsl failed; see $out/log-gendsl-$model-$setup.txt" >&2; tail -20 "$out/log-gendsl-$model-$setup.txt" >&2; exit 1; }
  local folder
  folder="$(ls -d "$runs"/*/*/ | head -1)"
  "$python" "$here/throughput_table.py" gendsl "$folder" "$model" "$setup" "$unit" | tee -a "$results"
}

# One PyTorch run, alone (1x2) or as 2 DDP ranks (2x1); rank 0's result line goes to results.txt.
torch_run() {  # model setup args...
  local model="$1" setup="$2"; shift 2
  echo "== PyTorch $model $setup" >&2
  # 2x1: DDP ranks started by torch.multiprocessing with torchrun's variables (Debian's `python3 -m torch.distributed.run`
  # fails under Python 3.11 in its elastic agent before starting a worker).
  if [[ "$setup" == 1x2 ]]; then
    OMP_NUM_THREADS=2 "$python" "$here/throughput_torch.py" "$model" --threads 2 "$@"
  else
    OMP_NUM_THREADS=1 "$python" "$here/throughput_torch.py" "$model" --threads 1 --nproc 2 "$@"
  fi > "$out/log-torch-$model-$setup.txt" 2>&1 \
    || { echo "PyTorch failed; see $out/log-torch-$model-$setup.txt" >&2; tail -20 "$out/log-torch-$model-$setup.txt" >&2; exit 1; }
  grep '^result ' "$out/log-torch-$model-$setup.txt" | tee -a "$results"
}

for _ in $(seq "${ROUNDS:-1}"); do
  if [[ "$what" == vae || "$what" == all ]]; then
    vae=("$here/../vae/dsl_epoch.fsx")
    [[ -n "$subset" ]] && vae+=(--set "data.subset=$subset")
    gendsl_run vae 1x2 1 "${vae[@]}" --threads 2
    gendsl_run vae 2x1 1 "${vae[@]}" --threads 1 --nproc 2
    torch_run vae 1x2 --limit "${subset:-60000}"
    torch_run vae 2x1 --limit "${subset:-60000}"
  fi
  if [[ "$what" == lm || "$what" == all ]]; then
    lm=("$here/lm_steps.fsx" --set "budget.steps=$steps")
    gendsl_run lm 1x2 150 "${lm[@]}" --threads 2
    gendsl_run lm 2x1 150 "${lm[@]}" --threads 1 --nproc 2
    torch_run lm 1x2 --steps "$steps"
    torch_run lm 2x1 --steps "$steps"
  fi
done
"$python" "$here/throughput_table.py" table "$results" | tee "$out/table.md"
