#!/usr/bin/env bash
# build-adopter.sh <ltocache prefix> <build dir> <cache dir> TARGETS|GLOBAL
#                  [cmake arguments...]
# Configures and builds Inputs/adopter against the ltocache package
# installed under <prefix>, with clang 22 and Ninja; prints ltocache's
# summary line of each link (and any warning), then runs the program.
set -euo pipefail
prefix=$1 build=$2 cache=$3 adopt=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
llvm=/usr/lib/llvm-22/bin
cmake -S "$here/adopter" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=$llvm/clang -DCMAKE_CXX_COMPILER=$llvm/clang++ \
  -DCMAKE_PREFIX_PATH="$prefix" -DADOPT="$adopt" \
  "-DLTOCACHE_ARGS=CACHE_DIR;$cache" "$@" > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
# Ninja prints what a command wrote: the links' summary lines.
cmake --build "$build" > "$build.build.log" 2>&1 ||
  { cat "$build.build.log"; exit 1; }
grep -E '^ltocache: |warning|error' "$build.build.log" || true
"$build/app"
