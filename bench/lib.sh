# lib.sh: what the side-by-side benches share (bash; source it: . "$(dirname "${BASH_SOURCE[0]}")/../lib.sh").
# Benchmarks, not tests: the thread and BLAS settings here apply to the bench's own commands only.
bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# bench_threads N: every BLAS and OpenMP pool to N threads; idle OpenMP threads sleep (PASSIVE) unless the caller chose a
# policy (spinning threads of one side would steal the other side's cores on a shared machine).
bench_threads() {
  export OMP_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1" MKL_NUM_THREADS="$1" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
}

# openmp_blas_dir: Debian's OpenMP build of OpenBLAS, the one GenDsl loads.
openmp_blas_dir() { echo "/usr/lib/$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)/openblas-openmp"; }

# openmp_preload: that build as an LD_PRELOAD list, to give PyTorch the same BLAS as GenDsl.
openmp_preload() { local d; d=$(openmp_blas_dir); echo "$d/libopenblas.so.0:$d/libblas.so.3:$d/liblapack.so.3"; }

# bench_dll: builds bench/GenDsl.Bench (Release) and prints its dll.
bench_dll() {
  dotnet build "$bench_root/GenDsl.Bench" -c Release -v quiet -nologo > /dev/null
  echo "$bench_root/GenDsl.Bench/bin/Release/net10.0/GenDsl.Bench.dll"
}

# chosen_kernel THREADS: the OpenBLAS kernel GenDsl chooses on this CPU (GenDsl.Bench's `shapes` line names it; empty if
# none), asked without the environment's OPENBLAS_* settings.
chosen_kernel() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet "$(bench_dll)" shapes "$1" 0 2> /dev/null \
    | sed -n 's/^blas .*kernel \([A-Za-z0-9]*\),.*/\1/p' | head -1 || true
}

# release_cli: builds the CLI in Release and prints the gendsl executable.
release_cli() {
  dotnet build "$bench_root/../src/Cli" -c Release -v quiet -nologo > /dev/null
  echo "$bench_root/../src/Cli/bin/Release/net10.0/gendsl"
}

# last_fit_seconds OUT EXPERIMENT: the first fit's seconds in the newest run of EXPERIMENT under the runs folder OUT.
last_fit_seconds() {
  "${PYTHON:-/usr/bin/python3}" -c "import json,sys; print(json.load(open(sys.argv[1]))['cases'][0]['fits'][0]['seconds'])" \
    "$(ls -td "$1/$2"/*/ | head -1)/summary.json"
}
