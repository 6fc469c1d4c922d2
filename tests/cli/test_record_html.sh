# --record x.html: one page that fetches nothing, whose SVG is the SVG
# recording's picture (one display list), with the lesson's steps in both
# languages, and the same bytes from two recordings of the lesson.
. tests/cli/lib.sh
run() {
  $BIN --headless --auto --clock virtual --speed 0 "$@" lessons/11-deadlock.lua \
    > "$T/out" 2>&1 || fail "recording: $(tail -n 5 "$T/out")"
}
run --record "$T/d.html" --record "$T/d.svg"
run --record "$T/e.html"
cmp "$T/d.html" "$T/e.html" || fail "two recordings of the lesson differ"
python3 tests/cli/htmlcheck.py "$T/d.html" "$T/d.svg" || fail "the page"
page=$(cat "$T/d.html")
expect_has "$page" "<!DOCTYPE html>" "a page"
expect_has "$page" "DEADLOCK at 1 s" "the banner"
expect_has "$page" "Who waits for whom at the deadlock" "the wait-for graph"
expect_has "$page" 'data-l="1"' "items say their lane"
expect_has "$page" "blocked on a lock" "the legend"
expect_has "$page" '<b lang="en">Two threads, two locks, opposite order</b>' "a step in English"
expect_has "$page" '<b lang="zh" hidden>两个线程，两把锁，顺序相反</b>' "the step in Chinese"
expect_has "$page" '<div class="note" lang="zh" hidden>死锁：两个线程各拿着一把锁' \
  "the narration in Chinese, dedented"
expect_eq "$(grep -c '<li data-x0=' "$T/d.html")" "3" "three steps"
expect_has "$page" "window.threadlab" "the page's script"
# A lesson played in Chinese opens in Chinese.
LC_ALL=zh_CN.UTF-8 $BIN --headless --auto --clock virtual --speed 0 --record "$T/zh.html" \
  lessons/11-deadlock.lua > "$T/out" 2>&1 || fail "recording in Chinese: $(tail -n 3 "$T/out")"
expect_has "$(cat "$T/zh.html")" '<b lang="en" hidden>Two threads' "English hidden"
# A plain script: no steps, still a page; a window of it from the REPL's
# range works the same through --view --from --to.
cat > "$T/s.lua" <<'LUA'
local l = threading.Lock{name = "A"}
local function work() for i = 1, 3 do l:acquire(); time.sleep(0.01); l:release() end end
local a = threading.Thread{target = work}; a:start(); a:join()
LUA
$BIN --headless --clock virtual --speed 0 --trace "$T/s.trace" --record "$T/s.html" "$T/s.lua" \
  > "$T/out" 2>&1 || fail "a script: $(cat "$T/out")"
python3 tests/cli/htmlcheck.py "$T/s.html" > /dev/null || fail "the script's page"
expect_has "$(cat "$T/s.html")" "This run has no lesson steps." "no steps said"
$BIN --view "$T/s.trace" --from 0.01 --to 0.02 --record "$T/w.html" --record "$T/w.svg" \
  > "$T/out" 2>&1 || fail "a window: $(cat "$T/out")"
python3 tests/cli/htmlcheck.py "$T/w.html" "$T/w.svg" > /dev/null || fail "the window's page"
# Many events in a narrow picture: the page says what it shows merged.
cat > "$T/many.lua" <<'LUA'
local l = threading.Lock{name = "L"}
local function work() for i = 1, 3000 do l:acquire(); l:release() end end
local a, b = threading.Thread{target = work}, threading.Thread{target = work}
a:start(); b:start(); a:join(); b:join()
LUA
$BIN --headless --clock virtual --speed 0 --record "$T/many.html" "$T/many.lua" \
  > "$T/out" 2>&1 || fail "many events: $(cat "$T/out")"
expect_has "$(cat "$T/many.html")" 'too close to tell apart are drawn as' "merged items said"
# A finished wait for a lock still says who held it, and who took it
# meanwhile (the tooltip of its bar: the same words in the SVG).
cat > "$T/held.lua" <<'LUA'
local lk = threading.Lock{name = "L"}
local function worker(d) lk:acquire(); time.sleep(d); lk:release() end
local a = threading.Thread{target = worker, args = {0.5}}; a:start(); time.sleep(0.1)
local b = threading.Thread{target = worker, args = {0.3}}; b:start(); time.sleep(0.1)
lk:acquire(); lk:release(); a:join(); b:join()
LUA
$BIN --headless --clock virtual --speed 0 --record "$T/held.html" --record "$T/held.svg" \
  "$T/held.lua" > "$T/out" 2>&1 || fail "a wait for a lock: $(cat "$T/out")"
for f in held.html held.svg; do
  expect_has "$(cat "$T/$f")" "<title>Thread-2 (worker): blocked on Lock L for 400 ms (100 ms – 500 ms), held by Thread-1 (worker)<" \
    "$f: the holder of a finished wait"
  expect_has "$(cat "$T/$f")" "<title>MainThread: blocked on Lock L for 600 ms (200 ms – 800 ms), held by Thread-1 (worker), then Thread-2 (worker)<" \
    "$f: the holders over a finished wait"
done
echo ok
