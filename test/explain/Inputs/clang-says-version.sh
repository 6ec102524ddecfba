#!/bin/sh
# A remote compiler that runs the real clang but says its version is the
# one its own file name ends with (clang-22.1.9.sh says "version 22.1.9"):
# two copies under two names are one executable with two version texts, as
# a compiler upgraded in place.
version=$(basename "$0" .sh)
version=${version#clang-}
out=$(mktemp) err=$(mktemp)
"${LTOCACHE_TEST_CLANG:?}" "$@" >"$out" 2>"$err"
status=$?
sed "s/ version [0-9][0-9.]*/ version $version/" "$out"
sed "s/ version [0-9][0-9.]*/ version $version/" "$err" >&2
rm -f "$out" "$err"
exit $status
