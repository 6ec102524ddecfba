#!/usr/bin/env bash
# The ltocache demo: a generated C++ program of many ThinLTO modules, linked
# through ltocache-dtlto with the default cache directory (nothing passed:
# $LTOCACHE_DIR, else $XDG_CACHE_HOME/ltocache, else ~/.cache/ltocache):
# cold, then warm, then after an edit to one function that no other module
# imports (in util.cpp, whose helper every module imports): ltocache
# recompiles one job, where lld's own cache (--thinlto-cache-dir), keyed on
# whole modules, recompiles every importer of util.cpp. Each link prints
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
int util_mix(int, int);
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
  for (long x : v) s ^= util_mix(int(x), $i);
  return int(s) + int(m.size()) + (n > 1 && $i != 0 ? work$next(n / 2) : 0);
}
CPP
done
cat > "$work/util.cpp" <<CPP
// Every module imports util_mix; nobody imports util_report (noinline).
int util_mix(int a, int b) { return a * 31 + (b ^ $salt); }
__attribute__((noinline)) int util_report(int x) { return x % 1000; }
CPP
{
  echo "#include <cstdio>"
  echo "int util_report(int);"
  for i in $(seq 0 $((modules - 1))); do echo "int work$i(int);"; done
  echo "int main(int argc, char **) {"
  echo "  long s = 0;"
  for i in $(seq 0 $((modules - 1))); do echo "  s += work$i(200 + argc);"; done
  echo "  std::printf(\"%d\\n\", util_report(int(s)));"
  echo "}"
} > "$work/main.cpp"

cd "$work"
echo "== compiling with -flto=thin -fplugin=LTOCacheClang.so"
compile() {
  "$llvm/clang++" -O2 -flto=thin -fplugin="$build/lib/LTOCacheClang.so" \
    -c "$1" -o "${1%.cpp}.o"
}
for f in main.cpp util.cpp m*.cpp; do
  compile "$f" &
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

# lld's own cache, for comparison: one untimed link to fill it.
lld_link() {
  "$llvm/clang++" -O2 -flto=thin -fuse-ld=lld ./*.o -o "$1" \
    -Wl,--thinlto-cache-dir="$work/lld-cache"
}
lld_link prog.lld
echo "== an edit to util_report (util.cpp), which no other module imports"
sed -i 's/return x % 1000;/return x % 999;/' util.cpp
compile util.cpp
echo "== relink"
time link prog.edited
before=$(ls "$work/lld-cache" | wc -l)
lld_link prog.lld.edited
echo "== lld's own cache (--thinlto-cache-dir) recompiled" \
  "$(( $(ls "$work/lld-cache" | wc -l) - before )) of $((modules + 2)) jobs" \
  "for the same edit (every module that imports from util.cpp)"
echo "== the edited program prints: $(./prog.edited)"
echo "== ltocache stats"
"$build/bin/ltocache" stats
