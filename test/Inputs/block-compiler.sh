#!/bin/sh
# A remote compiler for race tests. With LTOCACHE_TEST_BLOCK set, a backend
# job (one with -fthinlto-index=) never finishes on its own: it can only
# end by being cancelled (SIGTERM), so a link succeeds only if every such
# job is won by the remote. Every start is recorded in $LTOCACHE_TEST_BLOCK.
# Otherwise (and for --version) it runs the real clang.
case " $* " in
  *" -fthinlto-index="*)
    if [ -n "${LTOCACHE_TEST_BLOCK:-}" ]; then
      echo "started $*" >> "$LTOCACHE_TEST_BLOCK"
      exec sleep infinity
    fi ;;
esac
exec "${LTOCACHE_TEST_CLANG:?}" "$@"
