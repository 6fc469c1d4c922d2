# The primitives' trace events carry what the views draw arrows from:
# COND_WAKE's arg is the notifier, EVENT_WAKE's the setter, QUEUE_GET's the
# putter (low 32 bits) and the item's serial (high 32 bits); LOCK_NEW's
# reason tells the type (2 RLock, 3 Condition, 6 Event, 8 Queue).
. tests/cli/lib.sh
cat > "$T/s.lua" <<'LUA'
local cv = threading.Condition{name = "cv"}
local w = threading.Thread{name = "W", target = function()
  threading.with(cv, function() cv:wait() end)
end}
w:start()
while #cv._waiters == 0 do time.sleep(0.001) end
threading.with(cv, function() cv:notify() end)
w:join()
local ev = threading.Event{name = "ev"}
local waiter = threading.Thread{name = "E", target = function() ev:wait() end}
waiter:start()
while #ev._cond._waiters == 0 do time.sleep(0.001) end
local setter = threading.Thread{name = "S", target = function() ev:set() end}
setter:start(); setter:join(); waiter:join()
local q = queue.Queue{name = "q"}
local p = threading.Thread{name = "P", target = function() time.sleep(0.02); q:put("x") end}
p:start()
q:get()
p:join()
local sem = threading.Semaphore{value = 0, name = "s"}
local r = threading.Thread{name = "R", target = function() time.sleep(0.02); sem:release() end}
r:start()
sem:acquire()
r:join()
LUA
"$BIN" --headless --trace "$T/t.bin" "$T/s.lua" || fail "run"
dump=$("$BIN" --dump-trace "$T/t.bin") || fail "dump"
line() { printf '%s\n' "$dump" | grep -E "$1" | head -1; }
# thread ids: MainThread T1, W T2, E T3, S T4, P T5, R T6
expect_has "$(line 'lock-new .*"cv"')" "r=3" "a Condition's type"
expect_has "$(line 'lock-new .*r=2 .*"cv"')" "r=2" "its RLock's type"
expect_has "$(line 'lock-new .*"ev"')" "r=6" "an Event's type"
expect_has "$(line 'lock-new .*"q"')" "r=8" "a Queue's type"
expect_has "$(line 'lock-new .*"s"')" "r=4" "a Semaphore's type"
expect_has "$(line ' T2 cond-wait ')" "cond-wait" "W waits on the condition"
expect_has "$(line ' T1 cond-notify ')" "arg=1" "MainThread notifies one"
expect_has "$(line ' T2 cond-wake ')" "r=0" "W is woken"
expect_has "$(line ' T2 cond-wake ')" "arg=1" "by MainThread"
expect_has "$(line ' T3 event-wait ')" "event-wait" "E waits on the event"
expect_has "$(line ' T4 event-set ')" "arg=1" "S sets it, waking one"
expect_has "$(line ' T3 event-wake ')" "arg=4" "E is woken by S"
expect_has "$(line ' T1 queue-block ')" "r=0" "MainThread blocks in get"
expect_has "$(line ' T5 queue-put ')" "arg=$(( (1 << 32) | 1 ))" "P puts item 1, size 1"
expect_has "$(line ' T1 queue-get ')" "arg=$(( (1 << 32) | 5 ))" "MainThread gets P's item 1"
expect_has "$(line ' T6 sem-release ')" "arg=1" "R releases the semaphore"
expect_has "$(line ' T1 sem-acquire ')" "arg=0" "MainThread acquires it"
echo ok
