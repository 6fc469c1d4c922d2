-- An independent port of the Thread, Timer and local parts of CPython 3.11's
-- Lib/test/test_threading.py (and test_threading_local.py) to threadlab:
-- each case is named after the CPython test it ports. The Event, Condition,
-- Semaphore, Barrier and lock classes of test_threading.py run lock_tests.py
-- against threading's types: that is test_port_lock_tests.lua (with
-- ConditionAsRLockTests); the names (test_name / " (target)") are in
-- test_thread_names.lua; excepthook and tracebacks in the error tests.
-- Left out, with the reason: tests of _thread and "foreign" or dummy
-- threads, of fork (the processes issue), of sys.settrace/setprofile, of
-- stack sizes, subinterpreters, recursion limits and interpreter shutdown
-- internals (_tstate_lock, _shutdown_locks): threadlab has none of these.
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

local cases = {}
local function case(name, fn) cases[#cases + 1] = { name = name, fn = fn } end

local Thread = threading.Thread

------------------------------------------------------------------- ThreadTests
case("ThreadTests.test_args_argument", function()
  -- args given as a list or a tuple in Python: a table here, with holes kept by n
  local got
  local t = Thread{target = function(a, b, c) got = {a, b, c} end, args = table.pack(1, nil, 3)}
  t:start(); t:join()
  check.truthy(got[1] == 1 and got[2] == nil and got[3] == 3, "args passed, a nil kept")
end)

case("ThreadTests.test_various_ops", function()
  -- ten threads, at most three at a time inside a BoundedSemaphore(3)
  local sema = threading.BoundedSemaphore{value = 3}
  local mutex = threading.RLock()
  local running, most, ts = 0, 0, {}
  for i = 0, 9 do
    local t = Thread{name = "<thread " .. i .. ">", run = function()
      threading.with(sema, function()
        threading.with(mutex, function()
          running = running + 1
          if running > most then most = running end
          check.truthy(running <= 3, "at most three")
        end)
        time.sleep(math.random() / 10000)
        threading.with(mutex, function()
          running = running - 1
          check.truthy(running >= 0, "never below zero")
        end)
      end)
    end}
    ts[#ts + 1] = t
    check.eq(t.ident, nil, "no ident before start")
    check.truthy(tostring(t):match("^<Thread%(.*, initial%)>$"), "repr before start: " .. tostring(t))
    t:start()
  end
  for _, t in ipairs(ts) do
    t:join(10)
    check.eq(t:is_alive(), false, "ended")
    check.truthy(t.ident ~= nil and t.ident ~= 0, "an ident")
    check.truthy(tostring(t):match("^<Thread%(.*, %w+ %-?%d+%)>$"), "repr after: " .. tostring(t))
  end
  check.eq(running, 0, "all left")
  check.truthy(most >= 1 and most <= 3, "the semaphore bounded them")
end)

case("ThreadTests.test_enumerate_after_join", function()
  for i = 1, 100 do
    lab.gil{check_interval = 1 + i // 5} -- (used under py2) as CPython varies sys.setswitchinterval
    local t = Thread{target = function() end}
    t:start(); t:join()
    for _, x in ipairs(threading.enumerate()) do
      check.truthy(x ~= t, "a joined thread is not listed (trial " .. i .. ")")
    end
  end
  lab.gil{check_interval = 100}
end)

case("ThreadTests.test_no_refcycle_through_target", function()
  -- a finished thread keeps neither its target's object nor its args alive
  local weak = setmetatable({}, {__mode = "v"})
  for _, raise in ipairs{ false, true } do
    do
      local obj = { should_raise = raise }
      obj.thread = Thread{target = function(self, other)
        if self.should_raise then error(RuntimeError("on purpose")) end
      end, args = {obj, obj}}
      weak[1] = obj
      obj.thread:start()
      obj.thread:join()
    end
    collectgarbage(); collectgarbage()
    check.eq(weak[1], nil, "nothing keeps the object (raise=" .. tostring(raise) .. ")")
  end
end)

case("ThreadTests.test_repr_daemon", function()
  local t = Thread{}
  check.truthy(not tostring(t):find("daemon", 1, true), "not a daemon")
  t.daemon = true
  check.truthy(tostring(t):find("daemon", 1, true), "daemon in the repr")
end)

case("ThreadTests.test_daemon_param", function()
  check.eq(Thread{}.daemon, false, "inherits MainThread's")
  check.eq(Thread{daemon = false}.daemon, false, "daemon=False")
  check.eq(Thread{daemon = true}.daemon, true, "daemon=True")
end)

case("ThreadTests.test_main_thread", function()
  local main = threading.main_thread()
  check.eq(main.name, "MainThread", "its name")
  check.eq(main.ident, threading.current_thread().ident, "this is it")
  check.eq(main.ident, threading.get_ident(), "get_ident")
  local seen
  local t = Thread{target = function() seen = threading.main_thread() end}
  t:start(); t:join()
  check.eq(seen, main, "the same object from another thread")
end)

case("ThreadTests.test_repr_stopped", function()
  local gate = threading.Event()
  local t = Thread{target = function() gate:wait() end}
  t:start()
  check.truthy(tostring(t):find("started", 1, true), "started: " .. tostring(t))
  gate:set()
  t:join()
  check.truthy(tostring(t):find("stopped", 1, true), "stopped: " .. tostring(t))
end)

case("ThreadTests.test_BoundedSemaphore_limit", function()
  -- BoundedSemaphore.release() raises once released as often as acquired
  for limit = 1, 9 do
    local bs = threading.BoundedSemaphore(limit)
    local ts = {}
    for i = 1, limit do
      ts[i] = Thread{target = function() bs:acquire(); bs:release() end}
      ts[i]:start()
    end
    for i = 1, limit do ts[i]:join() end
    check.raises("ValueError", function() bs:release() end)
  end
end)

case("ThreadTests.test_old_threading_api", function()
  -- the Python 2 spellings still work (deprecated since 3.10, as there)
  local t = Thread{}
  t:setDaemon(true)
  check.eq(t:isDaemon(), true, "isDaemon")
  t:setName("name")
  check.eq(t:getName(), "name", "getName")
  check.eq(threading.currentThread(), threading.current_thread(), "currentThread")
  check.eq(threading.activeCount(), threading.active_count(), "activeCount")
  local e = threading.Event()
  check.eq(e:isSet(), false, "Event.isSet")
end)

case("ThreadTests.test_join_nondaemon_on_shutdown", function()
  -- the end of the main program waits for a non-daemon thread: in a child
  -- threadlab, as CPython runs a child python
  local bin = os.getenv("TL_BIN") or "./threadlab"
  local f = io.popen(bin .. [[ --headless -e 'threading.Thread{target = function()
    time.sleep(0.2); print("Woke up, sleep function is:", type(time.sleep)) end}:start()' 2>&1]])
  local out = f:read("a")
  f:close()
  check.eq(out, "Woke up, sleep function is: function\n", "the thread ran to its end")
end)

-------------------------------------------------------- ThreadingExceptionTests
case("ThreadingExceptionTests.test_start_thread_again", function()
  local t = Thread{target = function() end}
  t:start()
  check.raises("RuntimeError", function() t:start() end)
  t:join()
end)

case("ThreadingExceptionTests.test_joining_current_thread", function()
  check.raises("RuntimeError", function() threading.current_thread():join() end)
  local err
  local t
  t = Thread{target = function() err = select(2, pcall(t.join, t)) end}
  t:start(); t:join()
  check.truthy(type(err) == "table" and err.type == "RuntimeError", "a thread joining itself")
end)

case("ThreadingExceptionTests.test_joining_inactive_thread", function()
  check.raises("RuntimeError", function() Thread{}:join() end)
end)

case("ThreadingExceptionTests.test_daemonize_active_thread", function()
  local t = Thread{target = function() end}
  t:start()
  check.raises("RuntimeError", function() t.daemon = true end)
  t:join()
end)

case("ThreadingExceptionTests.test_releasing_unacquired_lock", function()
  check.raises("RuntimeError", function() threading.Lock():release() end)
end)

-------------------------------------------------------------------- TimerTests
case("TimerTests.test_init_immutable_default_args", function()
  -- each Timer has its own args: changing one's changes no other's
  local calls = {}
  local t1 = threading.Timer(0.01, function(...) calls[#calls + 1] = select("#", ...) end)
  local t2 = threading.Timer(0.01, function(...) calls[#calls + 1] = select("#", ...) end)
  t1.args[#t1.args + 1] = "blah"
  t1:start(); t1:join()
  t2:start(); t2:join()
  check.eq(table.concat(calls, ","), "1,0", "the first got blah, the second nothing")
end)

case("TimerTests.cancel", function()
  local called = false
  local t = threading.Timer(5, function() called = true end)
  t:start()
  t:cancel()
  t:join()
  check.eq(called, false, "a cancelled Timer never calls")
end)

------------------------------------------------------------------ test_threading_local
case("ThreadLocalTest._test_one_class", function()
  -- every thread sees its own attributes, and only those
  local mydata = threading.local_()
  mydata.x = "main"
  local seen = {}
  H.bunch(function(i)
    seen[#seen + 1] = tostring(mydata.x)
    mydata.x = i
    time.sleep(0.001)
    check.eq(mydata.x, i, "a thread keeps its own value")
  end, 10):wait_for_finished()
  check.eq(H.sorted(seen), "nil,nil,nil,nil,nil,nil,nil,nil,nil,nil", "a new thread starts empty")
  check.eq(mydata.x, "main", "main's value untouched")
end)

case("ThreadLocalTest.test_local_init / test_derived", function()
  -- a subclass's __init__: at creation in this thread, then once in every
  -- other thread that touches it, with the same arguments
  local inits = {}
  local L = threading.local_{init = function(self)
    inits[#inits + 1] = threading.current_thread().name
    self.n = 0
  end}
  check.eq(#inits, 1, "ran at creation")
  H.bunch(function() L.n = L.n + 1; L.n = L.n + 1; check.eq(L.n, 2, "own count") end, 3):wait_for_finished()
  check.eq(#inits, 4, "once in each other thread")
  check.eq(L.n, 0, "main's own")
end)

case("ThreadLocalTest.test_arguments", function()
  -- a plain local takes no positional arguments
  check.raises("TypeError", function() threading.local_(1) end)
end)

case("ThreadLocalTest.test_local_refs", function()
  -- a thread's values go when the thread does
  local weak = setmetatable({}, {__mode = "v"})
  local data = threading.local_()
  local t = Thread{target = function() local v = {}; weak[1] = v; data.v = v end}
  t:start(); t:join()
  t = nil
  collectgarbage(); collectgarbage()
  check.eq(weak[1], nil, "the ended thread's value was freed")
end)

------------------------------------------------------------------------- run
local failed = {}
for _, c in ipairs(cases) do
  local ok, err = pcall(c.fn)
  if not ok then failed[#failed + 1] = c.name .. ": " .. tostring(err) end
end
for _, f in ipairs(failed) do print("FAIL " .. f) end
check.eq(#failed, 0, ("failed cases of %d"):format(#cases))
print(("ok: %d cases of test_threading.py"):format(#cases))
