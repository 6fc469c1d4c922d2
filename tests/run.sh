#!/usr/bin/env bash
# Runs every test in its own process with a timeout, so a deadlock fails its
# test instead of hanging the run. Each test of a C unit file is a test of
# its own (the file's --list names them). Exit status 77 is a skip (a
# lesson whose needs this build lacks, a unit test that cannot run here):
# counted and said, never an "ok". Ends with the line
# "N passed, N failed, N skipped" (CI reads its start).
#   TL_BIN     the threadlab binary (default ./threadlab)
#   TL_UNITS   the folder of built C unit tests
#   TL_TIMEOUT seconds per test (default 60)
#   TL_ONLY    run only tests whose name contains this (a unit test's name
#              is FILE:TEST, e.g. TL_ONLY=test_trace:test_full)
set -u
cd "$(dirname "$0")/.."
export TL_BIN=${TL_BIN:-./threadlab}
UNITS=${TL_UNITS:-build/release/tests}
TIMEOUT=${TL_TIMEOUT:-60}
export TL_TMP=$(mktemp -d)
trap 'rm -rf "$TL_TMP"' EXIT
# Under ASan, leaks inside system libraries (see the file) are not ours.
[ "${TL_SANITIZER:-}" = asan ] &&
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Under TSan: every forked child starts a thread (its own Ctrl-C thread,
# so Ctrl-C reaches foreground children), and TSan refuses new threads after
# a fork of a multi-threaded process unless told not to. The child is safe
# to go on: the engine's mutexes are re-made by pthread_atfork (sim/proc.c).
[ "${TL_SANITIZER:-}" = tsan ] &&
  export TSAN_OPTIONS="die_after_fork=0${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
# Every test starts with the same descriptors (0-2): a descriptor the caller
# left open (a terminal's, a CI runner's) would shift the numbers a program's
# pipes and sockets get, and pictures name them. Bash reads this script
# from 255, which stays.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ] && eval "exec $fd>&-" 2>/dev/null
done
# A test must not depend on a display or a history file of the user's.
unset DISPLAY WAYLAND_DISPLAY
export HOME="$TL_TMP/home"; mkdir -p "$HOME"

tests=()
for f in "$UNITS"/test_*; do
  [ -x "$f" ] || continue
  names=$("$f" --list 2>/dev/null </dev/null | grep -E '^test_[A-Za-z0-9_]+$')
  # a file that cannot list its tests (no tl_test_main) is one test
  [ -n "$names" ] || names=-
  for name in $names; do tests+=("unit:$f:$name"); done
done
for f in tests/lua/test_*.lua; do [ -f "$f" ] && tests+=("lua:$f"); done
for f in tests/cli/test_*.sh; do [ -f "$f" ] && tests+=("cli:$f"); done
for f in tests/repl/test_*.py; do [ -f "$f" ] && tests+=("repl:$f"); done
for f in lessons/[0-9]*.lua; do [ -f "$f" ] && tests+=("lesson:$f"); done
for f in lessons/challenges/[0-9]*.lua; do [ -f "$f" ] && tests+=("challenge:$f"); done

passed=0 failed=0 skipped=0 failures=()
for t in "${tests[@]}"; do
  kind=${t%%:*} path=${t#*:}
  [ -n "${TL_ONLY:-}" ] && [[ "$path" != *"$TL_ONLY"* ]] && continue
  case $kind in
    unit) cmd=("${path%:*}"); [ "${path##*:}" = - ] || cmd+=("${path##*:}") ;;
    lua) cmd=("$TL_BIN" --headless "$path") ;;
    cli) cmd=(bash "$path") ;;
    repl) cmd=(python3 "$path") ;;
    lesson) cmd=(bash tests/cli/lesson.sh "$path") ;; # its checks, then its pictures' rules
    challenge) cmd=(bash tests/cli/challenge.sh "$path") ;; # solution wins, no moves lose, --solve
  esac
  log="$TL_TMP/log"
  start=$(date +%s%N)
  timeout -k 5 "$TIMEOUT" "${cmd[@]}" >"$log" 2>&1 </dev/null
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  secs=$(printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10)))
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    printf 'ok    %-40s %6ss\n' "$path" "$secs"
  elif [ $rc -eq 77 ]; then
    skipped=$((skipped + 1))
    printf 'skip  %-40s %6ss  (%s)\n' "$path" "$secs" "$(grep -v '^\s*$' "$log" | tail -n 1)"
  else
    failed=$((failed + 1))
    failures+=("$path")
    [ $rc -eq 124 ] && why="timed out after ${TIMEOUT}s" || why="exit $rc"
    printf 'FAIL  %-40s %6ss  (%s)\n' "$path" "$secs" "$why"
    tail -n 25 "$log" | sed 's/^/      | /'
  fi
done

if [ $failed -gt 0 ]; then
  echo "failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
