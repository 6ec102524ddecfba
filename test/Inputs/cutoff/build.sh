#!/bin/sh
# build.sh <dir> [extra compile flags...]: copies the cutoff program into
# <dir> and compiles its modules for ThinLTO with the recipe plugin.
set -e
dir=$1; shift
mkdir -p "$dir"
cp "$(dirname "$0")"/*.c "$(dirname "$0")"/*.h "$dir"/
cd "$dir"
for src in lib main user other; do
  "$LTOCACHE_TEST_CLANG" -flto=thin -fplugin="$LTOCACHE_TEST_CLANG_PLUGIN" \
    -O2 "$@" -c $src.c -o $src.o
done
