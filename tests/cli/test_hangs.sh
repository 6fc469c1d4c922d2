# What used to hang (issue 11 items 3 and 4): exit under --sched manual
# with a thread parked waiting to be picked; -i with stdin at its end.
. tests/cli/lib.sh
timeout 20 $BIN --headless --clock virtual --sched manual -e 'threading.Thread{target=function() end, daemon=true}:start()'
expect_eq "$?" "0" "exit under --sched manual with a parked daemon"
timeout 20 $BIN --headless --sched manual -e 'for i = 1, 3 do threading.Thread{target=function() while true do end end, daemon=true}:start() end
l = threading.Lock(); l:acquire(); threading.Thread{target=function() l:acquire() end, daemon=true}:start()'
expect_eq "$?" "0" "exit under --sched manual: runners and a blocked thread"
out=$(timeout 20 $BIN --headless -i </dev/null 2>&1)
expect_eq "$?" "0" "-i with stdin at its end ends as Ctrl-D does"
expect_has "$out" "threadlab" "the REPL started"
# The REPL reads plain lines from input that is not a terminal.
out=$(printf 'x = 6\nprint(x * 7)\n' | timeout 20 $BIN --headless -i -e 'y = 1' 2>&1)
expect_eq "$?" "0" "-i reading a pipe"
expect_has "$out" "42" "lines from a pipe run in the REPL"
out=$(printf 'print("中文", #"中文")\n' | timeout 20 $BIN --headless -i -e 'y = 1' 2>&1)
expect_has "$out" "中文 6" "piped lines keep their bytes"
echo ok
