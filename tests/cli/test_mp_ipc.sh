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
# a hang across processes is reported naming the queue (on the virtual clock
# a child runs to its end first: the parent's put comes too late)
out=$(timeout 30 $BIN --headless --clock virtual --speed 0 -e 'local q = mp.Queue()
local p = mp.Process{target = function() print("child", q:get()) end}
p:start() q:put(5) p:join() print("exitcode", p.exitcode)' 2>&1)
expect_has "$out" "HangError: hang across processes: waiting on mp.Queue-1" "the hang names the queue"
expect_has "$out" "exitcode 1" "the session goes on"
# a Pool on the virtual clock: a clear error at once, the session goes on
out=$(timeout 30 $BIN --headless --clock virtual --speed 0 -e 'print(pcall(mp.Pool, 2)) print("on")' 2>&1)
expect_has "$out" "RuntimeError: a Pool needs the real clock" "Pool on the virtual clock"
expect_has "$out" "on" "the session goes on"
echo ok
