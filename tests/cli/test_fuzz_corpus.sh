#!/usr/bin/env bash
# The fuzz targets' seed corpus (tests/fuzz/corpus), replayed through each
# target built with the normal compiler (make units builds them; make fuzz
# runs them under libFuzzer): every input must go through without a crash.
. "$(dirname "$0")/lib.sh"
UNITS=${TL_UNITS:-build/release/tests}
for t in trace lesson repl pickle; do
  bin="$UNITS/fuzz_replay_$t"
  [ -x "$bin" ] || fail "$bin is not built (make units)"
  out=$(timeout -k 2 120 "$bin" tests/fuzz/corpus/$t 2>&1 >/dev/null)
  rc=$?
  [ $rc -eq 0 ] || fail "fuzz target $t on its corpus: exit $rc: $(printf '%s' "$out" | tail -5)"
  expect_has "$out" "replayed" "the $t corpus replayed"
done
echo ok
