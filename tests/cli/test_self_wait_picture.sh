# A thread that waits for a plain Lock it holds itself is a hang, not a
# cycle (any thread may release a Lock): the picture draws the engine's one
# hang report, so each label of the wait shows once, and no arrow or panel
# edge points from the thread back to itself (lesson 21's teller).
. tests/cli/lib.sh
cat > "$T/s.lua" <<'LUA'
local account = threading.Lock{name = "account"}
local function twice() account:acquire(); time.sleep(0.2); account:acquire() end
local teller = threading.Thread{target = twice, name = "teller", daemon = true}
teller:start()
print(pcall(teller.join, teller))
LUA
timeout 20 "$BIN" --headless --clock virtual --speed 0 --record "$T/s.svg" "$T/s.lua" > "$T/out" 2>&1 ||
  fail "the script runs: $(cat "$T/out")"
expect_has "$(cat "$T/out")" "HangError: teller waits for Lock account, held by teller" "reported as a hang"
expect_eq "$(grep -o '>joins teller<' "$T/s.svg" | wc -l)" "1" "the join drawn once"
expect_eq "$(grep -o '>HANG at' "$T/s.svg" | wc -l)" "1" "one HANG banner"
# the wait-for panel: one edge that says both, not two labels on one line
expect_eq "$(grep -o '>waits for, holds<' "$T/s.svg" | wc -l)" "1" "one edge waits for and holds"
expect_eq "$(grep -o '>held by<' "$T/s.svg" | wc -l)" "0" "no held-by edge back to itself"
echo ok
