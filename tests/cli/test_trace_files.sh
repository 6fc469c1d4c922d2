# --trace streams the raw trace (FILE.part, renamed at exit), --dump-trace
# prints it; a corrupt, cut or old file is refused with a clear message,
# never a crash; a write error keeps the older file and fails the exit.
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
expect_has "$(cat "$T/err")" "truncated trace" "truncated trace explained"
# a run that never finished leaves FILE.part without its end: refused
head -c -40 "$T/t.bin" > "$T/unfinished.bin"
$BIN --dump-trace "$T/unfinished.bin" 2>"$T/err"; expect_eq "$?" "1" "unfinished trace refused"
expect_has "$(cat "$T/err")" "did not finish" "unfinished trace explained"
# a trace of the older format
{ printf 'TLTRACE1'; head -c 200 /dev/zero; } > "$T/old.bin"
$BIN --dump-trace "$T/old.bin" 2>"$T/err"; expect_eq "$?" "1" "old format refused"
expect_has "$(cat "$T/err")" "older threadlab" "old format explained"
printf 'hello' > "$T/junk.bin"
$BIN --dump-trace "$T/junk.bin" 2>"$T/err"; expect_eq "$?" "1" "junk refused"
expect_has "$(cat "$T/err")" "not a threadlab trace" "junk explained"
# flip an event's kind to garbage
python3 - "$T/t.bin" "$T/bad.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
# header 32, then blocks: tag(4) 0(4) len(8) payload; find the first EVTS
i = 32
while b[i:i+4] != b'EVTS':
    i += 16 + int.from_bytes(b[i+8:i+16], 'little')
b[i + 16 + 32] = 0xff; b[i + 16 + 33] = 0x7f   # first event's kind field
open(sys.argv[2], 'wb').write(b)
PY
$BIN --dump-trace "$T/bad.bin" 2>"$T/err"; expect_eq "$?" "1" "bad kind refused"
expect_has "$(cat "$T/err")" "unknown kind" "bad kind explained"
$BIN --dump-trace "$T/nothere.bin" 2>/dev/null; expect_eq "$?" "1" "missing file"
# a full trace is said loudly, and the dump says how many were lost
$BIN --headless --trace-size 100 --trace-mode stop --trace "$T/full.bin" -e 'for i = 1, 300 do lab.mark("m") end' 2>"$T/err" \
  || fail "run with a tiny trace"
expect_has "$(cat "$T/err")" "trace is full" "full trace warned"
dump=$($BIN --dump-trace "$T/full.bin")
expect_has "$dump" "trace-full" "trace-full event"
expect_has "$dump" "events lost" "lost count in dump"
# a ring of 100 events streams 3,000 sleeps whole
$BIN --headless --trace-size 100 --trace "$T/ring.bin" -e 'for i = 1, 3000 do time.sleep(0) end' \
  2>"$T/err" || fail "run with a tiny ring"
expect_eq "$(cat "$T/err")" "" "a streamed ring says nothing"
dump=$($BIN --dump-trace "$T/ring.bin")
expect_eq "$(printf '%s\n' "$dump" | grep -c ' sleep ')" "3000" "every sleep streamed"
expect_has "$dump" " 0 lost, 0 dropped" "nothing lost or dropped"
test -e "$T/ring.bin.part" && fail "no .part left after a run"
# counts never depend on what the ring dropped
out=$($BIN --headless --trace-size 100 -e 'for i = 1, 1000 do time.sleep(0) end
local n, lost, dropped = lab.trace_stats() print(lab.count("sleep"), lost, dropped > 0)')
expect_eq "$out" "1000 0 true" "lab.count counts dropped events too"
# a write error (a file size limit, as a full disk): one message, the run
# goes on, the exit status is 1, the older trace is kept, no .part left
cp "$T/ring.bin" "$T/keep.bin"
out=$(bash -c 'ulimit -f 64; trap "" XFSZ; exec "$@"' _ $BIN --headless --trace "$T/keep.bin" \
  -e 'for i = 1, 200000 do time.sleep(0) end print("still here")' 2>"$T/err")
expect_eq "$?" "1" "a failed trace fails the exit"
expect_has "$out" "still here" "the run went on"
expect_eq "$(grep -c 'cannot write the trace' "$T/err")" "1" "one message"
cmp -s "$T/ring.bin" "$T/keep.bin" || fail "the older trace was touched"
test -e "$T/keep.bin.part" && fail "no .part left after a failure"
# a folder that does not exist: said at once, the run goes on, exit 1
$BIN --headless --trace "$T/no/such/dir/t.bin" -e 'print("ran")' >"$T/out" 2>"$T/err"
expect_eq "$?" "1" "an unwritable --trace fails the exit"
expect_has "$(cat "$T/err")" "cannot write the trace" "unwritable trace explained"
expect_eq "$(cat "$T/out")" "ran" "the run went on"
echo ok
