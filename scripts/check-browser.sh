#!/usr/bin/env bash
# make check-browser: every lesson's HTML recording opened in headless
# Chromium (Debian's chromium package; puppeteer-core from npm, which never
# downloads a browser of its own), plus a run of about a million events for
# its load-to-first-paint. Pages, SVGs and screenshots go to build/browser.
#   TL_BIN     the threadlab binary (default ./threadlab)
#   LESSONS    a pattern of lesson files (default lessons/[0-9]*.lua)
set -u
cd "$(dirname "$0")/.."
BIN=${TL_BIN:-./threadlab}
OUT=build/browser
[ -x "$BIN" ] || { echo "check-browser: no $BIN (run make first)" >&2; exit 1; }
if ! command -v chromium > /dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends chromium || exit 1
fi
mkdir -p "$OUT/pages"
if [ ! -d "$OUT/node_modules/puppeteer-core" ]; then
  (cd "$OUT" && npm install --no-audit --no-fund --loglevel=error puppeteer-core@25) || exit 1
fi
cp tests/browser/check.mjs "$OUT/check.mjs" # node finds puppeteer-core beside it

pages=() failed=0
for lesson in ${LESSONS:-lessons/[0-9]*.lua}; do
  name=$(basename "$lesson" .lua)
  if "$BIN" --headless --auto --clock virtual --speed 0 --record "$OUT/pages/$name.html" \
       --record "$OUT/pages/$name.svg" "$lesson" > "$OUT/pages/$name.log" 2>&1 < /dev/null; then
    pages+=("$PWD/$OUT/pages/$name.html:$PWD/$OUT/pages/$name.svg")
  else
    echo "FAIL  $name: not recorded (see $OUT/pages/$name.log)"
    failed=1
  fi
done
# About a million events: four threads napping 50 us a time, so the
# timeline has a quarter of a million states (the page's levels of detail).
cat > "$OUT/pages/million.lua" <<'LUA'
x = 0
local function work() for i = 1, 62500 do time.sleep(0.00005); x = x + 1 end end
local ts = {}
for i = 1, 4 do ts[i] = threading.Thread{target = work}; ts[i]:start() end
for i = 1, 4 do ts[i]:join() end
LUA
"$BIN" --headless --clock virtual --speed 0 --trace-size 2000000 --trace "$OUT/pages/million.trace" \
  --record "$OUT/pages/million.html" --record "$OUT/pages/million.svg" "$OUT/pages/million.lua" \
  > "$OUT/pages/million.log" 2>&1 < /dev/null || { echo "FAIL  million: not recorded"; failed=1; }
events=$("$BIN" --dump-trace "$OUT/pages/million.trace" 2>/dev/null | wc -l)
echo "million.html: $events events, $(stat -c %s "$OUT/pages/million.html") bytes"
pages+=("$PWD/$OUT/pages/million.html:$PWD/$OUT/pages/million.svg")
node "$OUT/check.mjs" "$(command -v chromium)" "${pages[@]}" || failed=1
exit $failed
