# Rows of a recorded picture: a thread reuses the row of a finished thread
# of the same name; threads too short to see share one row that counts
# them; a long-lived thread keeps its own. And picturecheck.py itself
# fails on what it is there to catch.
. tests/cli/lib.sh
cat > "$T/rows.lua" <<'LUA'
for round = 1, 3 do
  local t = threading.Thread{name = "A", target = function() time.sleep(0.1) end}
  t:start(); t:join()
end
for i = 1, 10 do
  local t = threading.Thread{target = function() end}
  t:start(); t:join()
end
local b = threading.Thread{name = "B", target = function() time.sleep(0.2) end}
b:start(); b:join()
LUA
$BIN --headless --clock virtual --speed 0 --record "$T/rows.dl" --record "$T/rows.svg" \
  "$T/rows.lua" > "$T/out" 2>&1 || fail "run: $(cat "$T/out")"
python3 tests/cli/picturecheck.py "$T/rows.dl" || fail "the rules"
names=$(python3 -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
x0 = float(lines[0].split()[4])  # the plot starts where the name column ends
for l in lines:
    w = l.split(" ")
    if w[:2] == ["text", "label"] and float(w[w.index("box") + 3]) <= x0:
        print(l.rsplit("\"", 2)[1], end="|")' "$T/rows.dl")
expect_eq "$names" "GIL|MainThread|A|10 short threads|B|" "the rows"
expect_has "$(cat "$T/rows.svg")" "3 threads of this name" "the reused row says so"
# The checker catches: overlapping texts, a text out of its panel, two rows
# of one name, an empty row, a step title cut short.
bad() {
  printf '%s\n' "display 400.0 200.0 plot 100.0 390.0" "panel process 0.0 0.0 400.0 100.0" \
    "panel names 0.0 0.0 100.0 100.0" "panel plot 100.0 0.0 390.0 100.0" "$@" > "$T/bad.dl"
  python3 tests/cli/picturecheck.py "$T/bad.dl" > "$T/why" && fail "picturecheck passed: $*"
  cat "$T/why"
}
seg='rect segment lane=0 lane2=-1 ref=1 count=1 box 100.0 10.0 200.0 20.0'
lane0='lane 0 0.0 36.0'
expect_has "$(bad "$lane0" "$seg" 'text marker lane=0 lane2=-1 ref=18 count=1 box 110.0 5.0 200.0 15.0 kind=print size=10.0 bold=0 "one"' \
  'text marker lane=0 lane2=-1 ref=18 count=1 box 150.0 5.0 250.0 15.0 kind=print size=10.0 bold=0 "two"')" \
  "texts overlap" "overlap caught"
expect_has "$(bad "$lane0" "$seg" 'text marker lane=0 lane2=-1 ref=18 count=1 box 350.0 5.0 420.0 15.0 kind=print size=10.0 bold=0 "far"')" \
  "outside every panel" "out of panel caught"
expect_has "$(bad "$lane0" 'lane 1 36.0 72.0' "$seg" \
  'rect segment lane=1 lane2=-1 ref=1 count=1 box 100.0 40.0 200.0 50.0' \
  'text label lane=0 lane2=-1 ref=0 count=1 box 10.0 10.0 40.0 20.0 size=12.0 bold=0 "A"' \
  'text label lane=1 lane2=-1 ref=0 count=1 box 10.0 46.0 40.0 56.0 size=12.0 bold=0 "A"')" \
  "two rows named 'A'" "same-name rows caught"
expect_has "$(bad "$lane0" 'rect segment lane=0 lane2=-1 ref=1 count=1 box 100.0 10.0 101.0 20.0')" \
  "shows nothing" "empty row caught"
expect_has "$(bad "$lane0" "$seg" 'panel band 100.0 0.0 390.0 10.0' \
  'line marker lane=-1 lane2=-1 ref=62 count=1 box 300.0 0.0 300.0 100.0 kind=lesson-step' \
  'text marker lane=-1 lane2=-1 ref=62 count=1 box 303.0 0.0 380.0 9.0 kind=lesson-step size=10.0 bold=0 "A long ti…"')" \
  "cut short" "cut step title caught"
# A hang's "joins go1" label sits next to the row of the thread that joins
# (lesson 13: MainThread, row 0), not half-way to go1's row, where it lay on
# Thread-2 (go2)'s row and seemed to speak of it.
$BIN --headless --auto --clock virtual --speed 0 --record "$T/l13.dl" lessons/13-condition.lua >/dev/null 2>&1 ||
  fail "lesson 13"
python3 - "$T/l13.dl" <<'PY' || fail "the hang's join label is not next to MainThread's row"
import re, sys
rows, label = {}, None
for line in open(sys.argv[1]):
    m = re.match(r"lane (\d+) ([\d.]+) ([\d.]+)", line)
    if m: rows[int(m.group(1))] = (float(m.group(2)), float(m.group(3)))
    if line.startswith("text marker") and line.rstrip().endswith('"joins go1"'):
        label = [float(x) for x in line.split(" box ")[1].split()[:4]]
top, bottom = rows[0]
assert label, "no joins go1 label"
assert top <= label[1] and label[3] <= bottom + (bottom - top) * 0.75, (label, rows[0])
PY
echo ok
