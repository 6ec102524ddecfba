#!/usr/bin/env bash
# The ltocache demo: a generated C++ program of many ThinLTO modules, linked
# through ltocache-dtlto twice with the default cache directory (nothing
# passed: $LTOCACHE_DIR, else $XDG_CACHE_HOME/ltocache, else
# ~/.cache/ltocache). The first link is cold, the second warm; each prints
# ltocache's summary line. The program carries a per-run salt so the first
# link is cold however often the demo runs.
#
#   utils/demo.sh [build-dir] [modules]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
modules=${2:-24}
llvm=/usr/lib/llvm-22/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/ltocache-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
salt=$RANDOM$RANDOM

echo "== generating a $modules-module C++ program in $work"
for i in $(seq 0 $((modules - 1))); do
  next=$(( (i + 1) % modules ))
  cat > "$work/m$i.cpp" <<CPP
#include <algorithm>
#include <map>
#include <string>
#include <vector>
int work$next(int);
namespace {
template <typename T> T mix(T v, int k) {
  for (int i = 0; i < 8; ++i) v = v * 31 + (k ^ i) + $salt;
  return v;
}
}
int work$i(int n) {
  std::vector<long> v;
  std::map<std::string, int> m;
  for (int i = 0; i < n; ++i) {
    v.push_back(mix<long>(i, $i));
    m[std::to_string(i % 17)] += i;
  }
  std::sort(v.begin(), v.end());
  long s = 0;
  for (long x : v) s ^= x;
  return int(s) + int(m.size()) + (n > 1 && $i != 0 ? work$next(n / 2) : 0);
}
CPP
done
cat > "$work/main.cpp" <<CPP
#include <cstdio>
int work0(int);
int main(int argc, char **) { std::printf("%d\n", work0(200 + argc)); }
CPP

cd "$work"
echo "== compiling with -flto=thin -fplugin=LTOCacheClang.so"
for f in main.cpp m*.cpp; do
  "$llvm/clang++" -O2 -flto=thin -fplugin="$build/lib/LTOCacheClang.so" \
    -c "$f" -o "${f%.cpp}.o" &
  if (( $(jobs -r | wc -l) >= $(nproc) )); then wait -n; fi
done
wait

link() {
  "$llvm/clang++" -O2 -flto=thin -fuse-ld=lld ./*.o -o "$1" \
    -fthinlto-distributor="$build/bin/ltocache-dtlto"
}
echo "== cold link (cache directory: $("$build/bin/ltocache" config | awk '$1 == "cache-dir" {print $2}'))"
time link prog.cold
echo "== warm link"
time link prog.warm
cmp prog.cold prog.warm && echo "== binaries identical; they print: $(./prog.warm)"
echo "== ltocache stats"
"$build/bin/ltocache" stats
