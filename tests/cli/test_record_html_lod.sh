# A page of a big run keeps finer pictures for deep zoom (levels of detail,
# each 4 times wider, in deflated tiles), says what they keep, reaches about
# 10 us a pixel at a million events within 5 MB, and is the same bytes twice.
. tests/cli/lib.sh
cat > "$T/many.lua" <<'LUA'
x = 0
local function work() for i = 1, N do time.sleep(0.00005); x = x + 1 end end
local ts = {}
for i = 1, 4 do ts[i] = threading.Thread{target = work}; ts[i]:start() end
for i = 1, 4 do ts[i]:join() end
LUA
sed 's/N do/3000 do/' "$T/many.lua" > "$T/small.lua"
for i in 1 2; do
  $BIN --headless --clock virtual --speed 0 --record "$T/s$i.html" "$T/small.lua" > "$T/out" 2>&1 ||
    fail "48 thousand events: $(cat "$T/out")"
done
cmp "$T/s1.html" "$T/s2.html" || fail "the page of a run twice differs"
python3 tests/cli/htmlcheck.py "$T/s1.html" > /dev/null || fail "the page: $(python3 tests/cli/htmlcheck.py "$T/s1.html")"
levels=$(grep -o 'class="lv" data-f="[0-9]*"' "$T/s1.html" | sed 's/.*"\([0-9]*\)"/\1/' | tr '\n' ' ')
expect_eq "$levels" "1 4 16 " "pictures 1, 4 and 16 times wide"
expect_eq "$(grep -c '<svg class="tile"' "$T/s1.html")" "10" "the wider ones in tiles (2 and 8)"
expect_has "$(cat "$T/s1.html")" "zoom keeps 3 pictures, 1× to 16×" "the page says what it keeps"
# A million events: the finest picture shows about 10 us a pixel (no
# coarser than 12.5), and the page stays under 5 MB.
sed 's/N do/62500 do/' "$T/many.lua" > "$T/big.lua"
$BIN --headless --clock virtual --speed 0 --trace "$T/big.trace" --record "$T/big1.html" \
  "$T/big.lua" > "$T/out" 2>&1 || fail "a million events: $(cat "$T/out")"
events=$($BIN --dump-trace "$T/big.trace" | wc -l)
[ "$events" -ge 1000000 ] || fail "the big run made only $events events"
size=$(stat -c %s "$T/big1.html")
[ "$size" -le 5000000 ] || fail "the page of $events events is $size bytes"
finest=$(grep -o 'class="lv" [^>]*data-ns-px="[0-9]*"' "$T/big1.html" | tail -n 1 | sed 's/.*data-ns-px="//; s/"//')
[ -n "$finest" ] && [ "$finest" -le 12500 ] || fail "the finest picture shows ${finest:-?} ns a pixel, want about 10 us"
expect_has "$(cat "$T/big1.html")" "zoom keeps 5 pictures, 1× to 256× (10.2 µs a pixel)" "the finest said"
python3 tests/cli/htmlcheck.py "$T/big1.html" > /dev/null || fail "the big page: $(python3 tests/cli/htmlcheck.py "$T/big1.html")"
echo ok
