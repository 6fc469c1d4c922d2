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
echo ok
