# The hub sleeps once for each timer it waits for: a timer's time, a sum
# in floating point, may sit a hair above the ns the clock counts, and the
# hub slept 0 ns again and again until the clock passed it (lesson 83 drew
# 29 such empty sleeps).
. tests/cli/lib.sh
cat > "$T/s.lua" <<'LUA'
local function f(c) for _ = 1, 3 do gevent.sleep(0.001) end end
gevent.joinall{ gevent.spawn(f, "a"), gevent.spawn(f, "b"), gevent.spawn(f, "c") }
print("done")
LUA
$BIN --headless --clock virtual --speed 0 --trace "$T/s.bin" "$T/s.lua" > "$T/out" 2>&1 || fail "run: $(tail -3 "$T/out")"
$BIN --dump-trace "$T/s.bin" > "$T/d.txt" || fail "dump"
sleeps=$(grep -c ' sleep  ' "$T/d.txt")
empty=$(grep ' sleep  ' "$T/d.txt" | grep -c 'arg=0$')
expect_eq "$empty" "0" "no sleep of 0 ns (of $sleeps sleeps)"
[ "$sleeps" -ge 1 ] || fail "the hub never slept"
for s in 1 2 3 4; do
  $BIN --headless --auto --clock virtual --speed 0 --seed $s --trace "$T/l$s.bin" lessons/83-gevent-sleep.lua > /dev/null 2>&1 || fail "lesson 83, seed $s"
  expect_eq "$($BIN --dump-trace "$T/l$s.bin" | grep ' sleep  ' | grep -c 'arg=0$')" "0" "lesson 83, seed $s: no sleep of 0 ns"
done
echo ok
