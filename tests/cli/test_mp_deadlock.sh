# Deadlocks through multiprocessing's locks from the command line: a cycle
# across a parent and its child (real clock) ends the run with the
# DeadlockError naming both processes' threads and both locks, within
# seconds, nothing left behind; its recording draws one cycle through both
# processes; on the virtual clock it replays byte for byte; a cycle of two threads of one process through mp locks is
# found on both clocks, MainThread told once (no second report at exit).
. tests/cli/lib.sh
export TL_MPDL_MARK=$$
cat > "$T/pc.lua" <<'LUA'
L1, L2 = mp.Lock{name = "L1"}, mp.Lock{name = "L2"}
ready = mp.Event()
L1:acquire()
p = mp.Process{name = "Child", target = function()
  L2:acquire(); ready:set(); time.sleep(0.1); L1:acquire()
end}
p:start()
ready:wait()
L2:acquire()
print("not reached")
LUA
start=$(date +%s%N)
timeout 20 "$BIN" --headless --record "$T/pc.svg" "$T/pc.lua" > "$T/out" 2> "$T/err"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc -ne 124 ] || fail "the deadlock across processes hung"
expect_eq "$rc" "1" "an uncaught DeadlockError exits 1"
[ $ms -lt 10000 ] || fail "reported within seconds, not ${ms} ms"
err=$(cat "$T/err")
expect_has "$err" "DeadlockError: MainProcess/MainThread and Child/MainThread wait for each other" "the parent's report"
expect_has "$err" "MainProcess/MainThread waits for mp.Lock L2, held by Child/MainThread" "first edge"
expect_has "$err" "Child/MainThread waits for mp.Lock L1, held by MainProcess/MainThread" "second edge"
expect_has "$err" "Process Child:" "the child's own DeadlockError, its traceback"
expect_eq "$(cat "$T/out")" "" "nothing after the acquire ran"
svg=$(cat "$T/pc.svg")
expect_has "$svg" "DEADLOCK" "the banner"
for node in "MainProcess/MainThread" "Child/MainThread" "mp.Lock L1" "mp.Lock L2"; do
  expect_has "$svg" "$node" "the wait-for graph's node $node"
done
expect_has "$svg" "Child/MainThread waits for mp.Lock L1" "the child's edge in the graph"
expect_has "$svg" "MainProcess/MainThread waits for mp.Lock L2" "the parent's edge in the graph"

# The same on the virtual clock (one scheduler across processes): found
# alike, and the run replays byte for byte.
for i in 1 2; do
  timeout 20 "$BIN" --headless --clock virtual --speed 0 --trace "$T/v$i.trace" "$T/pc.lua" \
    > /dev/null 2> "$T/err"; rc=$?
  expect_eq "$rc" "1" "virtual clock: an uncaught DeadlockError exits 1"
  expect_has "$(cat "$T/err")" "MainProcess/MainThread waits for mp.Lock L2, held by Child/MainThread" \
    "virtual clock: the report"
  "$BIN" --dump-trace "$T/v$i.trace" > "$T/v$i.dump" || fail "dump $i"
done
cmp -s "$T/v1.dump" "$T/v2.dump" || fail "virtual clock: two runs, two traces"
# a wait's tooltip names a holder of another process with its process
"$BIN" --headless --clock virtual --speed 0 --record "$T/v.svg" "$T/pc.lua" > /dev/null 2>&1
expect_has "$(cat "$T/v.svg")" "blocked on mp.Lock L2 for" "virtual clock: the parent's wait drawn"
expect_has "$(cat "$T/v.svg")" ", held by Child/MainThread<" "the holder named with its process"

# Two threads of one process through mp locks; MainThread joins one.
cat > "$T/threads.lua" <<'LUA'
local A, B = mp.Lock{name = "A"}, mp.Lock{name = "B"}
local t1 = threading.Thread{name = "T1", target = function() A:acquire(); time.sleep(0.1); B:acquire() end}
local t2 = threading.Thread{name = "T2", target = function() B:acquire(); time.sleep(0.1); A:acquire() end}
t1:start(); t2:start()
local ok, e = pcall(t1.join, t1)
print(ok, e.type)
local ok2, e2 = pcall(t2.join, t2)
print(ok2, e2.type)
LUA
for clock in real virtual; do
  timeout 20 "$BIN" --headless --clock $clock --speed 0 "$T/threads.lua" > "$T/out" 2> "$T/err"; rc=$?
  expect_eq "$rc" "0" "$clock clock: the run ends well"
  expect_eq "$(cat "$T/out")" "$(printf 'false DeadlockError\nfalse DeadlockError')" "$clock clock: both joins raise"
  expect_eq "$(cat "$T/err")" "" "$clock clock: told once, as an error MainThread caught"
done

sleep 0.2
expect_eq "$(left_behind TL_MPDL_MARK)" "0" "processes left behind"
echo ok
