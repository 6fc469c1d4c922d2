-- multiprocessing.Process over real forks: fields, exit codes, errors and
-- names as CPython 3.11 gives them (compared by hand, see each comment).
local check = dofile("tests/lua/check.lua")

-- exitcode 1 after an uncaught error (the child prints its traceback)
local p = mp.Process{target = function() error(ValueError("boom")) end}
check.eq(tostring(p):match("initial>$") ~= nil, true, "repr before start")
check.eq(p.exitcode, nil, "exitcode before start")
p:start()
check.truthy(p.pid > 0 and p.pid ~= os.getpid(), "pid is the child's")
p:join()
check.eq(p.exitcode, 1, "exitcode after an error")
check.eq(p.name, "Process-1", "name")
check.eq(p.daemon, false, "daemon")

-- terminate on a sleeping child: -15
local q = mp.Process{target = function() time.sleep(30) end}
q:start()
check.eq(q:is_alive(), true, "alive while it sleeps")
q:terminate()
q:join()
check.eq(q.exitcode, -15, "exitcode after terminate")
check.eq(q:is_alive(), false, "not alive after join")
local k = mp.Process{target = function() time.sleep(30) end}
k:start(); k:kill(); k:join()
check.eq(k.exitcode, -9, "exitcode after kill")

-- join(timeout) returns with the child still running
local s = mp.Process{target = function() time.sleep(30) end}
s:start(); s:join(0.05)
check.eq(s.exitcode, nil, "join(timeout) on a running child")
s:terminate(); s:join()

-- CPython's errors
check.eq(tostring(check.raises("AssertionError", q.start, q)), "AssertionError: cannot start a process twice", "start twice")
local r = mp.Process{target = print}
check.eq(tostring(check.raises("AssertionError", r.join, r)), "AssertionError: can only join a started process", "join before start")
check.raises("TypeError", mp.Process, {targt = print})

-- subclass style; args; current_process and parent_process in the child
local Worker = mp.Process{run = function(self) os._exit(self.code) end, code = 7}
Worker:start(); Worker:join()
check.eq(Worker.exitcode, 7, "run method and its own field")
local c = mp.Process{target = function(a, b)
  local ok = a == 1 and b == 2 and mp.current_process().name == "Process-7"
    and mp.parent_process().name == "MainProcess" and mp.parent_process().pid == os.getppid()
  os._exit(ok and 0 or 5)
end, args = {1, 2}}
c:start(); c:join()
check.eq(c.exitcode, 0, "args, current_process, parent_process in the child")
check.eq(mp.current_process().name, "MainProcess", "the main process's name")
check.eq(mp.parent_process(), nil, "the main process has no parent")
check.truthy(mp.cpu_count() >= 1, "cpu_count")

-- join self, inside the child: CPython's message
local j = mp.Process{target = function()
  local ok, e = pcall(mp.current_process().join, mp.current_process())
  os._exit(not ok and tostring(e) == "AssertionError: can only join a child process" and 0 or 5)
end}
j:start(); j:join()
check.eq(j.exitcode, 0, "join self")

-- a daemonic process may not have children
local d = mp.Process{daemon = true, target = function()
  local ok, e = pcall(function() mp.Process{target = print}:start() end)
  os._exit(not ok and tostring(e) == "AssertionError: daemonic processes are not allowed to have children" and 0 or 5)
end}
d:start(); d:join()
check.eq(d.exitcode, 0, "daemonic processes are not allowed to have children")

-- active_children
local a = mp.Process{target = function() time.sleep(30) end}
a:start()
check.eq(#mp.active_children(), 1, "one live child")
a:terminate(); a:join()
check.eq(#mp.active_children(), 0, "none once joined")
print("ok")
