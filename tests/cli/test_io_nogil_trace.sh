# The real clock's descriptor and socket calls, made without the GIL
# (sim/io.c tl_io_nogil), as the trace tells them: the timeline still
# draws each wait for I/O and an arrow from the write that ended it (the
# write is in the trace before the GIL goes, so a reader woken at once,
# preempting the writer, finds it there; written after, most arrows were
# lost); the GIL has one holder at a time (gilcheck.py); and a call that
# let the GIL go with nobody taking it meanwhile writes no GIL event (a
# pipe round trip was 8 of them, a select-echo round trip 8 of 14).
. tests/cli/lib.sh
cat > "$T/pp.lua" <<'LUA'
r1, w1 = os.pipe(); r2, w2 = os.pipe()
t = threading.Thread{name = "echo", target = function()
  for _ = 1, 200 do os.write(w2, os.read(r1, 1)) end
end}
t:start()
for _ = 1, 200 do os.write(w1, "x"); os.read(r2, 1) end
t:join()
print("done")
LUA
out=$($BIN --headless --clock real --trace "$T/t.bin" --record "$T/t.json" "$T/pp.lua" 2>&1)
expect_eq "$out" "done" "the round trips"
$BIN --dump-trace "$T/t.bin" > "$T/d.txt" || fail "dump"
waits=$(grep -c ' io-wait ' "$T/d.txt")
readies=$(grep -c ' io-ready .*r=1 ' "$T/d.txt")
arrows=$(( $(grep -c '"cat":"write-read"' "$T/t.json") / 2 ))
[ "$waits" -gt 0 ] || fail "no wait for I/O in 200 round trips"
expect_eq "$readies" "$waits" "each wait ends ready"
# (a write event may come just before the reader's wait began: no arrow
# then, as the layout draws only writes made during the wait)
[ $((arrows * 10)) -ge $((waits * 9)) ] || fail "$arrows arrows for $waits waits"
gil=$(python3 tests/cli/gilcheck.py "$T/d.txt") || fail "pipes: the GIL in the trace: $gil"
# 800 calls, each letting the GIL go: about half of them see it taken
takes=${gil%% *}
[ "$takes" -lt 800 ] || fail "$takes GIL takes written for 800 calls"

cat > "$T/echo.lua" <<'LUA'
srv = socket.socket(); srv:bind({"127.0.0.1", 0}); srv:listen(4)
addr = srv:getsockname()
function serve()
  local watch, done = {srv}, 0
  while done < 4 do
    for _, s in ipairs((select.select(watch, {}, {}))) do
      if s == srv then watch[#watch + 1] = (srv:accept())
      else
        local data = s:recv(64)
        if data ~= "" then s:sendall(data) else
          for k = #watch, 1, -1 do if watch[k] == s then table.remove(watch, k) end end
          s:close(); done = done + 1
        end
      end
    end
  end
end
server = threading.Thread{target = serve}; server:start()
ts, got = {}, {}
for i = 1, 4 do
  ts[i] = threading.Thread{target = function()
    local c, k = socket.socket(), 0
    c:connect(addr)
    for _ = 1, 100 do c:sendall("ping"); k = k + #c:recv(64) // 4 end
    c:close(); got[i] = k
  end}
  ts[i]:start()
end
for i = 1, 4 do ts[i]:join() end
server:join(); srv:close()
print(got[1] + got[2] + got[3] + got[4])
LUA
out=$($BIN --headless --clock real --trace "$T/e.bin" "$T/echo.lua" 2>&1)
expect_eq "$out" "400" "the echoes"
$BIN --dump-trace "$T/e.bin" > "$T/e.txt" || fail "dump"
gil=$(python3 tests/cli/gilcheck.py "$T/e.txt") || fail "sockets: the GIL in the trace: $gil"
expect_eq "$(grep -c ' io-wait ' "$T/e.txt")" "$(grep -c ' io-ready ' "$T/e.txt")" "each wait ends"
echo ok
