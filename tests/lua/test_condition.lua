-- threading.Condition, for the cases CPython's lock_tests.py checks
-- (ConditionTests).
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

-- acquire: an RLock by default, so it can be taken twice
local cond = threading.Condition()
cond:acquire(); cond:acquire(); cond:release(); cond:release()
local lock = threading.Lock()
cond = threading.Condition(lock)
cond:acquire()
check.eq(lock:acquire(false), false, "the condition holds its lock")
cond:release()
check.eq(lock:acquire(false), true, "released through the condition")
check.eq(cond:acquire(false), false, "the condition's acquire takes its lock's arguments")
lock:release()
threading.with(cond, function() check.eq(lock:acquire(false), false, "with holds the lock") end)
check.truthy(tostring(cond):find("^<Condition%("), "repr: " .. tostring(cond))

-- wait and notify without the lock
check.raises("RuntimeError", function() threading.Condition():wait() end)
check.raises("RuntimeError", function() threading.Condition():notify() end)
check.raises("RuntimeError", function() threading.Condition():notify_all() end)
local e = check.raises("RuntimeError", function() threading.Condition():wait(0.01) end)
check.truthy(tostring(e):find("un%-acquired"), "message: " .. tostring(e))

-- notify(n) wakes n waiters, notify_all the rest; wait returns true
local function check_notify(c)
  local N = 5
  local results1, results2 = {}, {}
  local phase = 0
  local b = H.bunch(function()
    c:acquire()
    local r = c:wait()
    c:release()
    results1[#results1 + 1] = tostring(r) .. phase
    c:acquire()
    r = c:wait()
    c:release()
    results2[#results2 + 1] = tostring(r) .. phase
  end, N)
  b:wait_for_started()
  H.wait_until(function() return #c._waiters == N end, "5 waiters")
  check.eq(#results1, 0, "nobody woke before notify")
  c:acquire()
  c:notify(3)
  H.pause()
  phase = 1
  c:release()
  H.wait_until(function() return #results1 == 3 end)
  check.eq(table.concat(results1, " "), "true1 true1 true1", "notify(3) woke three")
  check.eq(#results2, 0, "second waits still waiting")
  H.wait_until(function() return #c._waiters == N end, "all in a wait again")
  c:acquire()
  c:notify(5)
  H.pause()
  phase = 2
  c:release()
  H.wait_until(function() return #results1 + #results2 == 8 end)
  check.eq(table.concat(results1, " "), "true1 true1 true1 true2 true2", "results1")
  check.eq(table.concat(results2, " "), "true2 true2 true2", "results2")
  H.wait_until(function() return #c._waiters == 2 end, "two left waiting")
  c:acquire()
  c:notify_all()
  H.pause()
  phase = 3
  c:release()
  H.wait_until(function() return #results2 == 5 end)
  check.eq(table.concat(results2, " "), "true2 true2 true2 true3 true3", "notify_all")
  b:wait_for_finished()
end
local c = threading.Condition()
check_notify(c)
check_notify(c) -- the same condition again: its state is still right
check_notify(threading.Condition(threading.Lock()))

-- wait(timeout) returns false once the timeout has passed
local results = {}
H.bunch(function()
  c:acquire()
  local dt, r = H.timed(c.wait, c, 0.05)
  c:release()
  results[#results + 1] = { dt, r }
end, 5):wait_for_finished()
check.eq(#results, 5, "five timed waits")
for _, r in ipairs(results) do
  H.at_least(r[1], 0.05, "Condition.wait(0.05)")
  check.eq(r[2], false, "a timed-out wait returns false")
end
c:acquire()
check.eq(c:wait(0), false, "wait(0) returns at once")
check.eq(c:wait(-1), false, "a negative timeout too")
c:release()

-- wait_for: the predicate's last value
local state = 0
local ok_result
local b = H.bunch(function()
  threading.with(c, function()
    ok_result = c:wait_for(function() return state == 4 and "four" end)
    check.eq(state, 4, "state when the predicate held")
  end)
end, 1)
b:wait_for_started()
for _ = 1, 4 do
  time.sleep(0.005)
  threading.with(c, function() state = state + 1; c:notify() end)
end
b:wait_for_finished()
check.eq(ok_result, "four", "wait_for returns the predicate's value")

-- wait_for with a timeout that passes
state = 0
local success = {}
b = H.bunch(function()
  threading.with(c, function()
    local dt, r = H.timed(c.wait_for, c, function() return state == 4 end, 0.05)
    check.eq(r, false, "predicate never true")
    H.at_least(dt, 0.05, "wait_for timeout")
    success[#success + 1] = true
  end)
end, 1)
b:wait_for_started()
for _ = 1, 3 do
  time.sleep(0.005)
  threading.with(c, function() state = state + 1; c:notify() end)
end
b:wait_for_finished()
check.eq(#success, 1, "wait_for timed out")

-- notifyAll and keyword construction
local named = threading.Condition{name = "C", lock = threading.Lock()}
check.eq(named.name, "C", "name")
named:acquire(); named:notifyAll(); named:release()

-- a waiter woken by notify holds the lock again before it goes on
local order = {}
local cv = threading.Condition()
local w = threading.Thread{target = function()
  threading.with(cv, function()
    cv:wait()
    order[#order + 1] = "woken"
  end)
end}
w:start()
H.wait_until(function() return #cv._waiters == 1 end)
threading.with(cv, function()
  cv:notify()
  time.sleep(0.02)
  order[#order + 1] = "notifier done"
end)
w:join()
check.eq(table.concat(order, ","), "notifier done,woken", "the woken thread waits for the lock")
print("ok")
