# The trace is the whole record: a lesson streamed with --trace reopens
# with --view and redraws headless with its step titles, narration (as the
# steps' SVG <title>s), deadlock banner and thread names; a bad file is
# refused; lost updates are drawn; a ring too small for two runs keeps the
# end of the second and says what it dropped.
. tests/cli/lib.sh
L=lessons/11-deadlock.lua
$BIN --headless --clock virtual --speed 0 --auto --trace "$T/t.trace" --record "$T/live.json" $L \
  > /dev/null || fail "lesson run with --trace"
$BIN --view "$T/t.trace" --record "$T/a.svg" --record "$T/a.json" || fail "--view --record"
svg=$(cat "$T/a.svg")
expect_has "$svg" ">Two threads, two locks, opposite order<" "step title drawn"
expect_has "$svg" ">Help from outside: the main thread releases lock A<" "second step title drawn"
expect_has "$svg" "DEADLOCK at 1 s" "deadlock banner"
# the first narration of the lesson is the first step's tooltip
expect_has "$svg" "<title>lesson step: Two threads, two locks, opposite order&#10;&#10;A deadlock: two threads each hold one lock" "narration as the step's title"
names() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); ev = d["traceEvents"] if isinstance(d, dict) else d
print(" ".join(sorted({e["args"]["name"] for e in ev if e.get("ph") == "M" and e.get("name") == "thread_name"})))' "$1"; }
expect_eq "$(names "$T/a.json")" "$(names "$T/live.json")" "same thread names as live"
expect_has "$(names "$T/a.json")" "Thread-2" "thread names present"
# a window of it
$BIN --view "$T/t.trace" --from 0.5 --to 1.5 --record "$T/w.svg" || fail "--from/--to"
expect_has "$(cat "$T/w.svg")" "<svg" "a window recorded"
$BIN --view "$T/t.trace" --from 2 --to 1 --record "$T/w.svg" 2>"$T/err"; expect_eq "$?" "2" "--to before --from"
# hostile, cut, old, missing: refused clearly, nothing drawn
head -c 300 "$T/t.trace" > "$T/cut.trace"
$BIN --view "$T/cut.trace" --record "$T/c.svg" 2>"$T/err"; expect_eq "$?" "1" "cut trace refused"
expect_has "$(cat "$T/err")" "truncated trace" "cut trace explained"
test -e "$T/c.svg" && fail "nothing drawn from a cut trace"
head -c 4000 /dev/urandom > "$T/junk.trace"
$BIN --view "$T/junk.trace" --record "$T/c.svg" 2>"$T/err"; expect_eq "$?" "1" "junk refused"
expect_has "$(cat "$T/err")" "not a threadlab trace" "junk explained"
$BIN --view "$T/t.trace" 2>"$T/err"; expect_eq "$?" "1" "--view without a display or --record"
expect_has "$(cat "$T/err")" "needs a display" "said why"
# lost updates: a marker on the writer's lane, in SVG, PNG and JSON
cat > "$T/race.lua" <<'LUA'
lab.watch("g")
g = 0
local function work() for i = 1, 3000 do g = g + 1 end end
local a, b = threading.Thread{target = work}, threading.Thread{target = work}
a:start(); b:start(); a:join(); b:join()
print(g)
LUA
$BIN --headless --clock virtual --speed 0 --switch-points instruction --switch-interval 0.01 \
  --record "$T/r.svg" --record "$T/r.json" --record "$T/r.png" "$T/race.lua" > "$T/out" || fail "race run"
expect_has "$(cat "$T/r.svg")" ">lost update of g: " "lost update drawn in SVG"
expect_has "$(cat "$T/r.json")" '"name":"lost update of g: ' "lost update instant in JSON"
test -s "$T/r.png" || fail "PNG recorded"
# a ring of 100,000 events, two runs of a contended lock loop: the JSON
# holds the end of the second run and says how many were dropped
cat > "$T/loop.lua" <<'LUA'
g = 0
lock = threading.Lock()
local function work() for i = 1, 40000 do lock:acquire(); g = g + 1; lock:release() end end
local function run()
  local a, b = threading.Thread{target = work}, threading.Thread{target = work}
  a:start(); b:start(); a:join(); b:join()
end
run(); run()
lab.mark("both runs done")
print(g)
LUA
$BIN --headless --clock virtual --speed 0 --trace-size 100000 --trace-mode ring \
  --record "$T/ring.json" "$T/loop.lua" > "$T/out" 2>"$T/err" || fail "ring run"
expect_eq "$(cat "$T/out")" "160000" "the loop's result"
# the ring says once that it wrapped; the recording it cut short says so once
expect_eq "$(grep -c . "$T/err")" "2" "two lines on stderr: $(cat "$T/err")"
expect_eq "$(grep -c "its ring keeps the newest 100000 events" "$T/err")" "1" "the ring's wrap said once"
expect_has "$(cat "$T/err")" "the recording starts at" "a late start said"
expect_has "$(cat "$T/err")" "--trace-size 100000" "names the cap's option"
json=$(cat "$T/ring.json")
expect_has "$json" "older events dropped" "a dropped marker"
expect_has "$json" '"both runs done"' "the end of the second run"
expect_has "$(names "$T/ring.json")" "Thread-4" "the second run's threads"
echo ok
