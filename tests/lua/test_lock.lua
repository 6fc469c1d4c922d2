-- threading.Lock as CPython's lock_tests.py describes it.
local check = dofile("tests/lua/check.lua")

local l = threading.Lock()
check.eq(l:locked(), false, "new lock is unlocked")
check.eq(l:acquire(), true, "acquire")
check.eq(l:locked(), true, "locked after acquire")
check.eq(l:acquire(false), false, "non-blocking acquire of a held lock")
check.eq(l:acquire{blocking = false}, false, "keyword form")
local t0 = time.perf_counter()
check.eq(l:acquire(true, 0.05), false, "timed acquire times out")
check.truthy(time.perf_counter() - t0 >= 0.04, "timeout waited")
l:release()
check.eq(l:locked(), false, "unlocked after release")

-- errors
local e = check.raises("RuntimeError", function() threading.Lock():release() end)
check.eq(tostring(e), "RuntimeError: release unlocked lock", "message")
check.raises("ValueError", function() l:acquire(false, 1) end)
check.raises("ValueError", function() l:acquire(true, -5) end)
check.eq(l:acquire(true, -1), true, "-1 means forever")
l:release()

-- any thread may release a Lock (it is not an RLock)
l:acquire()
local th = threading.Thread{target = function() l:release() end}
th:start(); th:join()
check.eq(l:locked(), false, "released by another thread")

-- a blocked acquire gets the lock when it is released
l:acquire()
local got
local w = threading.Thread{target = function() got = l:acquire(); l:release() end}
w:start()
time.sleep(0.02)
check.eq(got, nil, "waiter still blocked")
l:release()
w:join()
check.eq(got, true, "waiter got the lock")

-- with and <close>
local r = threading.with(l, function(a) check.eq(l:locked(), true, "held in with"); return a * 2 end, 21)
check.eq(r, 42, "with returns fn's result")
check.eq(l:locked(), false, "released after with")
check.truthy(not pcall(threading.with, l, function() error("boom") end), "with re-raises")
check.eq(l:locked(), false, "released after an error in with")
do
  local _ <close> = l:held()
  check.eq(l:locked(), true, "held in scope")
end
check.eq(l:locked(), false, "released at scope end")

-- names show in tostring
check.truthy(tostring(threading.Lock{name = "A"}):find("A"), "name in tostring")
check.eq(threading.Lock{name = "B"}.name, "B", "name field")

-- mutual exclusion: 4 threads x 20000 guarded increments
g = 0
local m = threading.Lock()
local ts = {}
for i = 1, 4 do
  ts[i] = threading.Thread{target = function()
    for _ = 1, 20000 do m:acquire(); g = g + 1; m:release() end
  end}
  ts[i]:start()
end
for i = 1, 4 do ts[i]:join() end
check.eq(g, 80000, "guarded counter")
print("ok")
