#!/usr/bin/env bash
# Challenges from the command line: --moves replays and checks the goal,
# --solve finds the shortest schedule; bad input is said clearly.
. "$(dirname "$0")/lib.sh"
f=lessons/challenges/01-lost-update.lua

out=$("$BIN" --headless --moves "T2 T3 T2 T3" "$f"); rc=$?
expect_eq "$rc" 0 "the known solution exits 0"
expect_has "$out" "goal reached in 4 moves" "the known solution"
expect_has "$out" "#1 T2: ran line 17 local tmp = g" "each move says what it ran"
out=$("$BIN" --headless --moves "" "$f"); rc=$?
expect_eq "$rc" 1 "no moves: the default schedule exits 1"
expect_eq "$out" "goal not reached" "no moves: the default schedule loses nothing"

out=$("$BIN" --headless --solve "$f"); rc=$?
expect_eq "$rc" 0 "--solve exits 0"
sol=${out#solution: }
[ "$(echo $sol | wc -w)" -le 4 ] || fail "--solve: at most 4 moves, got [$out]"
# the schedule found, replayed: g is 1 after two increments
out=$(printf 'print("g=" .. g .. " done=" .. done)\n' |
      "$BIN" --headless --moves "$sol" -i "$f" 2>&1)
expect_has "$out" "g=1 done=2" "--solve's schedule replayed loses an update"

# the search runs the file again and again: what the engine warns of each
# time (a lock order) is not said hundreds of times
out=$("$BIN" --headless --solve lessons/challenges/03-deadlock.lua 2>&1)
expect_eq "$out" "solution: T2 T3" "--solve on the deadlock says only its answer"
out=$("$BIN" --headless --solve lessons/challenges/06-event-cleared-early.lua 2>&1)
expect_eq "$out" "solution: T3" "--solve says only its answer, not what the threads print"

# a challenge no schedule can win within its bound
cat >"$T/never.lua" <<'L'
challenge{ title = "never", goal = function() return g == 3 end, max_steps = 3, solution = "T2" }
g = 0
threading.Thread{ target = function() g = g + 1 end }:start()
L
out=$("$BIN" --headless --solve "$T/never.lua"); rc=$?
expect_eq "$rc" 1 "--solve with no solution exits 1"
expect_eq "$out" "no solution within 3 moves" "--solve says the bound"

# bad input
out=$("$BIN" --headless --moves "T2" lessons/01-concepts.lua 2>&1); rc=$?
expect_eq "$rc" 2 "--moves on a lesson is bad usage"
expect_has "$out" "--moves and --solve play a challenge" "--moves on a lesson"
out=$("$BIN" --headless --moves "T2 T9" "$f" 2>&1); rc=$?
expect_eq "$rc" 1 "a move of no thread exits 1"
expect_has "$out" "move 2 (T9) cannot be made: ValueError: no thread T9 in this challenge (its threads: T2 T3)" "T9"
out=$("$BIN" --headless --moves "go" "$f" 2>&1); rc=$?
expect_has "$out" "no thread go in this challenge" "a move that is no thread name"
out=$("$BIN" --headless --moves "T2" --solve "$f" 2>&1); rc=$?
expect_eq "$rc" 2 "--moves with --solve is bad usage"
printf 'challenge{ goal = 1 }\n' >"$T/bad.lua"
out=$("$BIN" --headless --moves "" "$T/bad.lua" 2>&1); rc=$?
expect_eq "$rc" 1 "a bad header exits 1"
expect_has "$out" "TypeError: challenge(): goal must be a function, got number" "a bad header"
printf 'challenge{ goal = function() end, colour = 1 }\n' >"$T/bad2.lua"
out=$("$BIN" --headless --moves "" "$T/bad2.lua" 2>&1)
expect_has "$out" "unexpected keyword argument 'colour'" "an unknown header field"
# a move of a thread that has ended
out=$("$BIN" --headless --moves "T2 T2 T2 T2" "$f" 2>&1); rc=$?
expect_eq "$rc" 1 "a move of an ended thread exits 1"
expect_has "$out" "move 4 (T2) cannot be made: RuntimeError: T2 cannot move: it has ended" "an ended thread cannot move"

# a solved challenge records every move as a marker #1..#N on the row of
# the thread that moved, and the picture keeps the rules
"$BIN" --headless --moves "T2 T3 T2 T3" --record "$T/lu.svg" --record "$T/lu.dl" "$f" >/dev/null ||
  fail "recording the solution"
python3 tests/cli/picturecheck.py "$T/lu.dl" >/dev/null || fail "the picture rules"
for k in 1 2 3 4; do grep -q ">#$k<" "$T/lu.svg" || fail "marker #$k in the SVG"; done
grep -q ">#5<" "$T/lu.svg" && fail "no marker past the moves made"
"$BIN" --headless --moves "T2 T3 T2 T3" --record "$T/lu.json" "$f" >/dev/null || fail "recording JSON"
python3 tests/cli/jsoncheck.py "$T/lu.json" >/dev/null || fail "the JSON checks"
for k in 1 2 3 4; do grep -q "\"text\":\"#$k\"" "$T/lu.json" || fail "marker #$k in the JSON"; done
# #1 and #3 (T2's moves) share a row; #2 and #4 (T3's) share another
y() { grep -o "<text[^>]*>#$1<" "$T/lu.svg" | sed 's/.* y="\([0-9.]*\)".*/\1/'; }
expect_eq "$(y 1)" "$(y 3)" "T2's markers on one row"
expect_eq "$(y 2)" "$(y 4)" "T3's markers on one row"
[ "$(y 1)" != "$(y 2)" ] || fail "T2's and T3's markers on different rows"
echo ok
