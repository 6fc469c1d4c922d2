-- asyncio on Lua coroutines (checked against python3 3.11).
local check = dofile("tests/lua/check.lua")
lab.clock{clock = "virtual", speed = 0}

-- outside a loop
check.raises("RuntimeError", asyncio.sleep, 0)
local e = check.raises("RuntimeError", asyncio.create_task, function() end)
check.eq(e.message, "no running event loop", "Python's message")
check.raises("RuntimeError", asyncio.get_running_loop)

-- a read, a suspension, a write: two tasks lose updates; a Lock fixes it
counter = 0
local function inc(lock)
  for _ = 1, 100 do
    if lock then lock:acquire() end
    local v = counter
    asyncio.sleep(0)
    counter = v + 1
    if lock then lock:release() end
  end
end
asyncio.run(function() asyncio.gather(inc, inc) end)
check.eq(counter, 100, "without a lock half the updates are lost")
counter = 0
asyncio.run(function()
  local l = asyncio.Lock()
  asyncio.gather(function() inc(l) end, function() inc(l) end)
end)
check.eq(counter, 200, "with asyncio.Lock none is lost")

-- run returns the main function's result; gather keeps order
local r = asyncio.run(function(a)
  local res = asyncio.gather(function() asyncio.sleep(0.2) return 1 end,
                             function() asyncio.sleep(0.1) return 2 end)
  return res[1] * 10 + res[2] + a
end, 100)
check.eq(r, 112, "results in argument order")

-- create_task runs concurrently; await waits for it
local order = {}
asyncio.run(function()
  local t = asyncio.create_task(function() order[#order + 1] = "task" return 5 end)
  order[#order + 1] = "main"
  check.eq(await(t), 5, "await a task")
  check.eq(t:result(), 5, "result")
  check.eq(t:get_name():match("^Task%-%d+$") ~= nil, true, "task name")
end)
check.eq(table.concat(order, ","), "main,task", "a task starts at the next suspension")

-- wait_for: TimeoutError, and the task is cancelled
local slow
local ok, err = pcall(asyncio.run, function()
  slow = asyncio.create_task(function() asyncio.sleep(10) end)
  asyncio.wait_for(slow, 0.1)
end)
check.eq(ok, false, "timed out") check.eq(err.type, "TimeoutError", "TimeoutError")
check.eq(slow:cancelled(), true, "the awaited task was cancelled")
check.eq(asyncio.run(function() return asyncio.wait_for(function() return 3 end, 1) end), 3, "in time")

-- an error in gather reaches the caller
local ok2, e2 = pcall(asyncio.run, function() asyncio.gather(function() error(ValueError("v")) end) end)
check.eq(e2.type, "ValueError", "gather raises the first error")

-- Queue, Event, Semaphore
asyncio.run(function()
  local q = asyncio.Queue(1)
  local got = {}
  local c = asyncio.create_task(function() for _ = 1, 3 do got[#got + 1] = q:get() q:task_done() end end)
  for i = 1, 3 do q:put(i) end
  q:join()
  check.eq(table.concat(got), "123", "queue order")
  check.raises("asyncio.queues.QueueEmpty", q.get_nowait, q)
  q:put_nowait(9)
  check.raises("asyncio.queues.QueueFull", q.put_nowait, q, 10)

  local ev = asyncio.Event()
  local woke = false
  local w = asyncio.create_task(function() ev:wait() woke = true end)
  asyncio.sleep(0)
  check.eq(woke, false, "waiting") ev:set() await(w)
  check.eq(woke, true, "set woke it")

  local s = asyncio.Semaphore(2)
  local inside, most = 0, 0
  local ts = {}
  for i = 1, 5 do
    ts[i] = function() s:acquire() inside = inside + 1 most = math.max(most, inside)
      asyncio.sleep(0.01) inside = inside - 1 s:release() end
  end
  asyncio.gather(table.unpack(ts))
  check.eq(most, 2, "semaphore bound")
  local l = asyncio.Lock()
  check.raises("RuntimeError", l.release, l)
end)

-- sleeps overlap on the clock: 10 tasks of 0.1 s take 0.1 s, not 1 s
local t0 = time.monotonic()
asyncio.run(function()
  local fs = {}
  for i = 1, 10 do fs[i] = function() asyncio.sleep(0.1) end end
  asyncio.gather(table.unpack(fs))
end)
check.truthy(time.monotonic() - t0 < 0.5, "sleeps overlapped")
-- gather(..., {return_exceptions = true}) waits for all and puts the error
-- in the list, as CPython's gather(..., return_exceptions=True) does
asyncio.run(function()
  local function ok(v) asyncio.sleep(0.01 * v) return v end
  local function bad() asyncio.sleep(0.005) error(ValueError("boom")) end
  local r = asyncio.gather(function() return ok(2) end, bad, function() return ok(1) end,
                           { return_exceptions = true })
  check.eq(r[1], 2, "first result")
  check.eq(type(r[2]) == "table" and r[2].type, "ValueError", "the error in its place")
  check.eq(r[3], 1, "third result, after the error")
  check.raises("ValueError", asyncio.gather, function() return ok(1) end, bad)
  check.raises("TypeError", asyncio.gather, ok, { return_exceptons = true })
end)
-- what wakes a task comes back as one value (Event.wait() is True in
-- Python), and a task's arguments keep their nils
asyncio.run(function()
  local ev = asyncio.Event()
  asyncio.create_task(function() asyncio.sleep(0) ev:set() end)
  check.eq(select("#", ev:wait()), 1, "Event:wait returns one value")
  check.eq(select("#", asyncio.sleep(0)), 1, "sleep(0) returns its result (nil)")
  check.eq(asyncio.sleep(0, "r"), "r", "sleep(0, result)")
  local t = asyncio.create_task(function(a, b, c) return select("#", a, b, c), c end, nil, nil, 3)
  local n, c = await(t)
  check.eq(n, 3, "three arguments") check.eq(c, 3, "the third after two nils")
  -- a task cancelled while it sleeps 0 ends cancelled at its next suspension
  local slept = asyncio.create_task(function() asyncio.sleep(0) asyncio.sleep(1) return "no" end)
  asyncio.sleep(0)
  slept:cancel()
  check.raises("asyncio.exceptions.CancelledError", await, slept)
  check.truthy(slept:cancelled(), "cancelled")
end)
-- nested run is refused
check.raises("RuntimeError", asyncio.run, function() asyncio.run(function() end) end)
-- every task waiting, no timer: said instead of hanging
check.raises("RuntimeError", asyncio.run, function() asyncio.Event():wait() end)
print("ok")
