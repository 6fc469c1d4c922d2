# Reporting an error never takes the session down (issue 11 item 1), and
# every traceback reads as CPython's (issue 12): on stderr, under
# "Traceback (most recent call last):", the oldest call first.
. tests/cli/lib.sh
# An error object whose __tostring raises: in a thread, in MainThread.
$BIN --headless -e 't=threading.Thread{target=function() error(setmetatable({},{__tostring=function() error("x") end})) end}; t:start(); t:join(); print("main goes on")' >"$T/out" 2>"$T/err"
expect_eq "$?" "0" "a thread's bad __tostring: no crash"
expect_eq "$(cat "$T/out")" "main goes on" "MainThread goes on"
expect_has "$(cat "$T/err")" "Exception in thread Thread-1" "the thread is named"
expect_has "$(cat "$T/err")" "<exception str() failed>" "CPython's words for a failing str()"
$BIN --headless -e 'error(setmetatable({},{__tostring=function() error("x") end}))' 2>"$T/err"
expect_eq "$?" "1" "MainThread's bad __tostring: exit 1, no abort"
expect_has "$(cat "$T/err")" "<exception str() failed>" "MainThread's report"
# An __index that raises: looking for the error's type must not abort.
$BIN --headless -e 'error(setmetatable({}, {__index=function() error("boom") end}))' 2>"$T/err"
expect_eq "$?" "1" "an error object whose __index raises: exit 1, no abort"
expect_has "$(cat "$T/err")" "Traceback (most recent call last):" "reported"
# A __newindex that raises must not stop the traceback from being kept.
$BIN --headless -e 'error(setmetatable({type="ValueError", message="ro"},{__newindex=function() error("no") end, __tostring=function(e) return "ValueError: ro" end}))' 2>"$T/err"
expect_has "$(cat "$T/err")" "ValueError: ro" "read-only error object reported"
expect_has "$(cat "$T/err")" "Traceback (most recent call last):" "with its traceback"
# Out of memory while an error is reported: a big message after filling
# memory, in a thread and in MainThread.
cat > "$T/mem.lua" <<'LUA'
local function fill()
  local t = {}
  pcall(function() for i = 1, 1e9 do t[i] = {i} end end)
  return t
end
local function worker()
  local e = ValueError(string.rep("w", 400 * 1024))
  local hold = fill()
  error(e)
end
local t = threading.Thread{target = worker}
t:start(); t:join()
print("after thread")
local e = setmetatable({}, {__tostring = function() return string.rep("x", 3000 * 1024) end})
hold = fill()
error(e)
LUA
timeout 20 $BIN --headless --memory-limit 32 "$T/mem.lua" >"$T/out" 2>"$T/err"
expect_eq "$?" "1" "out of memory while reporting: ends, exit 1"
expect_eq "$(cat "$T/out")" "after thread" "MainThread went on after the thread's report"
expect_has "$(cat "$T/err")" "ValueError: wwwwwwww" "the thread's 400 KB message reported"
expect_has "$(cat "$T/err")" "<exception str() failed: out of memory>" "fixed text when str() cannot allocate"
# A memory error names its cap and the option that raises it.
$BIN --headless --memory-limit 32 -e 'local t = {} while true do t[#t+1] = ("x"):rep(1e5) .. #t end' 2>"$T/err"
expect_has "$(cat "$T/err")" "MemoryError: out of memory: Lua may hold at most 32 MiB" "the cap named"
expect_has "$(cat "$T/err")" "--memory-limit" "the option named"
# The traceback as CPython prints it, compared line for line.
cat > "$T/tb.lua" <<'LUA'
local function inner() error(ValueError("bad")) end
local function outer() inner() end
outer()
LUA
$BIN --headless "$T/tb.lua" >"$T/out" 2>"$T/err"
expect_eq "$(cat "$T/out")" "" "nothing of the traceback on stdout"
want='Traceback (most recent call last):
  File "TB", line 3, in <module>
  File "TB", line 2, in outer
  File "TB", line 1, in inner
ValueError: bad'
expect_eq "$(sed "s#$T/tb.lua#TB#" "$T/err")" "$want" "MainThread's traceback"
if command -v python3 >/dev/null; then
  printf 'def inner(): raise ValueError("bad")\ndef outer(): inner()\nouter()\n' > "$T/tb.py"
  python3 "$T/tb.py" 2>"$T/perr"
  # CPython also quotes each line's source; the rest must be the same.
  expect_eq "$(grep -v '^    ' "$T/perr" | sed "s#$T/tb.py#TB#")" "$want" "same shape as python3"
fi
# Deep recursion: a RecursionError, its traceback cut short, quickly.
timeout 20 $BIN --headless -e 'local function r(n) return 1 + r(n+1) end; r(1)' 2>"$T/err"
expect_eq "$?" "1" "stack overflow reported"
expect_has "$(cat "$T/err")" "RecursionError" "as Python names it"
expect_has "$(cat "$T/err")" "calls not shown" "the middle left out"
[ "$(wc -l < "$T/err")" -lt 40 ] || fail "a deep traceback stays short"
# threading.excepthook: replaceable, called with Python's args; its own
# error is reported; the default writes to stderr.
out=$($BIN --headless -e '
threading.excepthook = function(a)
  print(a.exc_type == ValueError, tostring(a.exc_value), a.thread.name, a.exc_traceback:match("^Traceback %(most recent call last%):") ~= nil)
end
local t = threading.Thread{name = "w", target = function() error(ValueError("v")) end}
t:start(); t:join()
threading.excepthook = function(a) error(RuntimeError("hook broke")) end
t = threading.Thread{target = function() error("plain") end}
t:start(); t:join()
threading.excepthook = threading.__excepthook__
t = threading.Thread{name = "d", target = function() error(TypeError("t")) end}
t:start(); t:join()
print("end")' 2>"$T/err")
expect_eq "$out" "$(printf 'true ValueError: v w true\nend')" "a replaced excepthook gets args"
expect_has "$(cat "$T/err")" "Exception in threading.excepthook:" "a failing hook is reported"
expect_has "$(cat "$T/err")" "RuntimeError: hook broke" "with its error"
expect_has "$(cat "$T/err")" "Exception in thread d:" "the default hook again"
expect_has "$(cat "$T/err")" "TypeError: t" "the default hook's text"
# SystemExit in a thread passes silently, as in CPython.
$BIN --headless -e 't = threading.Thread{target=function() error(SystemExit()) end}; t:start(); t:join()' 2>"$T/err"
expect_eq "$(cat "$T/err")" "" "SystemExit is silent"
echo ok
