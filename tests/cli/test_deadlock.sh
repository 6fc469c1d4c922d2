# The deadlock detector from the command line: the notes' deadlock (000
# §2.2, with its 1 s sleeps) is reported naming both threads and both locks,
# the script exits non-zero at once, nothing is left behind; an uncaught
# DeadlockError exits 1; the warnings (lock order, a Lock waited for by its
# own holder, a lost update) are printed.
. tests/cli/lib.sh
cat > "$T/notes.lua" <<'LUA'
lockA = threading.Lock{name = "lockA"}
lockB = threading.Lock{name = "lockB"}
local function f1()
  lockA:acquire()
  print("A锁：已锁定")
  time.sleep(1)
  lockB:acquire()
  print("B锁：已锁定")
  lockB:release()
  lockA:release()
end
local function f2()
  lockB:acquire()
  print("B锁：已锁定")
  time.sleep(1)
  lockA:acquire()
  print("A锁：已锁定")
  lockA:release()
  lockB:release()
end
local t1 = threading.Thread{target = f1}
local t2 = threading.Thread{target = f2}
t1:start()
t2:start()
LUA
start=$(date +%s%N)
timeout 20 "$BIN" --headless "$T/notes.lua" > "$T/out" 2> "$T/err"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc -ne 0 ] || fail "the notes' deadlock exits non-zero"
[ $rc -ne 124 ] || fail "the notes' deadlock hung"
[ $ms -lt 5000 ] || fail "reported within seconds, not ${ms} ms"
err=$(cat "$T/err")
expect_has "$err" "deadlock: Thread-1 (f1) and Thread-2 (f2) wait for each other" "the deadlock named"
expect_has "$err" "Thread-1 (f1) waits for Lock lockB, held by Thread-2 (f2)" "first edge"
expect_has "$err" "Thread-2 (f2) waits for Lock lockA, held by Thread-1 (f1)" "second edge"
expect_eq "$(grep -c '锁：已锁定' "$T/out")" "2" "each thread got its first lock"

# An uncaught DeadlockError: exit 1, the message, no hang at exit.
cat > "$T/join.lua" <<'LUA'
local a, b = threading.Lock{name = "a"}, threading.Lock{name = "b"}
local t1 = threading.Thread{target = function() a:acquire(); time.sleep(0.05); b:acquire() end}
local t2 = threading.Thread{target = function() b:acquire(); time.sleep(0.05); a:acquire() end}
t1:start(); t2:start()
t1:join()
print("not reached")
LUA
timeout 20 "$BIN" --headless "$T/join.lua" > "$T/out" 2> "$T/err"; rc=$?
expect_eq "$rc" "1" "an uncaught DeadlockError exits 1"
expect_has "$(cat "$T/err")" "DeadlockError: MainThread waits for Thread-1 (<lambda>) and Thread-2 (<lambda>)" "DeadlockError printed"
expect_eq "$(cat "$T/out")" "" "nothing after the join ran"

# MainThread in the cycle, the error caught: the script goes on and exits 0.
cat > "$T/caught.lua" <<'LUA'
local a, b = threading.Lock{name = "a"}, threading.Lock{name = "b"}
a:acquire()
threading.Thread{target = function() b:acquire(); a:acquire() end}:start()
time.sleep(0.05)
local ok, e = pcall(b.acquire, b)
print(ok, e.type)
LUA
out=$(timeout 20 "$BIN" --headless "$T/caught.lua" 2>&1); rc=$?
expect_eq "$rc" "0" "a caught DeadlockError, then a normal exit"
expect_has "$out" "false DeadlockError" "caught"

# Lock order: taken both ways by two threads, one after the other (so no
# deadlock this run): warned once, naming both orders.
cat > "$T/order.lua" <<'LUA'
local x, y = threading.Lock{name = "X"}, threading.Lock{name = "Y"}
local p = threading.Thread{name = "P", target = function()
  for _ = 1, 3 do x:acquire(); y:acquire(); y:release(); x:release() end
end}
p:start(); p:join()
local q = threading.Thread{name = "Q", target = function()
  for _ = 1, 3 do y:acquire(); x:acquire(); x:release(); y:release() end
end}
q:start(); q:join()
print("done")
LUA
out=$(timeout 20 "$BIN" --headless "$T/order.lua" 2>&1); rc=$?
expect_eq "$rc" "0" "lock order script runs"
expect_has "$out" "lock order: Q took Lock Y then Lock X, but P took Lock X then Lock Y" "both orders named"
expect_eq "$(printf '%s\n' "$out" | grep -c 'lock order')" "1" "warned once"

# A Lock waited for by the thread that holds it: a warning, not a deadlock
# (another thread may release a plain Lock).
cat > "$T/self.lua" <<'LUA'
local l = threading.Lock{name = "L"}
l:acquire()
threading.Thread{target = function() time.sleep(0.05); l:release() end}:start()
l:acquire()
print("got it")
LUA
out=$(timeout 20 "$BIN" --headless "$T/self.lua" 2>&1); rc=$?
expect_eq "$rc" "0" "self-wait script runs"
expect_has "$out" "warning: MainThread waits for Lock L, which it acquired itself" "self-wait warning"
expect_has "$out" "got it" "released by another thread"

# A lost update on a watched global.
cat > "$T/lost.lua" <<'LUA'
lab.watch("g")
g = 5
local read, wrote = threading.Event(), threading.Event()
local t = threading.Thread{target = function() local v = g; read:set(); wrote:wait(); g = v + 1 end}
t:start(); read:wait(); g = g + 1; wrote:set(); t:join()
print(g)
LUA
out=$(timeout 20 "$BIN" --headless "$T/lost.lua" 2>&1); rc=$?
expect_eq "$rc" "0" "watch script runs"
expect_has "$out" "lost update of g: Thread-1 (<lambda>) read g = 5, then MainThread wrote g = 6, then Thread-1 (<lambda>) wrote g = 6 over it" "lost update told"
echo ok
