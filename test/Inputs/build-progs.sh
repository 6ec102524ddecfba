#!/bin/sh
# build-progs.sh <dir> [extra compile flags...]
# Copies the test programs into <dir> and compiles every module there for
# ThinLTO with the recipe plugin, using relative paths (as a build system
# would), so two directories hold identical bitcode.
set -e
dir=$1; shift
mkdir -p "$dir"
cp "$(dirname "$0")"/progs/* "$dir"/
cd "$dir"
for src in shared.c util.c strings.c prog_a.c prog_b.c; do
  "$LTOCACHE_TEST_CLANG" -flto=thin -fplugin="$LTOCACHE_TEST_CLANG_PLUGIN" \
    -O2 "$@" -c "$src" -o "${src%.*}.o"
done
for src in shapes.cpp prog_cxx.cpp; do
  "$LTOCACHE_TEST_CLANG" -flto=thin -fplugin="$LTOCACHE_TEST_CLANG_PLUGIN" \
    -O2 "$@" -c "$src" -o "${src%.*}.o"
done
