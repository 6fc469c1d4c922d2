# gevent with monkey.patch_all on descriptors: the echo lesson serves 5
# loopback clients in one thread, and two virtual-clock runs with one seed
# give byte-identical --dump-trace; a patched os.read on a pipe lets the
# other greenlets run while it waits.
. tests/cli/lib.sh
L=lessons/86-gevent-echo-server.lua
run() { $BIN --headless --auto --clock virtual --speed 0 --seed 11 --trace "$T/e$1.bin" "$L" >"$T/o$1.txt" 2>&1; }
run 0 || { cat "$T/o0.txt" >&2; fail "echo lesson"; }
run 1 || fail "echo lesson, second run"
$BIN --dump-trace "$T/e0.bin" > "$T/d0.txt" || fail "dump"
$BIN --dump-trace "$T/e1.bin" > "$T/d1.txt" || fail "dump"
cmp -s "$T/d0.txt" "$T/d1.txt" || fail "traces differ: $(diff "$T/d0.txt" "$T/d1.txt" | head -5)"
grep -q "io-wait" "$T/d0.txt" || fail "the hub's select is in the trace"
[ "$(grep -c 'recv:' "$T/o0.txt")" -ge 10 ] || fail "10 messages echoed"

cat > "$T/pipe.lua" <<'LUA'
gevent.monkey.patch_all()
local r, w = os.pipe()
local order = {}
local reader = gevent.spawn(function() local d = os.read(r, 10) order[#order + 1] = "read:" .. d end)
local ticker = gevent.spawn(function()
  for i = 1, 3 do order[#order + 1] = "tick" .. i time.sleep(0.01) end
  os.write(w, "data")
end)
gevent.joinall{reader, ticker}
print(table.concat(order, " "))
LUA
out=$($BIN --headless --clock virtual --speed 0 "$T/pipe.lua") || fail "pipe run"
expect_eq "$out" "tick1 tick2 tick3 read:data" "the reader waited in the hub, the ticker ran"
# while the hub waits in select, its own lane waits for the same set (it
# was drawn running). Descriptor numbers depend on what the caller left
# open (a CI runner and a terminal differ), so they are not pinned.
$BIN --headless --auto --clock virtual --speed 0 --record "$T/echo.svg" lessons/86-gevent-echo-server.lua \
  > /dev/null 2>&1 || fail "lesson 86"
grep -q "<title>↳ Hub: io-wait on fd [0-9]* (socket 127.0.0.1:[0-9]*, accepted), fd [0-9]* (socket" "$T/echo.svg" ||
  fail "the hub's lane does not show its select"
echo ok
