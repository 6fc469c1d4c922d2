-- Thread names as CPython 3.10+ gives them, and `daemon` frozen by start().
-- The numbering, the " (name)" suffix, name "", Timer and daemon are what
-- python3.11 does for the same program; a Lua function has no __name__, so
-- where its name is looked up (a local or upvalue of the creating function,
-- a global, a field of a table below the globals, else <lambda>) is
-- threadlab's stand-in for it. Ports test_threading.py's test_names (the
-- " (target)" suffix) and test_daemon_param / the daemon setter.
local check = dofile("tests/lua/check.lua")
local Thread = threading.Thread

-- the counter: unnamed threads take the next number, named ones none
local function report() end
check.eq(Thread{target = report}.name, "Thread-1 (report)", "a local target")
check.eq(Thread{}.name, "Thread-2", "no target: no suffix")
check.eq(Thread{name = "downloader"}.name, "downloader", "a given name")
check.eq(Thread{}.name, "Thread-3", "the named thread took no number")
check.eq(Thread{name = ""}.name, "Thread-4", 'name "" gets the default')
check.eq(Thread{name = "", target = report}.name, "Thread-5 (report)", 'name "" with a target')
check.eq(Thread{target = report, name = "x"}.name, "x", "a given name wins over the target")

-- where the target's name comes from, in order
check.eq(Thread{target = function() end}.name, "Thread-6 (<lambda>)", "anonymous: <lambda>")
function global_worker() end
check.eq(Thread{target = global_worker}.name, "Thread-7 (global_worker)", "a global")
Worker = { run = function() end, deep = { job = function() end } }
check.eq(Thread{target = Worker.run}.name, "Thread-8 (run)", "a field of a global table")
check.eq(Thread{target = Worker.deep.job}.name, "Thread-9 (job)", "a field two tables down")
check.eq(Thread{target = print}.name, "Thread-10 (print)", "a builtin, as CPython's print")
local up = function() end
local function make() return Thread{target = up}.name end
check.eq(make(), "Thread-11 (up)", "an upvalue of the creating function")
-- a local of the creating function wins over a global holding the same function
local alias = global_worker
check.eq(Thread{target = alias}.name, "Thread-12 (alias)", "a local comes first")
-- a callable table has no __name__ in CPython either: no suffix
check.eq(Thread{target = setmetatable({}, { __call = function() end })}.name, "Thread-13",
         "a callable object without a name")
-- a Timer has no target of Thread's: plain Thread-N, as in CPython
check.eq(threading.Timer(1, report).name, "Thread-14", "a Timer")
-- the name a running thread sees is the same
local seen
local t = Thread{target = function() seen = threading.current_thread().name end}
t:start(); t:join()
check.eq(seen, "Thread-15 (<lambda>)", "current_thread().name inside")
check.eq(tostring(t):match("%((.-),"), "Thread-15 (<lambda>)", "repr")

-- daemon: settable before start, RuntimeError after, value kept
local d = Thread{target = report}
check.eq(d.daemon, false, "not a daemon by default (main is not)")
d.daemon = true
check.eq(d.daemon, true, "set before start")
d:setDaemon(false)
check.eq(d.isDaemon(d), false, "setDaemon before start")
d.daemon = true
d:start(); d:join()
local err = check.raises("RuntimeError", function() d.daemon = false end)
check.truthy(tostring(err):find("cannot set daemon status of active thread", 1, true), "Python's words")
check.eq(d.daemon, true, "kept its value")
check.raises("RuntimeError", function() d:setDaemon(false) end)
check.eq(d.daemon, true, "setDaemon after start raises too")
check.raises("RuntimeError", function() threading.main_thread().daemon = true end)
check.eq(threading.main_thread().daemon, false, "main keeps daemon = false")
-- a thread started while running: also frozen (started, not only finished)
local gate = threading.Event()
local r = Thread{target = function() gate:wait() end}
r:start()
check.raises("RuntimeError", function() r.daemon = true end)
check.eq(r.daemon, false, "still not a daemon")
gate:set(); r:join()
-- a Timer is a Thread: the same property
local tm = threading.Timer(0, report)
tm.daemon = true
tm:start(); tm:join()
check.raises("RuntimeError", function() tm.daemon = false end)
check.eq(tm.daemon, true, "Timer keeps its value")
-- other fields stay plain fields
d.name = "renamed"
check.eq(d.name, "renamed", "name may change after start, as in Python")
print("ok")
