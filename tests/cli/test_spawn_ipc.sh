# The spawn start method, between processes: a Manager's server spawned and
# its proxies in spawned Pool workers; Queue, Pipe, Value, Array, Lock,
# Event and a Pool handed to spawned children; replay by seed of what a
# spawned child rebuilds. (test_spawn.sh has the start method itself.)
. tests/cli/lib.sh
V="--headless --clock virtual --speed 0"
# A Manager under spawn: its server is a spawned threadlab (it runs the
# file again, as CPython's does), and its proxies work in spawned Pool
# workers; CPython 3.11 prints the same for the same program. Every
# request from a spawned worker is drawn as an arrow to the server's lane
# (the workers are handed the managers' channels, as a fork inherits them).
cat > "$T/mgr.lua" <<'LUA'
print("top " .. __name__)
function work(q, d, i) q:put(i * i) d[i] = os.getpid() end
if __name__ == "__main__" then
  mp.set_start_method("spawn")
  local m = mp.Manager()
  local q, d = m:Queue(), m:dict()
  local po = mp.Pool(2)
  for i = 1, 4 do po:apply_async(work, {q, d, i}) end
  po:close() po:join()
  local got = {}
  for i = 1, 4 do got[#got + 1] = q:get() end
  table.sort(got)
  print(table.concat(got, " "), #d, m._process.name)
  m:shutdown()
end
LUA
out=$($BIN --headless --clock virtual --speed 0 --trace "$T/mgr.bin" "$T/mgr.lua" 2>&1) || fail "Manager under spawn: $out"
expect_eq "$out" "$(printf 'top __main__\ntop __mp_main__\ntop __mp_main__\ntop __mp_main__\n1 4 9 16 4 SyncManager-1')" "a Manager's proxies in spawned Pool workers"
$BIN --dump-trace "$T/mgr.bin" > "$T/mgr.txt" || fail "Manager under spawn, dumped"
$BIN --headless --clock virtual --speed 0 --trace "$T/mgr2.bin" "$T/mgr.lua" >/dev/null 2>&1
$BIN --dump-trace "$T/mgr2.bin" | cmp -s - "$T/mgr.txt" || fail "two virtual runs of a Manager under spawn, two traces"
# the requests channel is the object of the parent's first put; the
# workers (P3, P4) put 8 requests on it (4 puts, 4 setitems), each one
# the server gets: without the handed channels they sent untagged
req=$(awk '$3 == "P1" && $5 == "queue-put" { print $7; exit }' "$T/mgr.txt")
n=$(awk -v o="$req" '($3 == "P3" || $3 == "P4") && $5 == "queue-put" && $7 == o' "$T/mgr.txt" | wc -l)
[ "$n" -eq 8 ] || fail "the workers' 8 requests are traced puts (got $n)"
$BIN --headless --view "$T/mgr.bin" --record "$T/mgr.svg" || fail "Manager under spawn, viewed"
grep -q "<title>MainThread put an item on Queue Manager requests-1: Thread-[2-9] (serve_client) got it" "$T/mgr.svg" ||
  fail "a worker's request drawn as an arrow to the server's lane"

# Queue, Pipe, Value, Array, Lock, Event reach a spawned child as under fork
# (CPython 3.11 prints the same for the same program), and a Pool's
# workers are spawned (each runs the file again)
cat > "$T/ipc.lua" <<'LUA'
print("top " .. __name__)
function producer(q, n) for i = 1, n do q:put(i * 10) end; q:put(nil) end
function pinger(conn) conn:send("ping"); print("child got " .. conn:recv()) end
function adder(v, a, lock, ev)
  for _ = 1, 100 do local _ <close> = v:get_lock():held(); v.value = v.value + 1 end
  a[2] = 42
  lock:acquire(); print("child holds the lock"); lock:release()
  ev:set()
end
function sq(x) return x * x end
if __name__ == "__main__" then
  mp.set_start_method("spawn")
  local q = mp.Queue()
  local p = mp.Process{ target = producer, args = { q, 3 } }; p:start()
  local got = {}
  while true do local x = q:get(); if x == nil then break end; got[#got + 1] = x end
  p:join(); print("queue " .. table.concat(got, " ") .. ", exitcode " .. p.exitcode)
  local a, b = mp.Pipe()
  local c = mp.Process{ target = pinger, args = { b } }; c:start()
  print("parent got " .. a:recv()); a:send("pong"); c:join()
  local v, arr, lock, ev = mp.Value("i", 0), mp.Array("i", 3), mp.Lock(), mp.Event()
  local d = mp.Process{ target = adder, args = { v, arr, lock, ev } }; d:start()
  for _ = 1, 100 do local _ <close> = v:get_lock():held(); v.value = v.value + 1 end
  d:join(); print("value " .. v.value .. ", array " .. arr[2] .. ", event " .. tostring(ev:is_set()))
  local pool = mp.Pool(2)
  print("pool " .. table.concat(pool:map(sq, { 1, 2, 3, 4 }), " "))
  pool:close(); pool:join()
end
LUA
out=$($BIN --headless "$T/ipc.lua" 2>&1); rc=$?
expect_has "$out" "queue 10 20 30, exitcode 0" "a Queue under spawn"
expect_in_order "$out" "$(printf 'top __mp_main__\nparent got ping\nchild got pong')" "a Pipe under spawn"
expect_has "$out" "child holds the lock" "a Lock under spawn"
expect_has "$out" "value 200, array 42, event true" "a Value, an Array and an Event under spawn"
expect_has "$out" "pool 1 4 9 16" "a Pool's spawned workers"
expect_eq "$(printf '%s\n' "$out" | grep -c '^top __mp_main__$')" "5" "the file ran again in 3 children and 2 workers"
expect_eq "$rc" "0" "exit status"
# the same on the virtual clock, where the scheduler across processes runs
# spawned children too: the same output, and the same trace twice
out=$($BIN $V --trace "$T/v1.trace" "$T/ipc.lua" 2>&1)
expect_has "$out" "value 200, array 42, event true" "IPC under spawn on the virtual clock"
expect_has "$out" "pool 1 4 9 16" "a spawned Pool on the virtual clock"
$BIN $V --trace "$T/v2.trace" "$T/ipc.lua" >/dev/null 2>&1
$BIN --dump-trace "$T/v1.trace" >"$T/v1.dump"; $BIN --dump-trace "$T/v2.trace" >"$T/v2.dump"
cmp -s "$T/v1.dump" "$T/v2.dump" || fail "two virtual runs of spawned IPC, two traces"
# a queue handed over after it was started is still CPython's error
out=$($BIN --headless -e 'q = mp.Queue(); print(pcall(pickle.dumps, q))' 2>&1)
expect_has "$out" "Queue objects should only be shared between processes through inheritance" "pickling a Queue outside spawning"

# Walks in Lua's table order (a hash seed that changes every run) made
# the events of a run move: a spawned child rebuilt what it was handed
# (and made its objects) in that order. Three runs, one trace.
expect_eq "$(replays tests/cli/programs/six_queues.lua spawn)" "a b c d e f" "six queues across processes (spawn)"
echo ok
