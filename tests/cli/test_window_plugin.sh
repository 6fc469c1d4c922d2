# The window layer is a plugin (repl/window_load.c): the binary links no
# SDL, a run that draws nothing never maps it, the first picture does; and
# a binary whose plugin is missing says so where a missing display would,
# and goes on.
. tests/cli/lib.sh
needed=$(readelf -d "$BIN" | grep NEEDED)
[ -n "$needed" ] || fail "readelf -d $BIN lists no libraries"
bad=$(printf '%s\n' "$needed" | grep -iE 'SDL|fontconfig|freetype|png|gif|harfbuzz|X11|wayland')
expect_eq "$bad" "" "the binary links a drawing library"
# It calls nothing of SDL's; it gives the plugin the trace and the timeline
# but none of its own stand-ins (the plugin would call them, not itself).
bad=$(nm -D --undefined-only "$BIN" | grep -E ' (SDL|TTF|IMG|Fc|FT|png|EGif|DGif)_?')
expect_eq "$bad" "" "the binary calls a drawing library"
nm -D --defined-only "$BIN" | grep -q ' tl_trace_' || fail "the trace is not exported to the plugin"
bad=$(nm -D --defined-only "$BIN" | grep -E ' tl_(window|png|anim|text|view|canvas|bench)_')
expect_eq "$bad" "" "the binary exports a window function"
# mapped: prints the plugin's line of /proc/self/maps, if any.
mapped='local m = "" for l in io.lines("/proc/self/maps") do
  if l:find("threadlab%-window%.so") then m = "mapped" end end print(m)'
expect_eq "$($BIN --headless -e "print(1)" -e "$mapped")" "1" "a run that draws nothing maps the plugin"
expect_eq "$($BIN --headless -e "lab.screenshot('$T/a.png')" -e "$mapped")" "mapped" \
  "a screenshot loads the plugin"
[ -s "$T/a.png" ] || fail "no screenshot"
# A spawned child execs threadlab afresh: it maps the plugin only if it
# draws, though its parent had it loaded. A forked child has it mapped
# (its parent's memory) and, drawing nothing, never calls it.
cat > "$T/mp.lua" <<LUA
function child(tag) io.write(tag, " ") $mapped end
if __name__ == "__main__" then
  lab.screenshot("$T/b.png")
  mp.set_start_method(arg[1])
  local p = mp.Process{target = child, args = {arg[1]}}
  p:start() p:join()
  print(p.exitcode)
end
LUA
out=$($BIN --headless "$T/mp.lua" spawn 2>&1) || fail "spawn run: $out"
expect_eq "$out" "spawn 
0" "a spawned child that draws nothing maps no plugin"
out=$($BIN --headless "$T/mp.lua" fork 2>&1) || fail "fork run: $out"
expect_eq "$out" "fork mapped
0" "a forked child of a parent that drew"

# Without its plugin: a copy of the binary alone in a folder.
mkdir -p "$T/alone" && cp "$BIN" "$T/alone/threadlab"
lone=$T/alone/threadlab
out=$($lone --headless -e 'print("still here")' 2>&1)
expect_eq "$?/$out" "0/still here" "a run that draws nothing needs no plugin"
out=$($lone --headless --clock virtual --speed 0 -e 'print(2)' --record "$T/r.png" \
        --record "$T/r.svg" --record "$T/r.html" 2>"$T/err")
expect_eq "$?" "1" "a PNG recording without the plugin fails the run"
expect_eq "$out" "2" "the script ran"
expect_eq "$(wc -l < "$T/err")" "1" "one line says why: $(cat "$T/err")"
expect_has "$(cat "$T/err")" "cannot record $T/r.png: cannot load the drawing plugin: " "the error"
expect_has "$(cat "$T/err")" "threadlab-window.so: cannot open shared object file" "names the file"
[ -e "$T/r.png" ] && fail "a PNG without the plugin"
[ -s "$T/r.svg" ] && [ -s "$T/r.html" ] || fail "SVG and HTML recordings need no plugin"
for f in gif apng; do
  $lone --headless -e '' --record "$T/r.$f" 2>"$T/err"
  expect_eq "$?" "1" "a $f recording without the plugin fails the run"
  expect_has "$(cat "$T/err")" "threadlab-window.so" "the $f error names the file"
done
out=$($lone --headless -e "print(pcall(lab.screenshot, '$T/s.png'))" -e 'print("on")' 2>&1)
expect_has "$out" "RuntimeError" "a screenshot without the plugin raises"
expect_has "$out" "threadlab-window.so" "and names the file"
expect_has "$out" "on" "the session goes on"
# Where the window would open: said once, the run goes on headless.
DISPLAY=:987 $lone -e 'print("still here")' > "$T/out" 2> "$T/err" || fail "no plugin is not fatal"
expect_eq "$(cat "$T/out")" "still here" "ran without a window"
expect_eq "$(wc -l < "$T/err")" "1" "one line: $(cat "$T/err")"
expect_has "$(cat "$T/err")" "threadlab-window.so: cannot open shared object file" "names the file"
expect_has "$(cat "$T/err")" "going on without the window" "and goes on"
$lone --bench-frame 100 > /dev/null 2> "$T/err"
expect_eq "$?" "1" "--bench-frame without the plugin fails"
expect_has "$(cat "$T/err")" "threadlab-window.so" "--bench-frame names the file"
echo ok
