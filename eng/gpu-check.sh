#!/usr/bin/env bash
# gpu-check.sh: the GPU path, end to end — builds native/ against the machine's libtorch (a CUDA build: pip's PyTorch 2.x is
# found through Python), runs the core's CUDA checks, trains CSE 599i P8 (b) for its 10 epochs, times (b) and (c) against
# the same model in PyTorch on the same GPU, then trains (c) and (d) as far as the time allows, checkpointing.
#
# usage, from the repository root:
#   bash eng/gpu-check.sh bundle         on a machine with the .NET SDK: publishes the runner (bench/gpu/GenDsl.GpuCheck)
#                                        self-contained and trimmed into .gpu/bin — the machine with the GPU needs no .NET
#   bash eng/gpu-check.sh [STAGE...]     anywhere: STAGEs among build tests speed p8b cd (default: all of them, in order)
# Settings: GPU_CHECK_SECONDS (default 450): the whole run's budget, which the training stages share;
#   GPU_CHECK_NATIVE=<libgendsl.so>: use that library and skip the build; GPU_CHECK_EPOCHS_B (10): (b)'s epochs.
# Output: $OUT/gpu-check.json (every result) and $OUT/gpu-check.log (.gpu/out without OUT). Without a CUDA device the
# CUDA checks and trainings are skipped with a message (the dry run on a CPU machine: GPU_CHECK_DEVICE=cpu runs the
# checks CPU against CPU). Checkpoints of (c) and (d) stay in .gpu/ckpt: a second call on the same machine resumes them.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
gpu="$root/.gpu"

if [[ "${1:-}" == bundle ]]; then
  rm -rf "$gpu/bin"
  dotnet publish bench/gpu/GenDsl.GpuCheck -c Release -r linux-x64 --self-contained -o "$gpu/bin" -v q -nologo || exit 1
  # what the check never loads: debugger and crash-dump support, standalone GCs, symbols, docs, and the CPU build of
  # libgendsl.so (the GPU machine builds its own against its libtorch)
  (cd "$gpu/bin" && rm -f libmscordaccore.so libmscordbi.so libclrgc.so libclrgcexp.so createdump *.pdb *.xml libgendsl.so)
  echo "gpu-check: bundle in .gpu/bin: $(du -sh "$gpu/bin" | cut -f1), $(ls "$gpu/bin" | wc -l) files"
  exit 0
fi

out="${OUT:-$gpu/out}"
mkdir -p "$out" "$gpu/ckpt"
log="$out/gpu-check.log"; results="$out/results.jsonl"
: > "$results"
exec > >(tee -a "$log") 2>&1
budget="${GPU_CHECK_SECONDS:-450}"
start=$(date +%s)
left() { echo $(( budget - ($(date +%s) - start) )); }
stages=("$@"); ((${#stages[@]})) || stages=(build tests speed p8b cd)
want() { local s; for s in "${stages[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1; }
note() { printf '%s\n' "$*"; }
record() { printf '%s\n' "$1" >> "$results"; }   # one JSON object per line
python="$(command -v python3 || command -v python || true)"

note "gpu-check: $(date -u +%FT%TZ), budget ${budget}s, stages ${stages[*]}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
[[ -n "$python" ]] && "$python" -c "import torch; print('python torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available())" 2>/dev/null

# 1. native/ against this machine's libtorch
native="${GPU_CHECK_NATIVE:-}"
if [[ -z "$native" ]]; then
  if want build; then
    t0=$(date +%s)
    gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
    if LIBTORCH="${LIBTORCH:-python}" cmake -S native -B native/build-gpu "${gen[@]}" -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1 &&
       cmake --build native/build-gpu --target gendsl -j "$(nproc)" >> "$out/cmake.log" 2>&1; then
      grep -E '^-- GenDsl' "$out/cmake.log"
      record "{\"check\": \"build\", \"pass\": true, \"seconds\": $(( $(date +%s) - t0 ))}"
    else
      grep -E 'error|Error' "$out/cmake.log" | head -40
      # CMake's find_package(Torch) can fail on a CUDA libtorch whose CMake config wants parts of the CUDA toolkit that
      # are absent; the library needs none of them: compile against Python's torch directly (without c10d: stubs).
      tdir=$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null)
      abi=$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null)
      if [[ -n "$tdir" ]]; then
        note "gpu-check: CMake failed; compiling native/ against $tdir directly"
        mkdir -p native/build-gpu/direct
        flags=(-O2 -fPIC -std=c++17 -fvisibility=hidden -D_GLIBCXX_USE_CXX11_ABI="${abi:-1}" -DGD_ALLOCATE_NON_CONST -DGD_ALLOCATOR_COPY_DATA
               -I"$tdir/include" -I"$tdir/include/torch/csrc/api/include")
        ls native/*.cpp | xargs -P "$(nproc)" -I{} sh -c 'g++ "$@" -c {} -o native/build-gpu/direct/$(basename {} .cpp).o' _ "${flags[@]}" >> "$out/cmake.log" 2>&1
        libs=(-L"$tdir/lib" -Wl,-rpath,"$tdir/lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10)
        [[ -f "$tdir/lib/libtorch_cuda.so" ]] && libs+=(-ltorch_cuda -lc10_cuda)
        if g++ -shared -o native/build-gpu/libgendsl.so native/build-gpu/direct/*.o "${libs[@]}" >> "$out/cmake.log" 2>&1; then
          record "{\"check\": \"build\", \"pass\": true, \"direct\": true, \"seconds\": $(( $(date +%s) - t0 ))}"
        else
          grep -E 'error' "$out/cmake.log" | tail -30
          record "{\"check\": \"build\", \"pass\": false, \"seconds\": $(( $(date +%s) - t0 ))}"
        fi
      fi
    fi
  fi
  native="$root/native/build-gpu/libgendsl.so"
fi
export GENDSL_NATIVE="$native"

runner="$gpu/bin/GenDsl.GpuCheck"
if [[ ! -x "$runner" ]] && command -v dotnet >/dev/null; then   # a machine with .NET: the framework-dependent build
  dotnet build bench/gpu/GenDsl.GpuCheck -c Release -v q -nologo >/dev/null && runner="$root/bench/gpu/GenDsl.GpuCheck/bin/Release/net10.0/GenDsl.GpuCheck"
fi
run() {   # run <seconds> <args...>: the runner's RESULT lines go to the results, everything else to the log
  local secs="$1"; shift
  timeout --signal=INT --kill-after=20 "$secs" "$runner" "$@" 2>&1 | while IFS= read -r line; do
    if [[ "$line" == RESULT\ * ]]; then record "${line#RESULT }"; fi
    printf '%s\n' "$line"
  done
}
if [[ ! -f "$native" || ! -x "$runner" ]]; then
  note "gpu-check: no runner or no libgendsl.so ($runner, $native): run 'bash eng/gpu-check.sh bundle' where .NET is, and the build stage"
else
  cuda=$("$runner" info 2>&1 | sed -nE 's/.* ([0-9]+) CUDA device\(s\).*/\1/p' | head -1)
  device="${GPU_CHECK_DEVICE:-cuda}"
  note "gpu-check: libgendsl sees ${cuda:-?} CUDA device(s)"
  # 2. the core's CUDA checks
  want tests && run 240 tests --device "$device"
  if [[ "${cuda:-0}" -gt 0 ]]; then
    # 3. speed: 200 steps of (b) and (c), GenDsl beside PyTorch on the same GPU, same batch and dtype (float32)
    if want speed; then
      for c in b c; do
        run 180 speed --config "$c" --steps 200
        if [[ -n "$python" ]]; then
          line=$(timeout 180 "$python" bench/lm/lm_torch.py train --config "$c" --device cuda --steps 200 --seconds 1e9 --threads "$(nproc)" 2>/dev/null | grep '^torch train')
          note "$line"
          [[ -n "$line" ]] && record "$("$python" -c 'import json,sys; kv=dict(p.split("=",1) for p in sys.argv[1].split()[2:]); print(json.dumps({"check":"speed","impl":"pytorch",**{k:(float(v) if v.replace(".","",1).isdigit() else v) for k,v in kv.items()}}))' "$line")"
        fi
      done
    fi
    # 4. P8 (b), the homework's 10 epochs
    want p8b && run $(( $(left) > 60 ? $(left) : 60 )) p8 --config b --epochs "${GPU_CHECK_EPOCHS_B:-10}" --out "$gpu/ckpt" --seconds $(( $(left) - 40 ))
    # 5. (c) and (d) with the time left, from their checkpoints when a previous call left them
    if want cd; then
      for c in c d; do
        l=$(left); (( l > 90 )) || { note "gpu-check: ${l}s left: ($c) not started"; continue; }
        if [[ "$c" == c ]]; then share=$(( l / 2 )); else share=$(( l - 30 )); fi
        run $(( share + 60 )) p8 --config "$c" --out "$gpu/ckpt" --seconds $(( share - 45 ))
      done
    fi
  else
    note "gpu-check: no CUDA device: speed, p8b and cd skipped"
    for s in speed p8b cd; do want "$s" && record "{\"check\": \"$s\", \"skipped\": true, \"why\": \"no CUDA device\"}"; done
  fi
fi

# one JSON with everything measured
if [[ -n "$python" ]]; then
  "$python" - "$results" "$out/gpu-check.json" "$(( $(date +%s) - start ))" <<'EOF'
import json, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
gpu = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True).stdout.strip() if __import__("shutil").which("nvidia-smi") else None
try:
    import torch; tv = torch.__version__
except Exception:
    tv = None
cuda = [r for r in rows if r.get("check") == "cuda"]
summary = {"gpu": gpu, "python_torch": tv, "seconds": int(sys.argv[3]),
           "cuda_checks": {"passed": sum(1 for r in cuda if r.get("pass")), "failed": sum(1 for r in cuda if r.get("pass") is False),
                           "skipped": sum(1 for r in cuda if r.get("skipped"))},
           "results": rows}
json.dump(summary, open(sys.argv[2], "w"), indent=1)
print("gpu-check: cuda checks", summary["cuda_checks"], "->", sys.argv[2])
EOF
fi
