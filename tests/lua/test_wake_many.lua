-- Many waiters woken at once (Event.set, notify_all, a Barrier's release,
-- queue hand-offs) all run: a wake made while the waker holds the GIL
-- waits its turn and each GIL release passes the turn on (engine.c), so a
-- chain that stalled would hang here. How fast it is lives in make bench
-- (wake-8000).
local check = dofile("tests/lua/check.lua")
local N = 400

local function run_all(make)
  local ts = {}
  for i = 1, N do ts[i] = threading.Thread{target = make(i)}; ts[i]:start() end
  return ts
end
local function join_all(ts) for i = 1, #ts do ts[i]:join() end end

-- Event.set
local ev, woke = threading.Event(), 0
local ts = run_all(function() return function() ev:wait(); woke = woke + 1 end end)
while #ev._cond._waiters < N do time.sleep(0.001) end
ev:set()
join_all(ts)
check.eq(woke, N, "every Event waiter ran")

-- Condition.notify_all
local c, go, done = threading.Condition(), false, 0
ts = run_all(function() return function()
  c:acquire()
  while not go do c:wait() end
  done = done + 1
  c:release()
end end)
while #c._waiters < N do time.sleep(0.001) end
c:acquire(); go = true; c:notify_all(); c:release()
join_all(ts)
check.eq(done, N, "every Condition waiter ran")

-- A Barrier's release
local b, passed = threading.Barrier(N + 1), 0
ts = run_all(function() return function() b:wait(); passed = passed + 1 end end)
b:wait()
join_all(ts)
check.eq(passed, N, "every Barrier party passed")

-- Queue: N getters blocked, then N puts
local q, got = queue.Queue(), 0
ts = run_all(function() return function() q:get(); got = got + 1 end end)
for i = 1, N do q:put(i) end
join_all(ts)
check.eq(got, N, "every getter got an item")

-- While threads are woken in turn, MainThread still gets the GIL.
local l = threading.Lock()
check.truthy(l:acquire(true, 5), "a lock still works")
l:release()
print("ok")
