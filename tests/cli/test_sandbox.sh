# The sandbox for lessons from others (issue 11): blocked calls raise
# PermissionError naming themselves, writes stay inside --record-dir, the
# rest of the lab works, and a lesson header can ask for it.
. tests/cli/lib.sh
$BIN --headless --sandbox -e 'os.execute("true")' 2>"$T/err"
expect_eq "$?" "1" "os.execute refused"
expect_has "$(cat "$T/err")" "PermissionError: os.execute is not allowed in the sandbox" "named"
# Without the sandbox the same call runs.
expect_eq "$($BIN --headless -e 'print(os.execute("true"))')" "true exit 0" "os.execute without it"
mkdir -p "$T/out" "$T/mods"
: > "$T/mods/evil.so"
ABS=$(readlink -f "$BIN")
out=$(cd "$T" && LUA_CPATH_5_4="$T/mods/?.so" "$ABS" --headless --sandbox --record-dir out -e '
local function try(f, ...) local ok, e = pcall(f, ...); print(ok and "allowed" or tostring(e)) end
try(io.popen, "ls")
try(package.loadlib, "x", "y")
try(require, "evil")
try(function() return debug.getinfo(1) end)
try(string.dump, print)
try(os.tmpname)
try(io.tmpfile)
try(io.open, "outside.txt", "w")
try(io.open, "out/../outside.txt", "a")
try(io.output, "outside.txt")
try(os.remove, "out")
try(os.rename, "out/x", "moved")
try(lab.screenshot, "shot.png")
local f = assert(io.open("out/inside.txt", "w")); f:write("kept"); f:close()
print(io.open("out/inside.txt"):read("a"))
local t = threading.Thread{target = function() print("threads run") end}
t:start(); t:join()
print(load("return 6*7")())' 2>&1)
rc=$?; expect_eq "$rc" "0" "the session goes on after every refusal"
expect_has "$out" "PermissionError: io.popen is not allowed in the sandbox" "io.popen"
expect_has "$out" "PermissionError: package.loadlib is not allowed" "package.loadlib"
expect_has "$out" "PermissionError: require('evil'): C modules are not allowed" "a C module"
expect_has "$out" "PermissionError: debug.getinfo is not allowed" "the debug library"
expect_has "$out" "PermissionError: string.dump is not allowed" "string.dump"
expect_has "$out" "PermissionError: os.tmpname is not allowed" "os.tmpname"
expect_has "$out" "PermissionError: io.tmpfile is not allowed" "io.tmpfile"
expect_has "$out" "PermissionError: io.open('outside.txt'): the sandbox writes only inside --record-dir out" "a write outside"
expect_has "$out" "PermissionError: io.open('out/../outside.txt')" "a way out through .."
expect_has "$out" "PermissionError: io.output('outside.txt')" "io.output"
expect_has "$out" "PermissionError: os.remove('out')" "os.remove of the folder itself"
expect_has "$out" "PermissionError: os.rename('moved')" "os.rename out of the folder"
expect_has "$out" "PermissionError: lab.screenshot('shot.png')" "lab.screenshot outside"
expect_has "$out" "kept" "a write inside --record-dir"
expect_has "$out" "threads run" "threads still run"
expect_has "$out" "42" "text chunks still load"
[ ! -e "$T/outside.txt" ] || fail "nothing written outside"
# No --record-dir: no writes at all; a symlink out of the folder is refused.
$BIN --headless --sandbox -e 'io.open("x.txt", "w")' 2>"$T/err"
expect_has "$(cat "$T/err")" "writing files is not allowed in the sandbox (--record-dir DIR allows writes inside DIR)" "no folder, no writes"
ln -s "$T" "$T/out/link"
$BIN --headless --sandbox --record-dir "$T/out" -e 'io.open("'"$T"'/out/link/esc.txt", "w")' 2>"$T/err"
expect_has "$(cat "$T/err")" "PermissionError" "a link out of the folder"
[ ! -e "$T/esc.txt" ] || fail "nothing written through the link"
# --sandbox --record-dir out can still record into out/
$BIN --headless --sandbox --record-dir "$T/out" --record "$T/out/run.svg" -e 'local t = threading.Thread{target=function() end}; t:start(); t:join()'
expect_eq "$?" "0" "a sandboxed run records"
grep -q "<svg" "$T/out/run.svg" || fail "the recording is in out/"
$BIN --headless --record-dir "$T/nope" -e '' 2>"$T/err"; expect_eq "$?" "2" "a missing --record-dir"
expect_has "$(cat "$T/err")" "--record-dir takes an existing folder" "explained"
# A lesson's header can ask for the sandbox; its code after the header runs
# without os.execute, and its steps and checks still work.
cat > "$T/l.lua" <<'LUA'
lesson{title={en="Boxed", zh="沙箱"}, source="a test", sandbox=true}
say{en="inside the sandbox", zh="在沙箱里"}
local ok, e = pcall(os.execute, "true")
print(ok, tostring(e))
step{en="one step", zh="一步"}
g = 1
expect{value = g, is = 1, en = "g is 1", zh = "g 是 1"}
LUA
out=$($BIN --headless --auto "$T/l.lua" 2>&1)
expect_eq "$?" "0" "a sandboxed lesson plays and passes"
expect_has "$out" "false PermissionError: os.execute is not allowed in the sandbox" "the header turned it on"
echo ok
