#!/usr/bin/env bash
# ltocache set-up for a fresh Debian 12 machine.
#
#   utils/setup.sh demo    install, build, run the demo (cold then warm link)
#   utils/setup.sh test    install, build, run every test (ctest summary last)
#   utils/setup.sh build   install and build only
#
# Installs what it needs with apt-get (as root, or through sudo), then
# builds into ./build (override with LTOCACHE_BUILD_DIR).
set -euo pipefail

mode=${1:-build}
case "$mode" in
  demo|test|build) ;;
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 demo|test|build" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${LTOCACHE_BUILD_DIR:-$root/build}

packages=(
  # The stock LLVM 22 toolchain ltocache plugs into, and its development files
  # (the compile server links clang's static archives, Polly's among them:
  # Debian's clang carries Polly).
  clang-22 lld-22 llvm-22-dev llvm-22-tools libclang-22-dev libclang-cpp22-dev
  liblld-22-dev libpolly-22-dev
  # libsodium (its static library) for the Ed25519 signatures on remote
  # entries.
  libsodium-dev
  # Build and tests; libcurl for the HTTP remote store, nginx (WebDAV PUT)
  # as the real server its tests run against, xfsprogs for a loop-mounted
  # XFS where reflinked hits are tested.
  cmake ninja-build libgtest-dev python3 zlib1g-dev libzstd-dev
  libcurl4-openssl-dev nginx xfsprogs
  # The Debian package (cpack -G DEB: dpkg-shlibdeps finds its dependencies)
  # and the tests that build a project against it, one with ccache as the
  # compiler launcher (and test/keys/launcher-ccache.test: ccache as the
  # remote compiler's launcher, followed to the compiler it runs);
  # matplotlib for utils/bench/bench.py's plots.
  dpkg-dev ccache python3-matplotlib
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "== installing: ${packages[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  --no-install-recommends "${packages[@]}"

echo "== building in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
  -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++
cmake --build "$build"

case "$mode" in
  demo) exec "$root/utils/demo.sh" "$build" ;;
  test) exec cmake --build "$build" --target check ;;
  build) echo "== built: $build/bin/ltocache-dtlto, $build/lib/LTOCacheClang.so, $build/lib/LTOCacheLLD.so, $build/bin/ltocache-compile, $build/lib/LTOCacheHttp.so, $build/bin/ltocache" ;;
esac
