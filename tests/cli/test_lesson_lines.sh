# A lesson's MainThread traces each line of the lesson it starts (and only
# those), with the step's code numbered, so the window can show the line
# running; the same lines in every run.
. tests/cli/lib.sh
cat > "$T/99-lines.lua" <<'LUA'
lesson{ title = {en = "Lines", zh = "行"}, source = "test" }
say{en = "A step.", zh = "一步。"}
step "Count"
local x = 1
x = x + 1
print(threading.current_thread().name, x)
LUA
run() { $BIN --headless --auto --clock virtual --speed 0 --trace "$T/t$1.bin" "$T/99-lines.lua" > /dev/null || fail "lesson run"; $BIN --dump-trace "$T/t$1.bin" > "$T/d$1.txt"; }
run 1; run 2
cmp -s "$T/d1.txt" "$T/d2.txt" || fail "two runs traced differently"
lines=$(grep 'lesson-step *r=5' "$T/d1.txt" | sed 's/.*obj=\([0-9]*\).*/\1/' | tr '\n' ' ')
for n in 4 5 6; do expect_has " $lines" " $n " "line $n traced (got: $lines)"; done
expect_has "$(grep "lesson-step *r=3" "$T/d1.txt")" "4│local x = 1\\n5│x = x + 1" "the step's code, numbered"
echo ok
