# The real clock's pipe round trips, read and written without the GIL
# (sim/io.c tl_io_nogil): the timeline still draws each wait for I/O and
# an arrow from the write that ended it. The write is in the trace before
# the GIL goes, so a reader woken at once (preempting the writer) finds it
# there; written after, most arrows were lost.
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
echo ok
