# A generator's send round trip is one trace event when its body writes
# nothing between the switch in and the switch back (green-switch r=5: in
# at t, back after arg >> 32 ns); a body that writes something keeps both
# switches as events around what it wrote, in order. The pictures of both
# kinds of run are what the two switches drew, and replay byte for byte.
. tests/cli/lib.sh
cat > "$T/silent.lua" <<'LUA'
function acc() local tot = 0 while true do tot = tot + yield(tot) end end
local a = generator(acc)
next(a)
for _ = 1, 200 do a:send(1) end
print(a:send(0))
LUA
run() { $BIN --headless --clock virtual --speed 0 --seed 5 --trace "$T/s$1.bin" --record "$T/s$1.svg" "$T/silent.lua"; }
expect_eq "$(run 0)" "200" "the sum"
$BIN --dump-trace "$T/s0.bin" > "$T/s0.txt" || fail "dump"
rounds=$(grep -c "green-switch *r=5 obj=1 " "$T/s0.txt")
plain=$(grep "green-switch" "$T/s0.txt" | grep -vc "r=5")
# next(a) and the 201 sends: one event each, none of two switches
expect_eq "$rounds" "202" "one event per silent round trip"
expect_eq "$plain" "0" "no round trip written as two switches"
# in the virtual clock a switch costs 500 ns: arg >> 32, the time from
# the switch in to the switch back, is that
awk '/r=5/ { split($8, a, "="); if (int(a[2] / 4294967296) != 500) bad++ } END { exit bad > 0 }' "$T/s0.txt" ||
  fail "a round trip's time in its event"
svg=$(cat "$T/s0.svg")
expect_has "$svg" "switch from MainThread to ↳ acc" "the switch arrows are drawn"
expect_has "$svg" "↳ acc: running for 500 ns (1 µs – 1.5 µs)" "a round trip's running segment"
expect_has "$svg" "↳ acc: suspended for 500 ns (1.5 µs – 2 µs)" "and the suspension after it"
run 1 >/dev/null || fail "second run"
cmp -s "$T/s0.svg" "$T/s1.svg" || fail "the picture differs by seed"
cmp -s "$T/s0.bin" "$T/s1.bin" || fail "the trace differs by seed"

# A body that prints: the switch in is written before the print, the
# switch back after it (a round trip is one event only when nothing else is)
cat > "$T/loud.lua" <<'LUA'
function talk() while true do print("in " .. yield()) end end
local g = generator(talk)
next(g)
g:send(1)
g:send(2)
LUA
$BIN --headless --clock virtual --speed 0 --trace "$T/l.bin" "$T/loud.lua" >/dev/null || fail "loud run"
# (next(g) reaches yield() silently: one event)
order=$($BIN --dump-trace "$T/l.bin" | awk '/green-switch/ { print $6 "," $7 } /print/ { print "print" }' | tr '\n' ' ')
expect_eq "$order" "r=5,obj=1 r=0,obj=1 print r=0,obj=0 r=0,obj=1 print r=0,obj=0 " "switches around what the body writes"
# A fork inside a generator's body: the switch in, still held when the
# body forks, is written once, by the parent (the child wrote its copy too)
cat > "$T/fork.lua" <<'LUA'
local g = generator(function()
  local pid = os.fork()
  if pid == 0 then os._exit(0) end
  os.waitpid(pid, 0)
  yield(1)
end)
print(next(g))
LUA
$BIN --headless --clock virtual --speed 0 --trace "$T/f.bin" "$T/fork.lua" >/dev/null || fail "fork run"
expect_eq "$($BIN --dump-trace "$T/f.bin" | awk '/green-switch/ { print $3 "," $7 }' | tr '\n' ' ')" \
  "P1,obj=1 P1,obj=0 " "one switch in, by the parent"
echo ok
