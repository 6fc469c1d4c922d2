-- The wait-for graph across processes: mp.Lock and mp.RLock record their
-- holder and waiters in a table every process shares, so a cycle through
-- locks of several processes is found when it closes (real clock), and
-- each MainThread in it gets a DeadlockError naming processes, threads
-- and locks, instead of hanging as CPython would.
local check = dofile("tests/lua/check.lua")
lab.clock{ clock = "real" }

local function has(msg, ...)
  for _, word in ipairs{...} do
    check.truthy(msg:find(word, 1, true), ("%q in the message:\n%s"):format(word, msg))
  end
end

-- 1. Parent and child: each MainThread holds one lock and waits for the other.
local L1, L2 = mp.Lock{name = "L1"}, mp.Lock{name = "L2"}
local ready = mp.Event()
L1:acquire()
local p = mp.Process{name = "Child", target = function()
  L2:acquire(); ready:set()
  L1:acquire()          -- the parent holds it and will wait for L2
end}
p:start()
check.truthy(ready:wait(10), "the child took L2")
local e = check.raises("DeadlockError", function() L2:acquire() end)
check.truthy(e:is(RuntimeError), "a DeadlockError is a RuntimeError")
has(tostring(e), "MainProcess/MainThread and Child/MainThread wait for each other",
    "MainProcess/MainThread waits for mp.Lock L2, held by Child/MainThread",
    "Child/MainThread waits for mp.Lock L1, held by MainProcess/MainThread")
p:join(10)
check.eq(p.exitcode, 1, "the child's MainThread got a DeadlockError too (uncaught: exit 1)")
check.truthy(lab.count("deadlock") >= 1, "the trace has the deadlock")
local found = threading._deadlock.found()
check.truthy(#found >= 1 and found[#found]:find("Child/MainThread", 1, true), "found(): " .. tostring(found[#found]))

-- 2. Two children, threads that are not MainThread, an RLock in the cycle:
-- each child's MainThread joins its thread and learns of it there.
local A, B = mp.RLock{name = "A"}, mp.Lock{name = "B"}
local a_in, b_in = mp.Event(), mp.Event()
local function side(first, second, mine, other)
  return function()
    local t = threading.Thread{name = "worker", target = function()
      first:acquire(); mine:set(); other:wait(10)
      second:acquire()
    end}
    t:start()
    local ok, err = pcall(t.join, t)
    os._exit(not ok and err.type == "DeadlockError" and 7 or 3)
  end
end
local c1 = mp.Process{name = "P1", target = side(A, B, a_in, b_in)}
local c2 = mp.Process{name = "P2", target = side(B, A, b_in, a_in)}
c1:start(); c2:start()
c1:join(10); c2:join(10)
check.eq(c1.exitcode, 7, "P1's join raised DeadlockError")
check.eq(c2.exitcode, 7, "P2's join raised DeadlockError")
found = threading._deadlock.found()
has(found[#found], "P1/worker", "P2/worker", "mp.RLock A", "mp.Lock B")

-- 3. A timed wait is no edge: the child gives up, lets go, the parent goes on.
local X, Y = mp.Lock{name = "X"}, mp.Lock{name = "Y"}
local took = mp.Event()
X:acquire()
local q = mp.Process{target = function()
  Y:acquire(); took:set()
  local got = X:acquire(true, 0.3)
  Y:release()
  os._exit(got and 3 or 0)
end}
q:start()
check.truthy(took:wait(10), "the child took Y")
check.eq(Y:acquire(), true, "no deadlock: the child's wait had a timeout")
Y:release(); X:release()
q:join(10)
check.eq(q.exitcode, 0, "the child timed out")

-- 4. A holder that waits for nothing: no deadlock, the waiter gets it.
local Z = mp.Lock{name = "Z"}
local held = mp.Event()
local h = mp.Process{target = function() Z:acquire(); held:set(); time.sleep(0.3); Z:release() end}
h:start()
check.truthy(held:wait(10), "the child holds Z")
check.eq(Z:acquire(), true, "the parent waited and got it")
Z:release()
h:join(10)

-- 5. Bad constructor arguments are typed errors.
check.raises("TypeError", function() mp.Lock("L") end)
check.raises("TypeError", function() mp.Lock{nmae = "L"} end)
check.raises("TypeError", function() mp.RLock{name = 3} end)
check.eq(mp.Lock{name = "N"}.name, "N", "the name")
check.truthy(tostring(mp.Lock()):find("mp.Lock-", 1, true), "a default name: " .. tostring(mp.Lock()))
print("ok")
