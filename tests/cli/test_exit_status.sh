# Exit statuses and the simplest runs.
. tests/cli/lib.sh
expect_eq "$($BIN --headless -e 'print(6*7)')" "42" "-e prints"
$BIN --headless -e 'error("x")' 2>/dev/null; expect_eq "$?" "1" "uncaught error exits 1"
$BIN --headless -e 'error(RuntimeError("bad"))' 2>"$T/err"; expect_eq "$?" "1" "error object exits 1"
expect_has "$(cat "$T/err")" "RuntimeError: bad" "error printed as Python would"
expect_has "$(cat "$T/err")" "Traceback" "with a traceback"
$BIN --headless "$T/missing.lua" 2>"$T/err"; expect_eq "$?" "1" "missing script exits 1"
expect_has "$(cat "$T/err")" "missing.lua" "missing script named"
$BIN --bogus 2>/dev/null; expect_eq "$?" "2" "unknown option"
$BIN --gil py9 2>"$T/err"; expect_eq "$?" "2" "bad --gil"
expect_has "$(cat "$T/err")" "py3, py2 or none" "bad --gil explained"
expect_has "$($BIN --help)" "--switch-points" "help lists options"
expect_has "$($BIN --version)" "threadlab" "version"
printf 'print("from stdin")\n' > "$T/in.lua"
expect_eq "$($BIN --headless < "$T/in.lua")" "from stdin" "script from a pipe"
printf 'print(arg[1], arg[2], ...)\n' > "$T/args.lua"
expect_eq "$($BIN --headless "$T/args.lua" a b)" "a b a b" "script arguments"
expect_eq "$($BIN --headless -e 'x = 5' -e 'print(x)')" "5" "several -e"
# a memory bomb ends in a MemoryError, and a caught one leaves the session whole
$BIN --headless --memory-limit 64 -e 'local t = {} while true do t[#t+1] = ("x"):rep(1e6) .. #t end' 2>"$T/err"
expect_eq "$?" "1" "memory bomb exits 1"
expect_has "$(cat "$T/err")" "MemoryError" "memory bomb explained"
out=$($BIN --headless --memory-limit 64 -e 'local ok = pcall(function() local t = {} while true do t[#t+1] = ("x"):rep(1e6) .. #t end end); collectgarbage(); print(ok, 6*7)')
expect_eq "$out" "false 42" "the session goes on after a caught memory bomb"
echo ok
