# multiprocessing's spawn start method: the child is a fresh threadlab that
# runs the main script again as __mp_main__ (unguarded top-level code runs
# again in every spawned child, never in a forked one), then its target,
# found by name; errors, exit codes and the start-method rules as CPython
# 3.11's for the same programs; its events in the run's trace; the cap and
# the sandbox hold in it; nothing of the run is left (from /proc).
. tests/cli/lib.sh
export TL_SPAWN_MARK=$$.$RANDOM
V="--headless --clock virtual --speed 0"
# the lines of $2 are lines of $1, in this order (others may come between)
expect_in_order() {
  WANT=$2 awk 'BEGIN { n = split(ENVIRON["WANT"], w, "\n"); k = 1 }
               k <= n && $0 == w[k] { k++ } END { exit k <= n }' <<<"$1" ||
    fail "$3: [$2] not in this order in [$1]"
}


# the same script under fork and under spawn: the top runs again only in
# spawned children (CPython 3.11 prints the same lines for the same program)
cat > "$T/top.lua" <<'LUA'
print("top " .. __name__)
function work(n)
  print("work " .. n .. " " .. __name__ .. " " .. mp.current_process().name .. " parent " ..
        mp.parent_process().name .. " " .. tostring(mp.parent_process().pid == os.getppid()))
end
if __name__ == "__main__" then
  mp.set_start_method(arg[1])
  print("main")
  for i = 1, 2 do
    local p = mp.Process{ target = work, args = { i } }
    p:start(); p:join()
    print("exitcode " .. p.exitcode .. " pid " .. p.pid)
  end
end
LUA
out=$($BIN $V "$T/top.lua" fork 2>&1); rc=$?
expect_eq "$out" "$(printf 'top __main__\nmain\nwork 1 __main__ Process-1 parent MainProcess true\nexitcode 0 pid 1001\nwork 2 __main__ Process-2 parent MainProcess true\nexitcode 0 pid 1002')" "fork: the top runs once"
expect_eq "$rc" "0" "fork: exit status"
out=$($BIN $V "$T/top.lua" spawn 2>&1); rc=$?
expect_eq "$out" "$(printf 'top __main__\nmain\ntop __mp_main__\nwork 1 __mp_main__ Process-1 parent MainProcess true\nexitcode 0 pid 1001\ntop __mp_main__\nwork 2 __mp_main__ Process-2 parent MainProcess true\nexitcode 0 pid 1002')" "spawn: the top runs again in each child"
expect_eq "$rc" "0" "spawn: exit status"

# the same run twice: the same trace and the same picture, byte for byte;
# the children's events are in it, each child a process of its own
$BIN $V --seed 3 --trace "$T/a.trace" --record "$T/a.svg" "$T/top.lua" spawn >/dev/null 2>&1
$BIN $V --seed 3 --trace "$T/b.trace" --record "$T/b.svg" "$T/top.lua" spawn >/dev/null 2>&1
$BIN --dump-trace "$T/a.trace" >"$T/a.dump"; $BIN --dump-trace "$T/b.trace" >"$T/b.dump"
cmp -s "$T/a.dump" "$T/b.dump" || fail "two spawn runs, two traces"
cmp -s "$T/a.svg" "$T/b.svg" || fail "two spawn runs, two pictures"
dump=$(cat "$T/a.dump")
expect_has "$dump" 'P2 T1 proc-name          r=0 obj=1000 "Process-1"' "the child names itself in the trace"
expect_has "$dump" 'P2 T1 print              r=0 obj=0 "top __mp_main__"' "the child's print in the trace"
expect_has "$dump" 'P1 T1 reap               r=0 obj=1001' "the parent reaps it"
expect_has "$(cat "$T/a.svg")" "Process-2 (process 3)" "the second child on the timeline"

# a target the fresh child cannot find by name: CPython's AttributeError
cat > "$T/missing.lua" <<'LUA'
function f() print("f ran") end
if __name__ == "__main__" then
  mp.set_start_method("spawn")
  local p = mp.Process{ target = f }; p:start(); p:join(); print("exitcode " .. p.exitcode)
else
  f = nil
end
LUA
out=$($BIN $V "$T/missing.lua" 2>&1); rc=$?
expect_has "$out" "AttributeError: Can't get attribute 'f' on <module '__mp_main__' from '$(realpath "$T/missing.lua")'>" "a target not found"
expect_has "$out" "exitcode 1" "its exit code"
case "$out" in *"f ran"*) fail "the missing target ran" ;; esac
expect_eq "$rc" "0" "the parent's exit status"
# from -e (or stdin, or the REPL) there is no file to run again: said so
out=$($BIN $V -e 'function f() end; mp.set_start_method("spawn"); p = mp.Process{target = f}; p:start(); p:join(); print("exitcode " .. p.exitcode)' 2>&1)
expect_has "$out" "Can't get attribute 'f' on <module '__mp_main__' (built-in)>: the main code came from -e, which a spawned child cannot run again; put it in a script file" "-e"
expect_has "$out" "exitcode 1" "-e: exit code"
out=$($BIN $V - <"$T/missing.lua" 2>&1)
expect_has "$out" "the main code came from stdin" "stdin"
# a target of threadlab's own is found anywhere (as a module's function is in CPython)
out=$($BIN $V -e 'mp.set_start_method("spawn"); p = mp.Process{target = os._exit, args = {5}}; p:start(); p:join(); print("exitcode " .. p.exitcode)' 2>&1)
expect_eq "$out" "exitcode 5" "a library function as target"
# what cannot be pickled fails in the parent, at start (PicklingError)
out=$($BIN $V -e 'mp.set_start_method("spawn"); local p = mp.Process{target = function() end}; print(pcall(p.start, p))' 2>&1)
expect_has "$out" "false PicklingError: Can't pickle local function at process.target" "a local target"

# the start method: once, unless forced; starting a process fixes it (CPython)
out=$($BIN $V -e 'print(mp.get_start_method(true)); mp.set_start_method("spawn")
print(pcall(mp.set_start_method, "spawn")); print(pcall(mp.set_start_method, "fork", true), mp.get_start_method())
mp.set_start_method(nil, true); print(mp.get_start_method(true), pcall(mp.set_start_method, "bogus"))
print(mp.get_start_method(), pcall(mp.set_start_method, "spawn"))
local c = mp.get_context("spawn"); print(tostring(c), c:get_start_method(), mp.get_start_method())
print(pcall(mp.get_context, "forkserver"))' 2>&1)
expect_eq "$out" "$(printf "nil\nfalse RuntimeError: context has already been set\ntrue fork\nnil false ValueError: cannot find context for 'bogus'\nfork false RuntimeError: context has already been set\n<multiprocessing.context.SpawnContext> spawn fork\nfalse ValueError: cannot find context for 'forkserver'")" "set_start_method, get_start_method, get_context"
# unguarded: the child refuses to set the method again, or to start a process
printf 'print("top " .. __name__)\nfunction f() end\nmp.set_start_method("spawn")\np = mp.Process{target = f}; p:start(); p:join(); print("exitcode " .. p.exitcode)\n' >"$T/u1.lua"
out=$($BIN $V "$T/u1.lua" 2>&1)
expect_has "$out" "RuntimeError: context has already been set" "an unguarded set_start_method in the child"
expect_has "$out" "exitcode 1" "its exit code"
printf 'function f() print("f ran") end\nif __name__ == "__main__" then mp.set_start_method("spawn") end\np = mp.Process{target = f}; p:start(); p:join(); print("exitcode " .. p.exitcode)\n' >"$T/u2.lua"
out=$($BIN $V "$T/u2.lua" 2>&1)
expect_has "$out" "An attempt has been made to start a new process before the" "an unguarded start in the child"
expect_has "$out" "current process has finished its bootstrapping phase." "CPython's words"
expect_has "$out" "exitcode 1" "its exit code"
case "$out" in *"f ran"*) fail "the refused child ran its target" ;; esac
# a context's processes start by its method, whatever the program's
cat > "$T/ctx.lua" <<'LUA'
print("top " .. __name__)
function work() print("work " .. __name__) end
if __name__ == "__main__" then
  local p = mp.get_context("spawn").Process{ target = work }; p:start(); p:join()
  print(mp.get_start_method())
  local m = mp.get_context("spawn").Manager()
  print(m._process.name); m:shutdown()
end
LUA
out=$($BIN --headless "$T/ctx.lua" 2>&1)
# (the server's line and the parent's last one come in either order)
expect_eq "$(echo "$out" | head -4)" "$(printf 'top __main__\ntop __mp_main__\nwork __mp_main__\nfork')" "get_context(\"spawn\").Process"
expect_eq "$(echo "$out" | tail -n +5 | sort)" "$(printf 'SyncManager-1\ntop __mp_main__')" "get_context(\"spawn\"): its Manager's server is spawned"

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

# exit codes, join(timeout), is_alive, terminate, a child that spawns (real clock)
cat > "$T/codes.lua" <<'LUA'
function sleeper() time.sleep(100) end
function bad() error(ValueError("no such file")) end
function exiter() os.exit(7) end
function nest(n)
  print("nest " .. n .. " " .. mp.current_process().name)
  if n > 0 then local p = mp.Process{ target = nest, args = { n - 1 } }; p:start(); p:join() end
end
if __name__ == "__main__" then
  mp.set_start_method("spawn")
  local s = mp.Process{ target = sleeper }; s:start()
  s:join(0.2); print("after join(0.2)", s.exitcode, s:is_alive())
  s:terminate(); s:join(); print("terminated", s.exitcode, s:is_alive())
  local b = mp.Process{ target = bad }; b:start(); b:join(); print("error", b.exitcode)
  local e = mp.Process{ target = exiter }; e:start(); e:join(); print("os.exit(7)", e.exitcode)
  local n = mp.Process{ target = nest, args = { 2 } }; n:start(); n:join(); print("nested", n.exitcode)
end
LUA
out=$($BIN --headless "$T/codes.lua" 2>&1); rc=$?
expect_in_order "$out" "$(printf 'after join(0.2) nil true\nterminated -15 false')" "join(timeout), terminate"
expect_in_order "$out" "$(printf 'Process Process-2:\nTraceback (most recent call last):')" "the child's traceback"
expect_has "$out" "ValueError: no such file" "its error"
expect_in_order "$out" "$(printf 'error 1\nos.exit(7) 7\nnest 2 Process-4\nnest 1 Process-4:1\nnest 0 Process-4:1:1\nnested 0')" "exit codes; a spawned child spawns"
expect_eq "$rc" "0" "exit status"

# the cap counts spawned children; the sandbox holds in them
out=$($BIN --headless --max-procs 1 -e 'mp.set_start_method("spawn")
local a = mp.Process{target = time.sleep, args = {0.3}}; a:start()
local b = mp.Process{target = time.sleep, args = {0.3}}
print(select(2, pcall(b.start, b)).type); a:join()' 2>&1)
expect_eq "$out" "BlockingIOError" "--max-procs counts a spawned child"
printf 'function f() os.execute("true") end\nif __name__ == "__main__" then mp.set_start_method("spawn"); p = mp.Process{target = f}; p:start(); p:join(); print("exitcode " .. p.exitcode) end\n' >"$T/sb.lua"
out=$($BIN $V --sandbox "$T/sb.lua" 2>&1)
expect_has "$out" "PermissionError: os.execute is not allowed in the sandbox" "the sandbox in a spawned child"
expect_has "$out" "exitcode 1" "its exit code"

# nothing is left: a daemonic spawned child ends with the main code, and
# os.exit with a spawned child running leaves none either
out=$($BIN --headless -e 'mp.set_start_method("spawn")
mp.Process{daemon = true, target = time.sleep, args = {100}}:start()
print("main ends")' 2>&1); rc=$?
expect_eq "$out" "main ends" "a daemonic spawned child"
expect_eq "$rc" "0" "its exit status"
$BIN --headless -e 'mp.set_start_method("spawn")
mp.Process{target = time.sleep, args = {100}}:start(); time.sleep(0.3); os.exit(0)' >/dev/null 2>&1
sleep 0.3
expect_eq "$(left_behind TL_SPAWN_MARK)" "0" "processes left after the runs"
# Walks in Lua's table order (a hash seed that changes every run) made
# the events of a run move: a spawned child rebuilt what it was handed
# (and made its objects) in that order. Three runs, one trace.
expect_eq "$(replays tests/cli/programs/six_queues.lua spawn)" "a b c d e f" "six queues across processes (spawn)"
echo ok
