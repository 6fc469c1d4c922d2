-- threading.Timer and threading.local_, for the cases the Timer and local
-- parts of CPython's test_threading.py (and test_threading_local.py) check,
-- and a few more Thread ones.
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

-- A Timer calls its function once, after the interval, with its args.
local calls = {}
local t0 = time.monotonic()
local timer = threading.Timer(0.05, function(a, b) table.insert(calls, { a, b, time.monotonic() - t0 }) end, {1, 2})
check.truthy(timer.name:match("^Thread%-%d+$"), "a Timer is named like a thread: " .. timer.name)
check.eq(timer:is_alive(), false, "not started")
timer:start()
check.eq(timer:is_alive(), true, "running")
timer:join()
check.eq(#calls, 1, "called once")
check.eq(calls[1][1] + calls[1][2], 3, "with its args")
H.at_least(calls[1][3], 0.05, "Timer interval")
check.eq(timer.finished:is_set(), true, "finished is set")
check.eq(timer:is_alive(), false, "ended")
check.raises("RuntimeError", function() timer:start() end)

-- cancel before the interval: never called
local called = false
timer = threading.Timer(10, function() called = true end)
timer:start()
timer:cancel()
timer:join()
check.eq(called, false, "cancelled")

-- the default args are not shared between timers
local t1 = threading.Timer(0.01, function() end)
local t2 = threading.Timer(0.01, function() end)
table.insert(t1.args, "x")
check.eq(#t2.args, 0, "each timer has its own args")

-- the notes' example: setName, then the function runs in that thread
local seen
timer = threading.Timer(0.01, function() seen = threading.current_thread():getName() end)
timer:setName("d1")
timer:start(); timer:join()
check.eq(seen, "d1", "runs in the timer thread")
timer = threading.Timer{interval = 0.01, fn = function(x) seen = x end, args = {"kw"}, name = "k"}
check.eq(timer.name, "k", "keyword form")
timer:start(); timer:join()
check.eq(seen, "kw", "keyword form ran")
check.raises("TypeError", function() threading.Timer(1, 5) end)
check.raises("TypeError", function() threading.Timer("x", function() end) end)

-- local: each thread sees only its own values
local mydata = threading.local_()
check.eq(threading["local"], threading.local_, "threading['local']")
mydata.x = 1
local inside = {}
local b = H.bunch(function(i)
  table.insert(inside, tostring(mydata.x))
  mydata.x = i * 10
  time.sleep(0.01)
  check.eq(mydata.x, i * 10, "a thread keeps its own value")
end, 5)
b:wait_for_finished()
check.eq(H.sorted(inside), "nil,nil,nil,nil,nil", "a new thread starts with nothing")
check.eq(mydata.x, 1, "main's value untouched")

-- init runs at creation in the creating thread, then in each other thread
-- on first use, like a threading.local subclass's __init__
-- (test_threading_local.py's test_local_init / _test_one_class checks)
local inits, where = 0, {}
local counter = threading.local_{ init = function(self)
  inits = inits + 1; self.n = 0
  where[#where + 1] = threading.current_thread().name
end, step = 2 }
check.eq(inits, 1, "init ran at creation, before any touch")
check.eq(where[1], "MainThread", "in the creating thread")
local function bump() counter.n = counter.n + counter.step; return counter.n end
check.eq(bump(), 2, "main initialized")
check.eq(inits, 1, "main's first touch does not run init again")
local idle = threading.Thread{target = function() end}
idle:start(); idle:join()
check.eq(inits, 1, "a thread that never touches it runs no init")
local got = {}
H.bunch(function() bump(); table.insert(got, bump()) end, 3):wait_for_finished()
check.eq(H.sorted(got), "4,4,4", "each thread counts on its own")
check.eq(inits, 4, "init once per thread")
check.eq(bump(), 4, "main's count")

-- Thread: join with a timeout returns while it runs; ident and names
local gate = threading.Event()
local th = threading.Thread{target = function() gate:wait() end}
check.eq(th.ident, nil, "no ident before start")
th:start()
th:join(0.01)
check.eq(th:is_alive(), true, "alive after a join that timed out")
gate:set()
th:join()
check.eq(th:is_alive(), false, "ended")
check.truthy(th.ident ~= nil, "ident after start")
print("ok")
