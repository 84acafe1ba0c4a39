#!/usr/bin/env bash
# build-native.sh: configures (when needed) and builds native/ with CMake; a no-op when nothing changed.
# LIBTORCH=<root of a libtorch >= 1.13> selects another libtorch (a CUDA build, say); changing it reconfigures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/native"; build="$src/build"
want="${LIBTORCH:-system}"
have="$(cat "$build/.libtorch" 2>/dev/null || true)"
if [[ ! -f "$build/CMakeCache.txt" || "$want" != "$have" ]]; then
  rm -rf "$build"
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  echo "$want" > "$build/.libtorch"
fi
cmake --build "$build" --target gendsl -j "$(nproc)" | grep -vE '^\[ *[0-9]+%\] (Built|Linking)|^gmake' || true
test -f "$build/libgendsl.so" || { echo "build-native: libgendsl.so was not produced" >&2; exit 1; }
