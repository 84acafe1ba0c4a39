#!/usr/bin/env bash
# bootstrap.sh: installs what a fresh Debian 12 machine lacks to build, test and run GenDsl. Idempotent.
# As root it installs; otherwise it prints the exact command to run and fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages: libtorch and its build tools; OpenBLAS (without it matmul is ~15x slower) in both builds: the
# pthreads one that libtorch's package pulls in and is the system's libblas.so.3, and the OpenMP one that GenDsl loads
# in its place (src/Core.CSharp/Native/BlasChoice.cs: it waits on libtorch's passive OpenMP pool instead of spinning);
# Chromium renders the reports in the browser tests; python3-torch/sklearn run the bench/ references;
# libgloo-dev: the gloo headers that libtorch's c10d (distributed training) includes.
apt_packages=(libtorch-dev libgloo-dev libopenblas0-pthread libopenblas0-openmp cmake g++ chromium nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (nodesource, nvm): a working npm on PATH is enough.
if command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || tmp+=("$p"); done; missing=("${tmp[@]}")
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm packages (plotly for the reports, the MNIST IDX files) into the repository's node_modules.
if [[ ! -f "$here/node_modules/.gendsl-ok" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
    echo "bootstrap: 'npm ci' failed in $here (is the npm registry reachable?)" >&2; exit 1; }
  touch "$here/node_modules/.gendsl-ok"
fi
