#!/bin/sh
# A remote compiler that records every invocation, then runs the real clang.
echo "$*" >> "${LTOCACHE_TEST_RECORD:?set LTOCACHE_TEST_RECORD}"
exec "${LTOCACHE_TEST_CLANG:?}" "$@"
