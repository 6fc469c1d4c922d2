# os.fork and friends, in the real clock: a child is a copy, ends as a
# child, and leaves nothing behind (each checked against what CPython does).
. tests/cli/lib.sh
export TL_FORK_TEST_MARK=$$.$RANDOM

out=$($BIN --headless -e 'g = 1; local pid = os.fork(); if pid == 0 then g = 2; os._exit(0) else os.waitpid(pid, 0); print(g) end'); rc=$?
expect_eq "$out" "1" "globals are copied, not shared"
expect_eq "$rc" "0" "exit status"

out=$($BIN --headless -e 'local a = os.fork(); local b = os.fork(); print(os.getpid())
if b ~= 0 then os.waitpid(b, 0) end; if a ~= 0 and b ~= 0 then os.waitpid(a, 0) end' 2>&1)
n=$(printf '%s\n' "$out" | sort -u | wc -l)
expect_eq "$n" "4" "two forks make four processes with four pids"

out=$($BIN --headless -e 'io.write("once "); local pid = os.fork(); if pid == 0 then os._exit(0) end; os.waitpid(pid, 0); print("end")')
expect_eq "$out" "once end" "output buffered before the fork is written once"

cat > "$T/f.lua" <<'LUA'
local t = threading.Thread{target = function() time.sleep(0.5) end}; t:start()
local me = os.getpid()
local pid = os.fork()
if pid == 0 then
  print("child threads", #threading.enumerate(), os.getppid() == me)
  os._exit(3)
end
local p2, st = os.waitpid(pid, 0)
print("waited", p2 == pid, os.WIFEXITED(st), os.WEXITSTATUS(st))
local pid2 = os.fork()
if pid2 == 0 then time.sleep(30); os._exit(0) end
local z, zs = os.waitpid(pid2, os.WNOHANG)
print("nohang", z, zs)
os.kill(pid2, signal.SIGKILL)
local _, st2 = os.waitpid(pid2, 0)
print("killed", os.WIFSIGNALED(st2), os.WTERMSIG(st2))
local ok, e = pcall(os.wait)
print(e.type, tostring(e))
local ok2, e2 = pcall(os.kill, pid2, signal.SIGTERM)
print(e2.type)
t:join()
LUA
out=$($BIN --headless "$T/f.lua" 2>&1); rc=$?
expect_eq "$out" "$(printf 'child threads 1 true\nwaited true true 3\nnohang 0 0\nkilled true 9\nChildProcessError ChildProcessError: [Errno 10] No child processes\nProcessLookupError')" "os.fork, waitpid, WNOHANG, kill, W* macros, errors"
expect_eq "$rc" "0" "exit status"

# a child that errors: its traceback, status 1; a chunk's end ends the child
out=$($BIN --headless -e 'if os.fork() == 0 then error(ValueError("in the child")) end; local _, st = os.wait(); print("status", os.WEXITSTATUS(st))' 2>&1)
expect_has "$out" "ValueError: in the child" "the child's traceback"
expect_has "$out" "status 1" "an uncaught error: exit status 1"

# a forking thread: in the child only it exists, and its end ends the child
out=$($BIN --headless -e 'local t = threading.Thread{name = "forker", target = function()
  local pid = os.fork()
  if pid == 0 then print("in child:", threading.current_thread().name, #threading.enumerate()) return end
  local _, st = os.waitpid(pid, 0); print("child status", os.WEXITSTATUS(st)) end}
t:start(); t:join(); print("parent goes on")' 2>&1)
expect_eq "$out" "$(printf 'in child: forker 1\nchild status 0\nparent goes on')" "fork from a thread"

# a child never writes the run's --record or --trace files
$BIN --headless --record "$T/r.svg" --trace "$T/r.trace" -e 'local pid = os.fork()
if pid == 0 then print("child ends") return end
os.waitpid(pid, 0)
local f = io.open(arg[0] == "" and "" or "'"$T"'/r.svg"); print("svg after child", f ~= nil)' > "$T/out" 2>&1
expect_eq "$(cat "$T/out")" "$(printf 'child ends\nsvg after child false')" "the child wrote no --record file"
[ -s "$T/r.svg" ] && [ -s "$T/r.trace" ] || fail "the parent wrote its files"

# a Lock held by another thread at fork time stays locked in the child
out=$(timeout 20 $BIN --headless -e 'local l = threading.Lock()
local t = threading.Thread{target = function() l:acquire(); time.sleep(0.4); l:release() end}; t:start()
time.sleep(0.1)
local pid = os.fork()
if pid == 0 then print("timed:", l:acquire(true, 0.2)); l:acquire(); os._exit(0) end
time.sleep(0.6); os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); t:join()' 2>&1)
expect_has "$out" "timed: false" "the lock stays locked in the child"
expect_has "$out" "which Thread-1 (<lambda>) held when this process was forked; Thread-1 (<lambda>) does not exist in this child" "the detector names the hazard"

# a wait for a child releases the GIL (another thread runs meanwhile), and
# a thread stuck in one is cancelled at exit (the run ends at once)
out=$(timeout 20 $BIN --headless -e 'local n, stop = 0, false
local t = threading.Thread{target = function() while not stop do n = n + 1 end end}; t:start()
local pid = os.fork()
if pid == 0 then time.sleep(0.3); os._exit(0) end
os.waitpid(pid, 0); stop = true; t:join()
print("ran while waiting:", n > 1000)
local pid2 = os.fork()
if pid2 == 0 then time.sleep(100); os._exit(0) end
threading.Thread{daemon = true, target = function() os.waitpid(pid2, 0) end}:start()
time.sleep(0.1); print("main ends")' 2>&1); rc=$?
expect_eq "$out" "$(printf 'ran while waiting: true\nmain ends')" "waitpid releases the GIL; a waiter is cancelled at exit"
expect_eq "$rc" "0" "exit status with a thread in waitpid"

# nothing of these runs is left: no process, no zombie
sleep 0.2
expect_eq "$(left_behind TL_FORK_TEST_MARK)" "0" "processes left behind"
echo ok
