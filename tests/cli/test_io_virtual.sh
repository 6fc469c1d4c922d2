# Descriptors under the virtual clock: the I/O behaviour tests pass there
# too (waits block in the engine, not in a system call), and a select
# echo server with 5 loopback clients replays byte for byte by seed.
. tests/cli/lib.sh
for t in io socket select; do
  out=$(timeout 60 $BIN --headless --clock virtual --speed 0 "tests/lua/test_$t.lua" 2>&1) ||
    fail "test_$t.lua under the virtual clock: $out"
done
cat > "$T/echo.lua" <<'LUA'
local srv = socket.socket()
srv:bind({"127.0.0.1", 0}); srv:listen()
local addr, got = srv:getsockname(), {}
local clients = {}
for i = 1, 5 do
  clients[i] = threading.Thread{name = "client" .. i, target = function()
    local c = socket.socket(); c:connect(addr)
    c:sendall("data of client " .. i); got[i] = c:recv(100); c:close()
  end}
  clients[i]:start()
end
local watch, served = {srv}, 0
while served < 5 do
  for _, s in ipairs((select.select(watch, {}, {}, 5))) do
    if s == srv then watch[#watch + 1] = (srv:accept())
    else
      local data = s:recv(100)
      for k = #watch, 1, -1 do if watch[k] == s and data == "" then table.remove(watch, k); s:close() end end
      if data ~= "" then s:sendall(data); served = served + 1 end
    end
  end
end
for i = 1, 5 do clients[i]:join(); print(got[i]) end
LUA
run() { $BIN --headless --clock virtual --speed 0 --seed 3 --trace "$T/t$1.bin" "$T/echo.lua"; }
first=$(run 0) || fail "echo run"
expect_eq "$(printf '%s\n' "$first" | sort | head -1)" "data of client 1" "each client gets its own data"
expect_eq "$(printf '%s\n' "$first" | grep -c 'data of client')" "5" "five clients served"
$BIN --dump-trace "$T/t0.bin" > "$T/d0.txt" || fail "dump"
grep -q "io-ready" "$T/d0.txt" || fail "no ready set in the trace"
for i in 1 2; do
  expect_eq "$(run $i)" "$first" "same output, run $i"
  $BIN --dump-trace "$T/t$i.bin" > "$T/d$i.txt"
  cmp -s "$T/d0.txt" "$T/d$i.txt" || fail "trace of run $i differs: $(diff "$T/d0.txt" "$T/d$i.txt" | head -5)"
done
# A wait for I/O that nothing can ever end is a hang, said, not a run that
# never stops: on the virtual clock nothing outside the process moves while
# it runs. MainThread alone; a thread while MainThread joins it; a forked
# child waiting for its parent (which the virtual clock holds until the
# child ends). A writer that only sleeps first is no hang.
out=$(timeout 20 $BIN --headless --clock virtual --speed 0 -e 'r, w = os.pipe(); print(os.read(r, 1))' 2>&1)
expect_eq "$?" "1" "a hang is an error"
expect_has "$out" "HangError: hang: MainThread waits for fd 5 (pipe read end), and nothing else here can run again" "MainThread's hang named"
out=$(timeout 20 $BIN --headless --clock virtual --speed 0 -e '
r, w = os.pipe()
t = threading.Thread{target = function() print(os.read(r, 1)) end}
t:start(); t:join(); print("joined")' 2>&1)
expect_has "$out" "HangError: hang: Thread-1 (<lambda>) waits for fd 5 (pipe read end)" "a thread's hang named"
expect_has "$out" "joined" "and the program goes on"
# a pipe between a parent and its child: one scheduler runs both, so the
# parent's write reaches the child on the virtual clock too
cat > "$T/vfork.lua" <<'LUA'
r, w = os.pipe()
pid = os.fork()
if pid == 0 then print("child got " .. os.read(r, 1)) os._exit(0) end
time.sleep(0.01)
os.write(w, "x")
local _, status = os.waitpid(pid, 0)
print("parent done, child exit", os.WEXITSTATUS(status), time.perf_counter())
LUA
out=$(timeout 20 $BIN --headless --clock virtual --speed 0 "$T/vfork.lua" 2>&1)
expect_has "$out" "child got x" "the child reads what its parent wrote"
expect_has "$out" "parent done, child exit 0" "and ends well"
# a child that waits on a pipe nobody writes: a hang across processes,
# reported in the child after a virtual minute, and the parent goes on
out=$(timeout 20 $BIN --headless --clock virtual --speed 0 -e '
r, w = os.pipe()
pid = os.fork()
if pid == 0 then print("child got " .. os.read(r, 1)) os._exit(0) end
local _, status = os.waitpid(pid, 0)
print("parent done, child exit", os.WEXITSTATUS(status))' 2>&1)
expect_has "$out" "HangError: hang across processes: MainThread waits for fd 5 (pipe read end)" "the child's hang says why"
expect_has "$out" "parent done, child exit 1" "the parent goes on"
out=$(timeout 20 $BIN --headless --clock virtual --speed 0 -e '
r, w = os.pipe()
threading.Timer(5, function() os.write(w, "x") end):start()
print("read " .. os.read(r, 1) .. " at " .. time.perf_counter())' 2>&1)
expect_eq "$out" "read x at 5.0" "a writer that sleeps first is no hang"
# Nor is a wait on what comes from outside the process: stdin from a pipe
# that speaks after 1.5 s, a server in another program that answers late.
out=$( (sleep 1.5; echo hi) | timeout 20 $BIN --headless --clock virtual --speed 0 -e 'print("got " .. os.read(0, 10))' 2>&1)
expect_eq "$out" "got hi" "stdin that speaks late is no hang"
python3 - "$T/port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); time.sleep(1.5); c.sendall(b"late"); time.sleep(0.5)
PY
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
out=$(timeout 20 $BIN --headless --clock virtual --speed 0 -e "
local s = socket.socket(); s:connect({'127.0.0.1', $(cat "$T/port")}); print(s:recv(10))" 2>&1)
expect_eq "$out" "late" "a server outside that answers late is no hang"
wait
exit 0
