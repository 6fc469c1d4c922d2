# A hang is not a deadlock: the notes' Condition example (000 §2.5) with go2
# started first loses its notification, and nothing can ever run again, but
# no thread holds what another wants. It is reported as a hang naming the
# lost notify, drawn under an amber HANG banner (never a red DEADLOCK one),
# and the wait-for panel shows the condition wait as well as the join; the
# banner says each wait once. MainThread learns it as a HangError (a
# DeadlockError, as for a cycle, since Python would wait for ever). Other
# primitives name what they wait for.
. tests/cli/lib.sh
cat > "$T/lost.lua" <<'LUA'
cond = threading.Condition{name = "cond"}
function go1()
  threading.with(cond, function()
    for i = 0, 7 do
      time.sleep(1)
      if i == 5 then cond:wait() end
    end
  end)
end
function go2()
  threading.with(cond, function()
    for i = 0, 6 do time.sleep(1) end
    cond:notify()
  end)
end
t2 = threading.Thread{target = go2, name = "go2"}
t2:start()
t1 = threading.Thread{target = go1, name = "go1"}
t1:start()
t1:join()
LUA
timeout 20 "$BIN" --headless --clock virtual --speed 0 --record "$T/lost.svg" --record "$T/lost.json" "$T/lost.lua" \
  > "$T/out" 2> "$T/err"; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "the hang ends the run, non-zero (rc $rc)"
err=$(cat "$T/err")
expect_has "$err" "HangError: go1 waits for a notify nobody can send (cond); MainThread joins go1" "the hang in words"
expect_eq "$(grep -c 'Error: ' "$T/err")" "1" "said once"
printf '%s' "$err" | grep -q "deadlock: " && fail "a hang reported as a deadlock: $err"
svg=$(cat "$T/svg" 2>/dev/null || cat "$T/lost.svg")
expect_has "$svg" ">HANG at 13 s: go1 waits for a notify nobody can send (cond); MainThread joins go1<" "the HANG banner"
printf '%s' "$svg" | grep -q "DEADLOCK" && fail "a DEADLOCK banner for a hang"
printf '%s' "$svg" | grep -q "deadlock (the cycle in red)" && fail "the legend explains a deadlock that is not there"
expect_has "$svg" "hang (nothing can run again, no cycle)" "the hang's own legend entry"
expect_has "$svg" "Who waits for whom at the hang (13 s)" "the wait-for panel, for the hang"
expect_has "$svg" "<title>go1 waits on Condition cond</title>" "the panel shows the condition wait"
expect_has "$svg" "<title>MainThread joins go1</title>" "and the join"
# the banner's text, once: no second line saying the same waits again
expect_eq "$(grep -c '<text[^>]*>[^<]*MainThread joins go1' "$T/lost.svg")" "1" "the waits are said once, not again under the banner"
expect_eq "$(grep -o 'fill="#d00000"' "$T/lost.svg" | wc -l)" "0" "nothing drawn in deadlock red"
json=$(cat "$T/lost.json")
expect_has "$json" '"hangs (nothing can run again)"' "the JSON marks the hang"
printf '%s' "$json" | grep -q '"deadlocked"' && fail "the JSON calls a hang a deadlock"

# Caught: a HangError, which is a DeadlockError.
printf '%s\n' "$(sed '$d' "$T/lost.lua")" \
  'local ok, e = pcall(t1.join, t1)' \
  'print(e.type, e:is(DeadlockError), e:is(RuntimeError))' > "$T/caught.lua"
expect_eq "$(timeout 20 "$BIN" --headless --clock virtual --speed 0 "$T/caught.lua" 2>/dev/null | head -1)" \
  "HangError true true" "HangError, a DeadlockError"

# A real deadlock is still one: red banner, no hang.
cat > "$T/dead.lua" <<'LUA'
a, b = threading.Lock{name = "a"}, threading.Lock{name = "b"}
local function f1() a:acquire(); time.sleep(1); b:acquire() end
local function f2() b:acquire(); time.sleep(1); a:acquire() end
threading.Thread{target = f1}:start()
threading.Thread{target = f2}:start()
LUA
timeout 20 "$BIN" --headless --clock virtual --speed 0 --record "$T/dead.svg" "$T/dead.lua" > /dev/null 2>&1
svg=$(cat "$T/dead.svg")
expect_has "$svg" ">DEADLOCK at 1 s:" "a deadlock keeps its banner"
printf '%s' "$svg" | grep -q ">HANG at" && fail "a deadlock drawn as a hang"

# Each primitive's waiter says what it waits for, once nothing can run.
for case in "threading.Event{name = 'ev'}|x:wait()|an Event nobody can set (ev)" \
            "threading.Semaphore{value = 0, name = 'sem'}|x:acquire()|a release nobody can make (sem)" \
            "queue.Queue{name = 'q'}|x:get()|an item nobody can put (q)" \
            "threading.Barrier(2, nil, nil, {name = 'bar'})|x:wait()|parties that can never arrive (bar)"; do
  IFS='|' read -r make call words <<< "$case"
  printf 'x = %s\nlocal t = threading.Thread{name = "w", target = function() %s end}\nt:start()\nt:join()\n' \
    "$make" "$call" > "$T/p.lua"
  timeout 20 "$BIN" --headless --clock virtual --speed 0 "$T/p.lua" > /dev/null 2> "$T/err"
  expect_has "$(cat "$T/err")" "HangError: w waits for $words; MainThread joins w" "$words"
done
echo ok
