# Between processes, as a user sees it: an unpicklable put prints the
# feeder's PicklingError and the item is lost while put returns (CPython
# 3.11 does the same); the session goes on. Value's lost updates.
. tests/cli/lib.sh

out=$($BIN --headless -e 'local q = mp.Queue()
q:put(function() end)
print("put returned")
q:put("next")
print(q:get())
print(pcall(q.get, q, true, 0.2))' 2>&1)
expect_has "$out" "put returned" "put returns"
expect_has "$out" "PicklingError: Can't pickle local function at obj" "the feeder prints the error"
expect_has "$out" "QueueFeederThread" "in the feeder thread"
expect_has "$out" "next" "the next item arrives"
expect_has "$out" "queue.Empty" "the lost item never arrives"

# a local function through a Pipe: PicklingError in the sender, run goes on
out=$($BIN --headless -e 'local a, b = mp.Pipe()
local ok, e = pcall(a.send, a, {cb = function() end})
print(ok, tostring(e))
a:send(1) print(b:recv())' 2>&1)
expect_has "$out" "PicklingError: Can't pickle local function at obj.cb" "Pipe send raises"
expect_has "$out" "$(printf '\n1')" "the session goes on"

# 002 13.4: two processes x 100,000 guarded += 1 never lose an update, under
# the virtual clock and the real one. (Unguarded ones lose updates only when
# the two processes really overlap on the machine's cores: not asserted.)
prog='local v = mp.Value("i", 0)
local guard = arg[1] == "guarded"
local function f()
  local l = v:get_lock()
  for _ = 1, 100000 do
    if guard then l:acquire() end
    v.value = v.value + 1
    if guard then l:release() end
  end
end
local ps = {mp.Process{target = f}, mp.Process{target = f}}
for _, p in ipairs(ps) do p:start() end
for _, p in ipairs(ps) do p:join() end
print(v.value)'
printf '%s\n' "$prog" > "${TMPDIR:-/tmp}/tl_value_$$.lua"
for seed in 1 2 3; do
  g=$($BIN --headless --clock virtual --speed 0 --seed $seed "${TMPDIR:-/tmp}/tl_value_$$.lua" guarded)
  expect_eq "$g" 200000 "guarded, seed $seed"
done
g=$($BIN --headless "${TMPDIR:-/tmp}/tl_value_$$.lua" guarded)
expect_eq "$g" 200000 "guarded, real clock"
rm -f "${TMPDIR:-/tmp}/tl_value_$$.lua"
# one scheduler runs parent and child: the parent's put reaches the child
out=$(timeout 30 $BIN --headless --clock virtual --speed 0 -e 'local q = mp.Queue()
local p = mp.Process{target = function() print("child", q:get()) end}
p:start() q:put(5) p:join() print("exitcode", p.exitcode)' 2>&1)
expect_has "$out" "child 5" "a put reaches a waiting child"
expect_has "$out" "exitcode 0" "which ends well"
# a get nobody will ever put to: a hang across processes, naming the queue,
# drawn as threads' hangs are (the HANG banner)
out=$(timeout 30 $BIN --headless --clock virtual --speed 0 --record "$T/hang.svg" -e 'local q = mp.Queue()
local p = mp.Process{target = function() print("child", q:get()) end}
p:start() p:join() print("exitcode", p.exitcode)' 2>&1)
expect_has "$out" "HangError: hang across processes: MainThread waits on mp.Queue-1" "the hang names the queue"
grep -q "HANG at 2 ms: hang across processes: MainThread waits on mp.Queue-1, and every process" "$T/hang.svg" ||
  fail "the picture has no HANG banner (at once: every process of the run is stuck)"
expect_has "$out" "exitcode 1" "the session goes on"
# a put that comes late (after a 100 s sleep) is no hang
out=$(timeout 30 $BIN --headless --clock virtual --speed 0 -e 'local q = mp.Queue()
local p = mp.Process{target = function() print("child", q:get()) end}
p:start() time.sleep(100) q:put(7) p:join() print("exitcode", p.exitcode, time.perf_counter())' 2>&1)
expect_has "$out" "child 7" "a late put reaches the child"
expect_has "$out" "exitcode 0 100.001" "no hang while the parent sleeps"
# a get that waits for another process lets go of its GIL, on the virtual
# clock too (it was drawn as running for the whole wait)
$BIN --headless --clock virtual --speed 0 --trace "$T/g.trace" -e 'local q = mp.Queue()
local p = mp.Process{target = function() time.sleep(0.05) q:put(1) end}
p:start() print(q:get()) p:join()' > /dev/null || fail "the get run"
$BIN --dump-trace "$T/g.trace" | grep " P1 T1 " | grep -A1 "queue-block" | grep -q "gil-release" ||
  fail "the parent's get kept its GIL"
# timeouts on the virtual clock are virtual seconds (they were real ones)
out=$(timeout 30 $BIN --headless --clock virtual --speed 0 -e 'local q = mp.Queue()
print(pcall(q.get, q, true, 2.5)) print(time.perf_counter())
local a, b = mp.Pipe() print(b:poll(1.5), time.perf_counter())' 2>&1)
expect_eq "$out" "$(printf 'false queue.Empty\n2.5\nfalse 4.0')" "virtual timeouts"
# a Pool on the virtual clock: results in order, the same run every time
cat > "$T/vpool.lua" <<'LUA'
function sq(x) return x * x end
local pool = mp.Pool(3)
print(table.concat(pool:map(sq, {1, 2, 3, 4, 5, 6, 7}), " "))
local got = {}
for i = 1, 10 do pool:apply_async(sq, {i}, {callback = function(v) got[#got + 1] = v end}) end
pool:close() pool:join()
print(#got, time.perf_counter())
LUA
for i in 1 2; do
  timeout 60 $BIN --headless --clock virtual --speed 0 --seed 2 --trace "$T/pool$i.trace" "$T/vpool.lua" > "$T/pool$i.out" 2>&1 || fail "pool run $i"
  $BIN --dump-trace "$T/pool$i.trace" > "$T/pool$i.dump" || fail "pool dump $i"
done
expect_has "$(cat "$T/pool1.out")" "1 4 9 16 25 36 49" "Pool.map on the virtual clock"
expect_has "$(cat "$T/pool1.out")" "10 " "every callback ran"
cmp -s "$T/pool1.dump" "$T/pool2.dump" || fail "a Pool run replays byte for byte"
cmp -s "$T/pool1.out" "$T/pool2.out" || fail "and prints the same"
echo ok
