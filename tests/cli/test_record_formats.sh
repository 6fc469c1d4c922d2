# --record writes .svg, .png and .json by extension, headless: the SVG
# renders, the PNG is a picture with something on it, the JSON is a Chrome
# Trace that names every thread and has slices and flows. Then a deadlock,
# recorded: the red cycle and the lock names are in the SVG.
. tests/cli/lib.sh
cat > "$T/s.lua" <<'LUA'
local l = threading.Lock{name = "A"}
local function work()
  for i = 1, 3 do l:acquire(); time.sleep(0.01); l:release() end
end
local a = threading.Thread{name = "worker-1", target = work}
local b = threading.Thread{name = "下载线程-2", target = work}
a:start(); b:start(); lab.mark("both started")
a:join(); b:join(); print("done")
LUA
$BIN --headless --clock virtual --speed 0 --record "$T/a.svg" --record "$T/a.png" \
  --record "$T/a.json" "$T/s.lua" > "$T/out" 2>&1 || fail "run with three recordings: $(cat "$T/out")"
for f in a.svg a.png a.json; do [ -s "$T/$f" ] || fail "$f not written"; done
head -c 5 "$T/a.svg" | grep -q '<?xml' || fail "svg is XML"
rsvg-convert "$T/a.svg" -o "$T/from_svg.png" || fail "rsvg-convert renders the svg"
python3 tests/cli/pngcheck.py "$T/from_svg.png" 1000 150 > /dev/null || fail "the rendered svg is blank"
python3 tests/cli/pngcheck.py --density 2 "$T/a.png" 2000 300 || fail "a.png"
python3 tests/cli/jsoncheck.py "$T/a.json" MainThread worker-1 下载线程-2 || fail "a.json"
grep -q '"lock handoff"' "$T/a.json" || fail "a lock handoff flow"
grep -q '"GIL handoff"' "$T/a.json" || fail "a GIL handoff flow"
grep -q '"both started"' "$T/a.json" || fail "the mark as an instant event"
# An unknown extension and an unwritable path: refused before the run (exit 2).
$BIN --headless --record "$T/a.bmp" -e 'x = 1' 2> "$T/err"; expect_eq "$?" "2" "bad extension refused"
expect_has "$(cat "$T/err")" "unknown diagram format" "bad extension explained"
$BIN --headless --record /nonexistent/a.png -e 'x = 1' 2> "$T/err"
expect_has "$(cat "$T/err")" "/nonexistent/a.png" "unwritable png path named"
$BIN --headless --record /nonexistent/a.json -e 'x = 1' 2> "$T/err"
expect_has "$(cat "$T/err")" "No such file" "unwritable json path explained"
# The notes' deadlock, in virtual time: the banner, the red cycle, the locks.
cat > "$T/d.lua" <<'LUA'
lockA = threading.Lock{name = "lockA"}
lockB = threading.Lock{name = "lockB"}
local function f1() lockA:acquire(); time.sleep(1); lockB:acquire(); lockB:release(); lockA:release() end
local function f2() lockB:acquire(); time.sleep(1); lockA:acquire(); lockA:release(); lockB:release() end
threading.Thread{target = f1}:start()
threading.Thread{target = f2}:start()
LUA
$BIN --headless --clock virtual --speed 0 --record "$T/d.svg" --record "$T/d.png" \
  --record "$T/d.json" "$T/d.lua" > /dev/null 2>&1
svg=$(cat "$T/d.svg")
expect_has "$svg" "DEADLOCK at" "the deadlock banner"
expect_has "$svg" "Thread-1 (f1) waits for Lock lockB held by Thread-2 (f2)" "the cycle in words"
expect_has "$svg" ">Lock lockA<" "lock names on the cycle"
expect_has "$svg" 'stroke="#d00000"' "red cycle edges"
expect_has "$svg" "Who waits for whom at the deadlock" "the wait-for graph"
rsvg-convert "$T/d.svg" -o "$T/d_svg.png" || fail "the deadlock svg renders"
python3 tests/cli/pngcheck.py --density 2 "$T/d.png" 2000 300 > /dev/null || fail "d.png"
python3 -c "
import json, sys
ev = json.load(open(sys.argv[1]))['traceEvents']
assert any(e['ph'] == 'i' and e['name'] == 'deadlock' for e in ev), 'a deadlock instant'
" "$T/d.json" || fail "the deadlock in the json"
echo ok
