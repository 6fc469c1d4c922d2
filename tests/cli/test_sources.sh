# Scripts from odd sources (issue 11 item 5) run, read once, lesson or not;
# a FIFO nobody writes to says so and Ctrl-C ends the wait; and scripts,
# lessons and chunks load as text only (item 12).
. tests/cli/lib.sh
expect_eq "$($BIN --headless <(echo 'print(1)'))" "1" "a script from <(...)"
expect_eq "$(echo 'print(2)' | $BIN --headless /dev/stdin)" "2" "a script from /dev/stdin"
expect_eq "$(echo 'print(3)' | $BIN --headless -)" "3" "a script from -"
expect_eq "$(echo 'print(...)' | $BIN --headless - a b)" "a b" "- takes arguments"
expect_eq "$(printf '#!/usr/bin/env threadlab\nprint(4)\n' | $BIN --headless -)" "4" "a #! line is skipped"
cat > "$T/l.lua" <<'LUA'
lesson{title={en="Piped", zh="管道"}, source="a test"}
say{en="hello from a pipe", zh="你好"}
print("ran", lab.clock().clock)
LUA
out=$(cat "$T/l.lua" | $BIN --headless --auto - 2>&1)
expect_eq "$?" "0" "a lesson from a pipe plays"
expect_has "$out" "hello from a pipe" "its narration"
expect_has "$out" "ran virtual" "on the lesson's virtual clock"
out=$($BIN --headless --auto <(cat "$T/l.lua") 2>&1)
expect_has "$out" "ran virtual" "a lesson from <(...)"
# A FIFO: its writer comes later; or never, and Ctrl-C ends the wait.
mkfifo "$T/fifo"
( sleep 1; echo 'print("from the fifo")' > "$T/fifo" ) &
expect_eq "$(timeout 20 $BIN --headless "$T/fifo" 2>/dev/null)" "from the fifo" "a FIFO written to later"
wait
timeout 20 $BIN --headless "$T/fifo" 2>"$T/err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid; rc=$?
[ $rc -ne 124 ] || fail "Ctrl-C ends the wait for a FIFO's writer"
expect_has "$(cat "$T/err")" "waiting for something to be written to $T/fifo" "the wait is explained"
$BIN --headless "$T" 2>"$T/err"; expect_eq "$?" "1" "a folder is not a script"
expect_has "$(cat "$T/err")" "it is a folder" "a folder explained"
# Binary chunks are refused, with a clear word, not a crash.
$BIN --headless -e 'local f = io.open("'"$T"'/b.luac", "wb"); f:write(string.dump(function() print("bytecode") end)); f:close()'
$BIN --headless "$T/b.luac" >"$T/out" 2>"$T/err"
expect_eq "$?" "1" "a compiled script is refused"
expect_eq "$(cat "$T/out")" "" "and not run"
expect_has "$(cat "$T/err")" "is a compiled Lua chunk (bytecode); threadlab loads scripts and lessons only as text" "refusal explained"
# damaged bytecode through load, loadfile, dofile: an error, no segfault
head -c 40 "$T/b.luac" > "$T/bad.luac"; printf 'garbage' >> "$T/bad.luac"
out=$($BIN --headless -e '
print(load(string.dump(function() end)))
print(load(string.dump(function() end), "x", "b"))
print(loadfile("'"$T"'/bad.luac"))
print(pcall(dofile, "'"$T"'/bad.luac"))
print(load("return 6*7")())' 2>&1)
expect_eq "$?" "0" "damaged bytecode: no crash"
expect_eq "$(printf '%s\n' "$out" | grep -c "attempt to load a binary chunk")" "4" "every binary load refused"
expect_has "$out" "42" "text still loads"
echo ok
