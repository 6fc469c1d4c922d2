# The virtual clock across processes: virtual pids (1000, 1001, ...), one
# scheduler for every process (a parent and its children interleave), a
# wait goes on from the child's end, so a fork + Process run replays byte
# for byte; --cores K lets K processes compute side by side.
. tests/cli/lib.sh
cat > "$T/p.lua" <<'LUA'
local pid = os.fork()
if pid == 0 then
  local s = 0; for i = 1, 100000 do s = s + i end
  time.sleep(0.5); print("child", os.getpid(), os.getppid()); os._exit(3)
end
local _, st = os.waitpid(pid, 0)
print("status", pid, os.WEXITSTATUS(st), ("%.3f"):format(time.time() - 1767225600))
local p = mp.Process{target = function(a) time.sleep(1); print("in", a, os.getpid()) end, args = {1}}
p:start(); p:join()
print("exitcode", p.exitcode, p.pid, ("%.3f"):format(time.time() - 1767225600))
LUA
for i in 1 2; do
  $BIN --headless --clock virtual --speed 0 --seed 3 --trace "$T/$i.trace" --record "$T/$i.svg" "$T/p.lua" > "$T/$i.out" || fail "run $i"
  $BIN --dump-trace "$T/$i.trace" > "$T/$i.dump" || fail "dump $i"
done
expect_eq "$(cat "$T/1.out")" "$(printf 'child 1001 1000\nstatus 1001 3 0.502\nin 1 1002\nexitcode 0 1002 1.502')" "virtual pids; a wait goes on from the child's end"
expect_has "$(cat "$T/1.out")" "in 1 1002" "Process-1 is 1002"
cmp -s "$T/1.dump" "$T/2.dump" || fail "--dump-trace differs between two runs"
cmp -s "$T/1.svg" "$T/2.svg" || fail "the SVG differs between two runs"
grep -q "MainProcess (process 1) · GIL" "$T/1.svg" || fail "the SVG heads MainProcess (process 1)"
grep -q "Process-1 (process 3) · GIL" "$T/1.svg" || fail "the SVG heads Process-1 (process 3)"
# a zombie drawn from the child's exit to the parent's os.wait, with the
# fork arrow and the exit -> wait arrow (in the SVG's tooltips)
cat > "$T/z.lua" <<'LUA'
local pid = os.fork()
if pid == 0 then time.sleep(0.05); os._exit(0) end
time.sleep(0.15)
os.wait()
LUA
$BIN --headless --clock virtual --speed 0 --record "$T/z.svg" "$T/z.lua" || fail "zombie run"
grep -q "<title>MainThread: zombie for 100 ms (50 ms – 150 ms)</title>" "$T/z.svg" || fail "no zombie from 50 to 150 ms"
grep -q "<title>MainThread forked process 1001" "$T/z.svg" || fail "no fork arrow"
grep -q "<title>process 1001 exited; MainThread joined it at 150 ms</title>" "$T/z.svg" || fail "no exit -> wait arrow"
# an orphan re-parented before it first ran (one process at a time) still
# gets its square marker
$BIN --headless --clock virtual --speed 0 --record "$T/o.svg" -e 'local m = os.fork()
if m == 0 then if os.fork() == 0 then time.sleep(0.1) os._exit(0) end os._exit(0) end
os.waitpid(m, 0) os.wait()' || fail "orphan run"
grep -q "<title>re-parented orphan" "$T/o.svg" || fail "no re-parent marker on the orphan"
# --cores: 4 CPU-bound processes against 4 CPU-bound threads
cat > "$T/c.lua" <<'LUA'
function work() local s = 0 for i = 1, 300000 do s = s + i end end
local function run(make)
  local t0, xs = time.perf_counter(), {}
  for i = 1, 4 do xs[i] = make{target = work} xs[i]:start() end
  for i = 1, 4 do xs[i]:join() end
  return time.perf_counter() - t0
end
local tp = run(mp.Process)
local tt = run(threading.Thread)
print(("%.2f"):format(tp / tt))
LUA
expect_eq "$($BIN --headless --clock virtual --speed 0 --cores 4 "$T/c.lua")" "0.25" "4 processes on 4 cores: a quarter of the threads' time"
expect_eq "$($BIN --headless --clock virtual --speed 0 --cores 2 "$T/c.lua")" "0.50" "on 2 cores: half"
expect_eq "$($BIN --headless --clock virtual --speed 0 --cores 1 "$T/c.lua")" "1.00" "on 1 core: as long as the threads"
# a parent acts while its child runs: a sleeping child is terminated (-15)
out=$($BIN --headless --clock virtual --speed 0 -e 'local p = mp.Process{target = function() time.sleep(10) end}
p:start() time.sleep(0.1) p:terminate() p:join() print(p.exitcode, time.perf_counter())')
expect_eq "$out" "-15 0.1" "terminate on the virtual clock"
# the clock cannot change under live processes (they wait for the virtual
# scheduler): a clear error, and the change works once they are joined
out=$($BIN --headless --clock virtual -e 'local p = mp.Process{target = function() time.sleep(1) end}
p:start() print(pcall(lab.clock, {clock = "real"})) p:join() lab.clock{clock = "real"} print(lab.clock().clock)')
expect_has "$out" "RuntimeError: the clock can change only while no other process of the run is alive" "clock change refused"
expect_has "$out" "real" "and allowed after the join"
# on the real clock, pids are the kernel's
out=$($BIN --headless -e 'print(os.getpid() ~= 1000 and os.getpid() > 1)')
expect_eq "$out" "true" "real pids on the real clock"
# Walks in Lua's table order (a hash seed that changes every run) made
# the events of a run move: a process flushing its queues at exit joined
# their feeders in that order. Three runs, one trace.
expect_eq "$(replays tests/cli/programs/six_queues.lua fork)" "a b c d e f" "six queues across processes (fork)"
echo ok
