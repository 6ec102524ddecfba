#!/bin/sh
# A remote compiler for race tests; for --version and anything that is not
# a backend job (no -fthinlto-index=) it just runs the real clang.
#
# LTOCACHE_TEST_BLOCK=<file>: a backend job never succeeds on its own: it
#   can only end by being cancelled (SIGTERM), so a link succeeds only if
#   the remote wins every such job (after 10 minutes it fails). Every start
#   is recorded in <file>.
# LTOCACHE_TEST_RUNS=<file>: every run, backend job or not (the probe that
#   identifies the compiler, "-v -###"), is recorded in <file>.
# LTOCACHE_TEST_GATE_LOG=<fault proxy log>, LTOCACHE_TEST_GATE_COUNT=<n>:
#   a backend job first waits until the fault proxy has answered <n> GETs,
#   so every lookup has its answer before any compile can finish.
if [ -n "${LTOCACHE_TEST_RUNS:-}" ]; then
  echo "ran $*" >> "$LTOCACHE_TEST_RUNS"
fi
case " $* " in
  *" -fthinlto-index="*)
    if [ -n "${LTOCACHE_TEST_BLOCK:-}" ]; then
      echo "started $*" >> "$LTOCACHE_TEST_BLOCK"
      # One process, so SIGTERM stops it at any moment (timeout(1) in
      # front of sleep left the sleep behind when SIGTERM came just after
      # it started). A watchdog, not a timing assumption: a job never
      # cancelled ends after 10 minutes without an object, so a broken test
      # fails instead of hanging.
      exec sleep 600
    fi
    if [ -n "${LTOCACHE_TEST_GATE_LOG:-}" ]; then
      # A barrier on the proxy's log (it never fails to make progress: the
      # lookups were all sent before any compile started).
      while [ "$(grep -c '"method": "GET"' "$LTOCACHE_TEST_GATE_LOG" 2>/dev/null)" \
              -lt "${LTOCACHE_TEST_GATE_COUNT:?}" ]; do
        sleep 0.01
      done
    fi ;;
esac
exec "${LTOCACHE_TEST_CLANG:?}" "$@"
