#!/usr/bin/env bash
# epoch_rounds.sh: issue 26's MLP VAE target, one epoch through the DSL (bench/vae/dsl_epoch.fsx, the fit's seconds from
# summary.json) against PyTorch's loop (bench/vae/vae_torch.py), interleaved ROUNDS times, both sides with the same BLAS:
# the OpenMP OpenBLAS build with the kernel GenDsl chooses from the CPU's features (PyTorch given the same libraries by
# LD_PRELOAD and the same OPENBLAS_CORETYPE). A benchmark, not a test: the environment's OPENBLAS_* settings are changed
# for these commands only. Usage: bench/vae/epoch_rounds.sh [threads=2] [rounds=5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads=${1:-2}
rounds=${2:-5}
py=${PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build "$here/../../src/Cli" -c Release -v quiet -nologo > /dev/null
dotnet build "$here/../GenDsl.Bench" -c Release -v quiet -nologo > /dev/null
cli="$here/../../src/Cli/bin/Release/net10.0/gendsl"
multiarch=$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)
omp=/usr/lib/$multiarch/openblas-openmp
chosen=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet "$here/../GenDsl.Bench/bin/Release/net10.0/GenDsl.Bench.dll" shapes "$threads" 0 2> /dev/null | sed -n 's/^blas .*kernel \([A-Za-z0-9]*\),.*/\1/p' | head -1 || true)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); kernel ${chosen:-none} on both sides"
dsl_sum=0; torch_sum=0
for r in $(seq "$rounds"); do
  env -u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE "$cli" run "$here/dsl_epoch.fsx" --threads "$threads" -o "$out" > /dev/null
  dsl=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['cases'][0]['fits'][0]['seconds'])" "$(ls -td "$out"/bench_vae_dsl_epoch/*/ | head -1)/summary.json")
  torch=$(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$chosen" LD_PRELOAD="$omp/libopenblas.so.0:$omp/libblas.so.3:$omp/liblapack.so.3" \
    "$py" "$here/vae_torch.py" --threads "$threads" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
  echo "round $r: dsl $dsl s  torch $torch s"
  dsl_sum=$("$py" -c "print($dsl_sum + $dsl)"); torch_sum=$("$py" -c "print($torch_sum + $torch)")
done
"$py" -c "print(f'# total dsl {$dsl_sum:.2f} s, torch {$torch_sum:.2f} s, ratio {$dsl_sum / $torch_sum:.3f}')"
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
