# Coroutines in the timeline: green lanes nested under the thread that
# runs them, switch arrows, the loop as a lane of its own; Chrome JSON gives
# each green lane its own tid under the thread's pid; gevent and asyncio
# runs replay byte for byte by seed in the virtual clock.
. tests/cli/lib.sh
cat > "$T/gl.lua" <<'LUA'
local gr1, gr2
function test1() print(12) gr2:switch() print(34) end
function test2() print(56) gr1:switch() print(78) end
gr1 = greenlet(test1); gr2 = greenlet(test2)
gr1:switch()
LUA
out=$($BIN --headless --clock virtual --speed 0 --record "$T/gl.svg" "$T/gl.lua") || fail "run"
expect_eq "$(echo $out)" "12 56 34" "greenlet's documented order"
svg=$(cat "$T/gl.svg")
expect_has "$svg" "↳ test1" "a green lane for test1"
expect_has "$svg" "↳ test2" "a green lane for test2"
expect_has "$svg" "↳ test1: a coroutine run by MainThread, process 1" "a green lane's row says who runs it (not a raw tid)"
expect_has "$svg" "switch from MainThread to ↳ test1" "a switch arrow into test1"
expect_has "$svg" "switch from ↳ test1 to ↳ test2" "gr1 switches straight to gr2"
# nested: the green rows come right after MainThread's
order=$(grep -o '>\(MainThread\|↳ test[12]\)<' "$T/gl.svg" | tr -d '<>' | uniq | tr '\n' ,)
expect_eq "$order" "MainThread,↳ test1,↳ test2," "rows in nesting order"

$BIN --headless --clock virtual --speed 0 --record "$T/gl.json" "$T/gl.lua" >/dev/null || fail "json"
python3 - "$T/gl.json" <<'PY' || fail "chrome json green tids"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"] if isinstance(d, dict) else d
names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
main = [k for k, v in names.items() if v == "MainThread"][0]
greens = [k for k, v in names.items() if v.startswith("↳ ")]
assert len(greens) == 2, names
assert all(k[0] == main[0] and k[1] != main[1] for k in greens), names
PY

# asyncio: the event loop and the tasks are lanes; gevent: the hub is one
cat > "$T/aio.lua" <<'LUA'
local function worker(n) for i = 1, 3 do asyncio.sleep(0.01 * n) end return n end
print(table.concat(asyncio.run(function() return asyncio.gather(function() return worker(1) end, function() return worker(2) end) end), " "))
local out = {}
local function f(c) for _ = 1, 3 do out[#out + 1] = c gevent.sleep(0.001) end end
gevent.joinall{gevent.spawn(f, "a"), gevent.spawn(f, "b")}
print(table.concat(out))
LUA
run() { $BIN --headless --clock virtual --speed 0 --seed "$1" --trace "$T/a$2.bin" --record "$T/a$2.svg" "$T/aio.lua"; }
first=$(run 3 0) || fail "asyncio run"
expect_eq "$(echo $first)" "1 2 ababab" "results"
expect_has "$(cat "$T/a0.svg")" "↳ event loop" "the loop lane"
expect_has "$(cat "$T/a0.svg")" "↳ Hub" "the hub lane"
expect_has "$(cat "$T/a0.svg")" "↳ Task-1" "a task lane"
$BIN --dump-trace "$T/a0.bin" > "$T/d0.txt"
for i in 1 2; do
  expect_eq "$(run 3 $i)" "$first" "same output, run $i"
  $BIN --dump-trace "$T/a$i.bin" > "$T/d$i.txt"
  cmp -s "$T/d0.txt" "$T/d$i.txt" || fail "trace of run $i differs: $(diff "$T/d0.txt" "$T/d$i.txt" | head -5)"
done
grep -q "green-switch" "$T/d0.txt" || fail "switches in the dump"

# A green lane's wait for I/O is drawn on its own lane (the hub or the loop
# waits on its behalf): a greenlet reading a pipe under monkey.patch_all(),
# an asyncio task reading a stream.
cat > "$T/gio.lua" <<'LUA'
gevent.monkey.patch_all()
local r, w = os.pipe()
local reader = gevent.spawn(function() print("got " .. os.read(r, 10)) end)
local writer = gevent.spawn(function() gevent.sleep(0.01) os.write(w, "hi") end)
gevent.joinall{reader, writer}
asyncio.run(function()
  local server = asyncio.start_server(function(rd, wr)
    asyncio.sleep(0.01)
    wr:write("yo") wr:drain() wr:close()
  end, "127.0.0.1", 0)
  local rd, wr = asyncio.open_connection("127.0.0.1", server.sockets[1]:getsockname()[2])
  print("read " .. rd:read(10))
  wr:close()
  server:close()
end)
LUA
out=$($BIN --headless --clock virtual --speed 0 --record "$T/gio.svg" "$T/gio.lua") || fail "green I/O run"
expect_eq "$(echo $out)" "got hi read yo" "green I/O results"
svg=$(cat "$T/gio.svg")
# (descriptor numbers depend on what the caller left open: not pinned)
grep -q "<title>↳ Greenlet-0: io-wait on fd [0-9]* (pipe read end) for 10 ms" "$T/gio.svg" ||
  fail "the greenlet's own lane waits on the pipe"
grep -q "<title>↳ Task-1: io-wait on fd [0-9]* (socket to 127.0.0.1:" "$T/gio.svg" ||
  fail "the task's own lane waits on its stream"

# A saved trace keeps the green lanes' names and what they wait on: --view
# draws the same picture (the names were offsets into the live run's text)
$BIN --headless --clock virtual --speed 0 --trace "$T/gio.bin" --record "$T/gio_live.svg" "$T/gio.lua" >/dev/null ||
  fail "green I/O run, saved"
$BIN --headless --view "$T/gio.bin" --record "$T/gio_view.svg" || fail "green I/O trace viewed"
cmp -s "$T/gio_live.svg" "$T/gio_view.svg" || fail "the viewed trace draws another picture: $(diff "$T/gio_live.svg" "$T/gio_view.svg" | head -4)"
# gevent.wait_fd takes a socket as well as a descriptor number
out=$($BIN --headless --clock virtual --speed 0 -e '
local srv = socket.socket(); srv:bind({"127.0.0.1", 0}); srv:listen(1)
local c = socket.socket(); c:connect({"127.0.0.1", srv:getsockname()[2]})
local s = srv:accept()
local g = gevent.spawn(function() return gevent.wait_fd(s, "r", 1) end)
local w = gevent.spawn(function() gevent.sleep(0.01) c:sendall("x") end)
gevent.joinall{g, w}
print("ready", g.value, g.exception)' 2>&1)
expect_eq "$out" "ready true nil" "wait_fd on a socket object"

# asyncio.run cancels what is still pending in the order the tasks were
# made (it went by pairs() over tasks, in address order: runs differed)
cat > "$T/pend.lua" <<'LUA'
asyncio.run(function()
  for i = 1, 8 do
    asyncio.create_task(function()
      local ok = pcall(asyncio.sleep, 1)
      print("task " .. i .. (ok and " slept" or " cancelled"))
    end)
  end
  asyncio.sleep(0)
end)
LUA
for i in 1 2 3; do
  out=$($BIN --headless --clock virtual --speed 0 "$T/pend.lua" | tr '\n' ' ') || fail "pending run $i"
  expect_eq "$out" "task 1 cancelled task 2 cancelled task 3 cancelled task 4 cancelled task 5 cancelled task 6 cancelled task 7 cancelled task 8 cancelled " "pending tasks cancelled in order, run $i"
done
echo ok
