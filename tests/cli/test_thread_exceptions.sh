# An uncaught error in a thread prints "Exception in thread NAME:" with a
# traceback, and the other threads go on; print never tears a line.
. tests/cli/lib.sh
cat > "$T/exc.lua" <<'LUA'
local bad = threading.Thread{name = "bad", target = function() error(ValueError("oops")) end}
local good = threading.Thread{name = "good", target = function() time.sleep(0.05); print("good done") end}
good:start(); bad:start(); bad:join(); good:join()
print("main done")
LUA
out=$($BIN --headless "$T/exc.lua" 2>"$T/err"); rc=$?
expect_eq "$rc" "0" "main still exits 0"
expect_eq "$out" "$(printf 'good done\nmain done')" "other threads go on"
expect_has "$(cat "$T/err")" "Exception in thread bad:" "heading"
expect_has "$(cat "$T/err")" "ValueError: oops" "error text"
expect_has "$(cat "$T/err")" "exc.lua\", line 1, in target" "traceback names the line"

cat > "$T/print.lua" <<'LUA'
local ts = {}
for i = 1, 8 do
  ts[i] = threading.Thread{target = function()
    for j = 1, 300 do print(("thread %d line %d %s"):format(i, j, ("x"):rep(60))) end
  end}
  ts[i]:start()
end
for i = 1, 8 do ts[i]:join() end
LUA
$BIN --headless --switch-points instruction "$T/print.lua" > "$T/lines"
expect_eq "$(wc -l < "$T/lines" | tr -d ' ')" "2400" "every line printed"
bad=$(grep -cvE '^thread [1-8] line [0-9]+ x{60}$' "$T/lines")
expect_eq "$bad" "0" "no torn lines"
echo ok
