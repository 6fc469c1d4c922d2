-- threading.Thread and the module functions, as Python has them.
local check = dofile("tests/lua/check.lua")

-- target and args
local got = {}
local t = threading.Thread{target = function(a, b) got[#got + 1] = a + b end, args = {2, 3}}
check.eq(t:is_alive(), false, "alive before start")
check.truthy(tostring(t):find("initial"), "repr before start: " .. tostring(t))
t:start()
t:join()
check.eq(got[1], 5, "target ran with args")
check.eq(t:is_alive(), false, "alive after join")
check.truthy(tostring(t):find("stopped"), "repr after join: " .. tostring(t))
check.truthy(math.type(t.ident) == "integer" and t.ident > 0, "ident is set")

-- names: given, generated, and the Python 2 spellings
local n = threading.Thread{name = "worker"}
check.eq(n.name, "worker", "name")
check.eq(n:getName(), "worker", "getName")
check.truthy(threading.Thread{}.name:match("^Thread%-%d+$"), "generated name")

-- starting twice
check.raises("RuntimeError", function() t:start() end)

-- joining an unstarted thread, and yourself
check.raises("RuntimeError", function() threading.Thread{}:join() end)
check.raises("RuntimeError", function() threading.current_thread():join() end)

-- subclass style: run is a method with its own fields
local sub = threading.Thread{count = 0, run = function(self)
  for _ = 1, 3 do self.count = self.count + 1 end
  self.me = threading.current_thread()
end}
sub:start(); sub:join()
check.eq(sub.count, 3, "run method with fields")
check.eq(sub.me, sub, "current_thread inside a thread")

-- main thread
check.eq(threading.current_thread(), threading.main_thread(), "main is current")
check.eq(threading.main_thread().name, "MainThread", "main's name")
check.eq(threading.get_ident(), threading.main_thread().ident, "get_ident in main")

-- enumerate / active_count while threads run
local release = threading.Lock()
release:acquire()
local ts = {}
for i = 1, 3 do
  ts[i] = threading.Thread{name = "w" .. i, target = function() release:acquire(); release:release() end}
  ts[i]:start()
end
check.eq(threading.active_count(), 4, "active_count with 3 waiting threads")
local names = {}
for _, th in ipairs(threading.enumerate()) do names[#names + 1] = th.name end
check.eq(table.concat(names, ","), "MainThread,w1,w2,w3", "enumerate, oldest first")
for i = 1, 3 do check.truthy(ts[i]:is_alive(), "w" .. i .. " alive") end
release:release()
for i = 1, 3 do ts[i]:join() end
check.eq(threading.active_count(), 1, "active_count after joins")

-- join with a timeout returns while the thread still runs
local gate = threading.Lock(); gate:acquire()
local slow = threading.Thread{target = function() gate:acquire() end}
slow:start()
slow:join(0.05)
check.eq(slow:is_alive(), true, "still alive after join(timeout)")
gate:release()
slow:join()
check.eq(slow:is_alive(), false, "ended")

-- threads alive at the same time have distinct idents: kernel thread ids
-- (an ended thread's ident may be reused, as Python allows)
local ids, hold = {}, threading.Lock()
hold:acquire()
local a = threading.Thread{target = function() ids[1] = threading.get_ident(); hold:acquire(); hold:release() end}
local b = threading.Thread{target = function() ids[2] = threading.get_ident(); hold:acquire(); hold:release() end}
a:start(); b:start()
local f = io.open("/proc/self/task/" .. a.ident .. "/stat")
check.truthy(f, "ident is a kernel thread id of this process")
if f then f:close() end
hold:release(); a:join(); b:join()
check.truthy(ids[1] ~= ids[2] and ids[1] == a.ident and ids[2] == b.ident, "distinct idents")

-- daemon is inherited from the creating thread, False from main
check.eq(threading.Thread{}.daemon, false, "daemon default")
local inherited
local d = threading.Thread{daemon = true, target = function() inherited = threading.Thread{}.daemon end}
d:start(); d:join()
check.eq(inherited, true, "daemon inherited")

-- bad arguments are Python-style errors
check.raises("TypeError", function() threading.Thread(5) end)
check.raises("TypeError", function() threading.Thread{target = 5} end)
print("ok")
