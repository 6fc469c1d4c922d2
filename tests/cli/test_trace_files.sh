# --trace saves the raw trace, --dump-trace prints it; a corrupt file is
# refused with a clear message, never a crash.
. tests/cli/lib.sh
cat > "$T/s.lua" <<'LUA'
local l = threading.Lock{name = "A"}
local t = threading.Thread{name = "worker", target = function() l:acquire(); time.sleep(0.01); l:release() end}
t:start(); l:acquire(); l:release(); t:join(); print("hi")
LUA
$BIN --headless --trace "$T/t.bin" "$T/s.lua" > /dev/null || fail "run with --trace"
dump=$($BIN --dump-trace "$T/t.bin") || fail "dump"
for k in thread-new thread-start thread-end gil-acquire gil-release lock-new lock-acquire lock-release sleep join print; do
  expect_has "$dump" " $k " "dump has $k"
done
expect_has "$dump" '"worker"' "thread name in dump"
expect_has "$dump" '"hi"' "printed text in dump"
head -c 100 "$T/t.bin" > "$T/cut.bin"
$BIN --dump-trace "$T/cut.bin" 2>"$T/err"; expect_eq "$?" "1" "truncated trace refused"
expect_has "$(cat "$T/err")" "corrupt" "truncated trace explained"
printf 'hello' > "$T/junk.bin"
$BIN --dump-trace "$T/junk.bin" 2>"$T/err"; expect_eq "$?" "1" "junk refused"
expect_has "$(cat "$T/err")" "not a threadlab trace" "junk explained"
# flip an event's kind to garbage
python3 - "$T/t.bin" "$T/bad.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[32 + 32] = 0xff; b[32 + 33] = 0x7f   # first event's kind field
open(sys.argv[2], 'wb').write(b)
PY
$BIN --dump-trace "$T/bad.bin" 2>"$T/err"; expect_eq "$?" "1" "bad kind refused"
expect_has "$(cat "$T/err")" "unknown kind" "bad kind explained"
$BIN --dump-trace "$T/nothere.bin" 2>/dev/null; expect_eq "$?" "1" "missing file"
# a full trace is said loudly, and the dump says how many were lost
$BIN --headless --trace-size 100 --trace "$T/full.bin" -e 'for i = 1, 300 do lab.mark("m") end' 2>"$T/err" \
  || fail "run with a tiny trace"
expect_has "$(cat "$T/err")" "trace is full" "full trace warned"
dump=$($BIN --dump-trace "$T/full.bin")
expect_has "$dump" "trace-full" "trace-full event"
expect_has "$dump" "events lost" "lost count in dump"
echo ok
