# A lesson's MainThread traces each line of the lesson it starts (and only
# those, once each time it moves to another line), with the step's code numbered, so the window can show the line
# running; the same lines in every run.
. tests/cli/lib.sh
cat > "$T/99-lines.lua" <<'LUA'
lesson{ title = {en = "Lines", zh = "行"}, source = "test" }
say{en = "A step.", zh = "一步。"}
step "Count"
local x = 1
x = x + 1
print(threading.current_thread().name, x)
for i = 1, 100000 do x = x + i end
x = 0
LUA
run() { $BIN --headless --auto --clock virtual --speed 0 --trace "$T/t$1.bin" "$T/99-lines.lua" > /dev/null || fail "lesson run"; $BIN --dump-trace "$T/t$1.bin" > "$T/d$1.txt"; }
run 1; run 2
cmp -s "$T/d1.txt" "$T/d2.txt" || fail "two runs traced differently"
lines=$(grep 'lesson-step *r=5' "$T/d1.txt" | sed 's/.*obj=\([0-9]*\).*/\1/' | tr '\n' ' ')
for n in 4 5 6; do expect_has " $lines" " $n " "line $n traced (got: $lines)"; done
expect_has "$(grep "lesson-step *r=3" "$T/d1.txt")" "4│local x = 1\\n5│x = x + 1" "the step's code, numbered"
# A loop on one line is one line event, not one per turn (a lesson's
# 2,000,000-turn loop once filled the trace ring with them).
expect_eq "$(grep -c 'lesson-step *r=5 *obj=7 ' "$T/d1.txt")" "1" "a one-line loop traced once"
expect_has " $lines" " 8 " "the line after the loop traced"
echo ok
