# A green lane's name and the virtual time spent finding it do not depend
# on pairs() order over _G, which Lua's seeded string hash changes from run
# to run: a function known under two globals is named by the least of them,
# and the same script recorded again is the same bytes (lesson 85's
# pictures once differed by a few instructions charged before its first
# generator ran).
. tests/cli/lib.sh
cat > "$T/two.lua" <<'LUA'
function zeta() yield(1) end
alpha, mid = zeta, zeta
for i = 1, 40 do _G["filler" .. i] = i end
g = generator(zeta); next(g)
h = generator(function() yield(2) end); next(h)
LUA
for i in 1 2 3 4 5 6 7 8; do
  $BIN --headless --clock virtual --speed 0 --record "$T/r$i.json" "$T/two.lua" > /dev/null 2>&1 ||
    fail "run $i"
  grep -qF '"↳ alpha"' "$T/r$i.json" || fail "run $i: the lane is not named ↳ alpha: $(grep -o '"↳ [^"]*"' "$T/r$i.json" | head -3)"
  cmp -s "$T/r1.json" "$T/r$i.json" || fail "run $i recorded other bytes than run 1"
done
echo ok
