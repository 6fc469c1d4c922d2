# The primitives under the virtual clock: the notes' deadlock is found at
# once, the semaphore example ends at exactly 4.0 s, and the Condition
# example prints the same under every seed.
. tests/cli/lib.sh
cat > "$T/dl.lua" <<'LUA'
local lockA, lockB = threading.Lock{name = "lockA"}, threading.Lock{name = "lockB"}
local function t1() lockA:acquire(); time.sleep(1); lockB:acquire(); lockB:release(); lockA:release() end
local function t2() lockB:acquire(); time.sleep(1); lockA:acquire(); lockA:release(); lockB:release() end
local a, b = threading.Thread{name = "t1", target = t1}, threading.Thread{name = "t2", target = t2}
a:start(); b:start(); a:join(); b:join()
LUA
timeout 10 $BIN --headless --clock virtual --speed 1 "$T/dl.lua" 2>"$T/err"; rc=$?
# --speed 1: found when the second sleep ends, at 1 s of virtual (and wall) time
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "deadlock: exit status $rc"
for w in DeadlockError t1 t2 lockA lockB; do expect_has "$(cat "$T/err")" "$w" "deadlock report names $w"; done
cat > "$T/sem.lua" <<'LUA'
local sem = threading.BoundedSemaphore(5)
local inside, most = 0, 0
local t0 = time.time()
local ts = {}
for i = 1, 20 do
  ts[i] = threading.Thread{target = function()
    sem:acquire(); inside = inside + 1; if inside > most then most = inside end
    time.sleep(1)
    inside = inside - 1; sem:release()
  end}
  ts[i]:start()
end
for i = 1, 20 do ts[i]:join() end
-- to the millisecond: the main thread's own statements cost virtual time
-- too (a quantum of 10 us once a burst passes 1,000 instructions)
print(most, ("%.3f"):format(time.time() - t0))
LUA
expect_eq "$($BIN --headless --clock virtual --speed 0 "$T/sem.lua")" "5 4.000" "at most 5 inside, 4.0 s"
first=""
for s in 1 2 3 4 5 6 7 8; do
  out=$($BIN --headless --clock virtual --speed 0 --seed $s tests/lua/test_notes_condition.lua) || fail "condition, seed $s"
  [ -z "$first" ] && first=$out
  expect_eq "$out" "$first" "condition example, seed $s"
done
echo ok
