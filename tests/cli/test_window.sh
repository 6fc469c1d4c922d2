# The timeline window under a virtual X server (xvfb-run): opened by
# default when there is a display, driven by a script, saved with
# lab.screenshot; the window closes when the script ends. The notes'
# deadlock, live on the real clock, shows red (banner, cycle, blocked
# bars). And headless, lab.screenshot draws the same view offscreen.
. tests/cli/lib.sh
command -v xvfb-run > /dev/null || fail "xvfb-run is missing (scripts/install-deps.sh installs xvfb)"
# xvfb-run -a races with other runs for a display number: start the search
# somewhere random, and try again if the server could not start. Each run
# has its own timeout, well inside the runner's, so a hang says where.
# Its servers use an auth file in this test's folder, so whatever happens to
# xvfb-run (a timeout's KILL), none outlives the test (one was found hours on).
trap 'pkill -f "Xvfb.*$T/Xauthority" 2> /dev/null' EXIT
xvfb() {
  local i
  for i in 1 2 3; do
    xvfb-run -a -n $((100 + RANDOM % 800)) -f "$T/Xauthority" "$@" && return 0
    grep -q "Xvfb failed to start\|server already active" "$T/out" 2> /dev/null || return 1
  done
  return 1
}
cat > "$T/race.lua" <<'LUA'
g = 0
local l = threading.Lock{name = "counter"}
local function work(n) for i = 1, n do l:acquire(); g = g + 1; l:release() end end
local ts = {}
for k = 1, 3 do ts[k] = threading.Thread{name = "worker-" .. k, target = work, args = {3000}}; ts[k]:start() end
lab.mark("all started")
for k = 1, 3 do ts[k]:join() end
lab.narrate("三个线程轮流拿锁: three threads take turns with the lock")
print("g = " .. g)
LUA
start=$(date +%s)
xvfb timeout 25 $BIN -e "dofile('$T/race.lua'); lab.screenshot('$T/w.png')" > "$T/out" 2>&1 \
  || fail "window run: $(cat "$T/out")"
expect_has "$(cat "$T/out")" "g = 9000" "the script ran"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "the window kept the program alive"
python3 tests/cli/pngcheck.py --density 1 "$T/w.png" 1200 700 || fail "the screenshot"
# The deadlock, live: daemon threads, so the program can end after.
cat > "$T/dl.lua" <<'LUA'
lockA = threading.Lock{name = "lockA"}
lockB = threading.Lock{name = "lockB"}
local function f1() lockA:acquire(); time.sleep(0.5); lockB:acquire() end
local function f2() lockB:acquire(); time.sleep(0.5); lockA:acquire() end
threading.Thread{target = f1, daemon = true}:start()
threading.Thread{target = f2, daemon = true}:start()
LUA
# (A deadlock found exits 1 even among daemon threads: the run failed.)
xvfb timeout 25 $BIN -e "dofile('$T/dl.lua'); time.sleep(1.2); lab.screenshot('$T/dl.png')" \
  > "$T/out" 2>&1
expect_eq "$?" "1" "deadlock window run exits 1: $(cat "$T/out")"
expect_has "$(cat "$T/out")" "deadlock" "the deadlock is reported"
python3 tests/cli/pngcheck.py --density 1 "$T/dl.png" 1200 700 0.02 || fail "the deadlock screenshot"
# Headless, the same picture is drawn offscreen.
timeout 20 $BIN --headless -e "dofile('$T/race.lua'); lab.screenshot('$T/h.png')" > /dev/null 2>&1 \
  || fail "headless screenshot"
python3 tests/cli/pngcheck.py --density 1 "$T/h.png" 1200 700 || fail "the headless screenshot"
$BIN --headless -e "lab.screenshot('$T/h.gif')" 2> "$T/err"; expect_eq "$?" "1" "not a png"
expect_has "$(cat "$T/err")" "ValueError" "a bad screenshot name explained"
$BIN --headless -e "lab.screenshot('/nonexistent/x.png')" 2> "$T/err"
expect_has "$(cat "$T/err")" "/nonexistent/x.png" "an unwritable screenshot path named"
# No display to open: said once, and the run goes on without the window.
DISPLAY=:987 timeout 20 $BIN -e 'print("still here")' > "$T/out" 2> "$T/err" || fail "no display is not fatal"
expect_has "$(cat "$T/out")" "still here" "ran without a window"
expect_has "$(cat "$T/err")" "without the window" "the missing window explained"
echo ok
