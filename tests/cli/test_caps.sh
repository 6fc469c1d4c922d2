# Caps say so (issue 11): the thread limit, the trace's size, its text and
# the memory limit each give one clear message naming the cap and the
# option that raises it, and the session goes on.
. tests/cli/lib.sh
out=$($BIN --headless --max-threads 5 -e '
local ts = {}
for i = 1, 7 do
  local ok, e = pcall(function()
    local t = threading.Thread{target = function() time.sleep(0.2) end}
    t:start(); ts[#ts + 1] = t
  end)
  if not ok then print(e) end
end
for _, t in ipairs(ts) do t:join() end
print(#ts, "joined")
local t = threading.Thread{target = function() end}; t:start(); t:join()
print("room again")' 2>&1)
expect_eq "$?" "0" "the thread cap: the session goes on"
expect_has "$out" "RuntimeError: can't start new thread: 5 threads are running, threadlab's limit (--max-threads N raises it)" "the thread cap named"
expect_has "$out" "5 joined" "the threads under the cap ran"
expect_has "$out" "room again" "a thread starts once others ended"
$BIN --headless --max-threads 0 -e '' 2>"$T/err"; expect_eq "$?" "2" "a bad --max-threads"
# The ring, the default, makes room by dropping the oldest, marks the drop in
# the trace itself and says so once when it first wraps; streamed to a file
# (--trace) nothing is dropped, so nothing is said. --trace-mode stop keeps
# the first N and says so.
$BIN --headless --trace-size 16 -e 'for i = 1, 100 do lab.mark("m" .. i) end print("done")' >"$T/out" 2>"$T/err"
expect_eq "$?" "0" "a wrapped ring: the run goes on"
expect_eq "$(cat "$T/out")" "done" "to its end"
expect_eq "$(grep -c . "$T/err")" "1" "one message when the ring wraps"
expect_has "$(cat "$T/err")" "its ring keeps the newest 16 events (--trace-size)" "the ring's cap named"
expect_has "$(cat "$T/err")" "--trace-size N keeps more" "and the option that raises it"
$BIN --headless --trace-size 16 --trace "$T/ring.trace" -e 'for i = 1, 100 do lab.mark("m" .. i) end' 2>"$T/err"
expect_eq "$(grep -c . "$T/err")" "0" "a streamed trace drops nothing: no message"
$BIN --headless --trace-size 16 --trace-mode stop -e 'for i = 1, 100 do lab.mark("m" .. i) end print("done")' >"$T/out" 2>"$T/err"
expect_eq "$?" "0" "a full trace: the run goes on"
expect_eq "$(cat "$T/out")" "done" "to its end"
expect_eq "$(grep -c . "$T/err")" "1" "one message"
expect_has "$(cat "$T/err")" "the trace is full: it holds 16 events (--trace-size); later events are counted, not recorded" "the trace cap named"
expect_has "$(cat "$T/err")" "--trace-size N keeps more" "and the option that raises it"
$BIN --headless --trace-text 1 -e 'for i = 1, 3000 do lab.mark(("x"):rep(1000) .. i) end print("done")' >"$T/out" 2>"$T/err"
expect_eq "$?" "0" "full trace text: the run goes on"
expect_eq "$(cat "$T/out")" "done" "to its end"
expect_eq "$(grep -c . "$T/err")" "1" "one message for the text"
expect_has "$(cat "$T/err")" "the trace's text is full: it holds 1 MiB" "the text cap named"
expect_has "$(cat "$T/err")" "--trace-text MB keeps more" "and its option"
# A select loop names its set of descriptors once, not once per wait: 20,000
# waits over three pipes leave 1 MiB of text room to spare (each wait wrote
# its set anew and filled it).
$BIN --headless --clock virtual --speed 0 --trace-text 1 -e '
local a = os.pipe(); local c = os.pipe(); local e = os.pipe()
for i = 1, 20000 do select.select({a, c, e}, {}, {}, 0.001) end
print("done")' >"$T/out" 2>"$T/err"
expect_eq "$(cat "$T/out")" "done" "the select loop ran"
expect_eq "$(grep -c . "$T/err")" "0" "and left the trace's text room: $(cat "$T/err")"
# Every cap reached: each says so once (they shared one flag before): the
# events, the pinned marks (a 16th of --trace-size), the text.
$BIN --headless --trace-size 64 --trace-mode stop --trace-text 1 -e 'for i = 1, 3000 do lab.mark(("x"):rep(1000) .. i) end' 2>"$T/err"
expect_eq "$(grep -c . "$T/err")" "3" "three caps, three messages"
expect_eq "$(grep -c -- "--trace-size N keeps more" "$T/err")" "2" "the events' and the marks' caps name --trace-size"
out=$($BIN --headless --memory-limit 32 -e '
local ok, e = pcall(function() local t = {} while true do t[#t + 1] = ("x"):rep(1e5) .. #t end end)
collectgarbage()
print(ok, e)
print("goes on")' 2>&1)
expect_has "$out" "MemoryError: out of memory: Lua may hold at most 32 MiB here (--memory-limit MB raises it)" "the memory cap named"
expect_has "$out" "goes on" "the session goes on after the memory cap"
echo ok
