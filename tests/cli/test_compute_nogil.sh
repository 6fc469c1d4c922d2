# lab.compute(ms, {gil=false}) is C code running without the GIL (as numpy
# or hashlib do): the timeline draws it as running without the GIL, with its
# own legend entry, not as "other wait"; the Chrome JSON names the state.
# lab.compute with the GIL stays plain running.
. tests/cli/lib.sh
cat > "$T/c.lua" <<'LUA'
local function numpy() lab.compute(50, {gil = false}) end
local function py() lab.compute(20) end
local a = threading.Thread{target = numpy}
local b = threading.Thread{target = py}
a:start(); b:start(); a:join(); b:join()
LUA
timeout 20 "$BIN" --headless --clock virtual --speed 0 --record "$T/c.svg" --record "$T/c.json" \
  "$T/c.lua" > /dev/null 2>&1 || fail "the script runs"
svg=$(cat "$T/c.svg")
# (the start depends on how many instructions MainThread ran before: the
# virtual clock advances in ticks of instructions)
expect_has "$svg" "<title>Thread-1 (numpy): running-nogil for 50 ms (" "compute without the GIL is running"
expect_has "$svg" ">running without the GIL (C code)<" "its own legend entry"
expect_has "$svg" "<title>Thread-2 (py): running for 20 ms" "compute with the GIL is running with it"
printf '%s' "$svg" | grep -q "Thread-1 (numpy): idle" && fail "drawn as another wait"
expect_has "$(cat "$T/c.json")" '"running-nogil"' "the JSON names the state"
echo ok
