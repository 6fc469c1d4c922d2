# multiprocessing's spawn start method: the child is a fresh threadlab that
# runs the main script again as __mp_main__ (unguarded top-level code runs
# again in every spawned child, never in a forked one), then its target,
# found by name; errors, exit codes and the start-method rules as CPython
# 3.11's for the same programs; its events in the run's trace; the cap and
# the sandbox hold in it; nothing of the run is left (from /proc).
. tests/cli/lib.sh
export TL_SPAWN_MARK=$$.$RANDOM
V="--headless --clock virtual --speed 0"


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
echo ok
