-- The deadlock detector: a cycle in the wait-for graph (Lock, RLock, a
-- Condition's lock, join) is found when it forms; MainThread gets a
-- DeadlockError naming every thread and lock in it instead of hanging.
-- Each case leaves its threads frozen; exit cancels them.
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

local function expect_deadlock(fn, ...)
  local e = check.raises("DeadlockError", fn)
  check.truthy(e:is(RuntimeError), "a DeadlockError is a RuntimeError")
  local msg = tostring(e)
  for _, word in ipairs{...} do
    check.truthy(msg:find(word, 1, true), ("%q in the message:\n%s"):format(word, msg))
  end
  return msg
end

-- 1. The notes' lockA/lockB (shorter sleeps); MainThread joins one of them.
local lockA, lockB = threading.Lock{name = "lockA"}, threading.Lock{name = "lockB"}
local t1 = threading.Thread{name = "T1", target = function()
  lockA:acquire(); time.sleep(0.02); lockB:acquire()
end}
local t2 = threading.Thread{name = "T2", target = function()
  lockB:acquire(); time.sleep(0.02); lockA:acquire()
end}
t1:start(); t2:start()
local msg = expect_deadlock(function() t1:join() end, "T1", "T2", "lockA", "lockB",
  "T1 waits for Lock lockB, held by T2", "T2 waits for Lock lockA, held by T1",
  "MainThread waits for T1 to end (join)")
-- Joining again finds the same deadlock at once; the threads stay blocked.
expect_deadlock(function() t2:join() end, "T1", "T2")
check.eq(t1:is_alive() and t2:is_alive(), true, "the deadlocked threads stay")
check.truthy(lab.count("deadlock") >= 1, "a deadlock event")
local found = threading._deadlock.found()
check.truthy(#found >= 1 and found[1]:find("T1 and T2 wait for each other"), "found(): " .. tostring(found[1]))

-- 2. MainThread closes the cycle itself: it raises instead of waiting.
local a, b = threading.Lock{name = "a"}, threading.Lock{name = "b"}
a:acquire()
local t = threading.Thread{name = "W", target = function() b:acquire(); a:acquire() end}
t:start()
H.wait_until(function() return #threading._deadlock.locks() > 0 and b:locked() end)
time.sleep(0.01)
expect_deadlock(function() b:acquire() end, "MainThread waits for Lock b, held by W",
  "W waits for Lock a, held by MainThread")
check.eq(a:locked(), true, "MainThread still holds a")

-- 3. Another thread closes the cycle while MainThread waits.
local c, d = threading.Lock{name = "c"}, threading.Lock{name = "d"}
c:acquire()
local go = false
t = threading.Thread{name = "V", target = function()
  d:acquire()
  go = true
  time.sleep(0.02)
  c:acquire()
end}
t:start()
H.wait_until(function() return go end)
expect_deadlock(function() d:acquire() end, "MainThread waits for Lock d, held by V",
  "V waits for Lock c, held by MainThread")

-- 4. RLocks, and a cycle through join: J1 joins J2, J2 waits for J1's RLock.
local r = threading.RLock{name = "R"}
local j1, j2
j2 = threading.Thread{name = "J2", target = function() time.sleep(0.02); r:acquire() end}
j1 = threading.Thread{name = "J1", target = function() r:acquire(); r:acquire(); j2:join() end}
j2:start(); j1:start()
expect_deadlock(function() j1:join() end, "J1 waits for J2 to end (join)",
  "J2 waits for RLock R, held by J1")

-- 5. A Condition's lock in a cycle: K waits for the condition's lock, which
-- MainThread holds, while MainThread waits for a lock K holds.
local cond = threading.Condition{name = "cv"}
local e = threading.Lock{name = "e"}
cond:acquire()
t = threading.Thread{name = "K", target = function()
  e:acquire()
  threading.with(cond, function() end)
end}
t:start()
H.wait_until(function() return e:locked() end)
time.sleep(0.02)
expect_deadlock(function() e:acquire() end, "K waits for RLock cv, held by MainThread")
cond:release()

-- 6. An RLock whose owner has ended can never be had.
local orphan = threading.RLock{name = "orphan"}
t = threading.Thread{name = "Gone", target = function() orphan:acquire() end}
t:start(); t:join()
check.truthy(tostring(orphan):find("Gone"), "repr names the owner: " .. tostring(orphan))
expect_deadlock(function() orphan:acquire() end, "RLock orphan is held by Gone, which has ended")
check.eq(orphan:acquire(true, 0.01), false, "a timed wait just times out")

-- 7. Not deadlocks: timed waits time out; a plain Lock may be released by
-- any thread, so waiting for one held by an ended thread or by oneself
-- only warns (on stderr).
local x, y = threading.Lock{name = "x"}, threading.Lock{name = "y"}
local got = {}
local p = threading.Thread{target = function()
  x:acquire(); time.sleep(0.02); table.insert(got, y:acquire(true, 0.1)); x:release()
end}
local q = threading.Thread{target = function()
  y:acquire(); time.sleep(0.02); table.insert(got, x:acquire(true, 0.1)); y:release()
end}
p:start(); q:start(); p:join(); q:join()
check.truthy(#got == 2, "both timed waits returned")

local held = threading.Lock{name = "held"}
t = threading.Thread{target = function() held:acquire() end}
t:start(); t:join()
local helper = threading.Thread{target = function() time.sleep(0.02); held:release() end}
helper:start()
check.eq(held:acquire(), true, "a Lock left held by an ended thread, released by another")
helper:join()
helper = threading.Thread{target = function() time.sleep(0.02); held:release() end}
helper:start()
check.eq(held:acquire(), true, "waiting for a Lock it holds itself, released by another")
helper:join()
held:release()

-- 8. The world is still usable; :locks sees the frozen locks.
local names = {}
for _, row in ipairs(threading._deadlock.locks()) do
  if row.holder and row.holder.deadlocked then names[#names + 1] = row.name end
end
check.truthy(table.concat(names, ","):find("lockA,lockB"), "frozen locks listed: " .. table.concat(names, ","))
local ok = threading.Lock()
check.eq(ok:acquire(), true, "locks still work")
print("ok")
