#!/usr/bin/env bash
# One challenge as a test (tests/run.sh runs it for every file of
# lessons/challenges/): its solution reaches the goal, the default schedule
# (--moves "") does not (so no challenge is won by doing nothing), and
# --solve finds a schedule no longer than the known one, which wins when
# replayed.
. "$(dirname "$0")/lib.sh"
f=$1
[ -f "$f" ] || fail "no challenge file $f"
sol=$(sed -n 's/^ *solution *= *"\([^"]*\)".*/\1/p' "$f" | head -n 1)
[ -n "$sol" ] || fail "$f: no solution = \"...\" in its header"
known=$(echo $sol | wc -w)

out=$("$BIN" --headless --moves "$sol" "$f" 2>&1); rc=$?
expect_eq "$rc" 0 "$f: its solution ($sol) exits 0; it said: $out"
expect_has "$out" "goal reached in " "$f: its solution reaches the goal"

out=$("$BIN" --headless --moves "" "$f" 2>&1); rc=$?
expect_eq "$rc" 1 "$f: the default schedule exits 1; it said: $out"
expect_has "$out" "goal not reached" "$f: the default schedule does not win"

out=$("$BIN" --headless --solve "$f" 2>&1); rc=$?
expect_eq "$rc" 0 "$f: --solve finds a schedule; it said: $out"
found=$(printf '%s\n' "$out" | sed -n 's/^solution: //p')
[ -n "$found" ] || fail "$f: --solve printed no solution: $out"
n=$(echo $found | wc -w)
[ "$n" -le "$known" ] || fail "$f: --solve found $n moves ($found), longer than the known $known ($sol)"
out=$("$BIN" --headless --moves "$found" "$f" 2>&1); rc=$?
expect_eq "$rc" 0 "$f: the schedule --solve found ($found) wins when replayed; it said: $out"
echo "ok: $f (known $known moves: $sol; found $n: $found)"
