-- threading.Barrier, for the cases CPython's lock_tests.py checks
-- (BarrierTests): N threads pass in lockstep; abort, reset, timeouts.
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

local N = 5
-- f runs in N-1 new threads and in this one.
local function run_threads(f)
  local b = H.bunch(f, N - 1)
  f(0)
  b:wait_for_finished()
end

-- passes in lockstep, once and ten times
local function multipass(barrier, results, n)
  check.eq(barrier.parties, N, "parties")
  for i = 0, n - 1 do
    table.insert(results[1], true)
    check.eq(#results[2], i * N, "nobody is a pass ahead")
    barrier:wait()
    table.insert(results[2], true)
    check.eq(#results[1], (i + 1) * N, "everybody arrived")
    barrier:wait()
  end
  check.eq(barrier.n_waiting, 0, "no waiter left")
  check.eq(barrier.broken, false, "not broken")
end
for _, passes in ipairs{ 1, 10 } do
  local barrier = threading.Barrier(N, nil, 2.0)
  local results = { {}, {} }
  run_threads(function() multipass(barrier, results, passes) end)
end

-- wait returns distinct indexes 0 .. N-1
local barrier = threading.Barrier{parties = N, timeout = 2.0, name = "B"}
local indexes = {}
run_threads(function() table.insert(indexes, barrier:wait()) end)
check.eq(H.sorted(indexes), "0,1,2,3,4", "distinct indexes")
check.truthy(tostring(barrier):find("B"), "repr: " .. tostring(barrier))

-- the action runs once, before anyone goes on
local actions = {}
local b2 = threading.Barrier(N, function() table.insert(actions, true) end)
run_threads(function()
  b2:wait()
  check.eq(#actions, 1, "action ran once before the wait returned")
end)

-- abort breaks the barrier for every waiter
barrier = threading.Barrier(N, nil, 2.0)
local results1, results2 = {}, {}
run_threads(function()
  local ok, e = pcall(function()
    local i = barrier:wait()
    if i == N // 2 then error(RuntimeError("abort")) end
    barrier:wait()
    table.insert(results1, true)
  end)
  if not ok then
    if e.type == "BrokenBarrierError" then
      table.insert(results2, true)
    else
      barrier:abort()
    end
  end
end)
check.eq(#results1, 0, "nobody passed the aborted barrier")
check.eq(#results2, N - 1, "the others saw BrokenBarrierError")
check.eq(barrier.broken, true, "broken")
local e = check.raises("BrokenBarrierError", function() barrier:wait() end)
check.truthy(e:is(RuntimeError), "BrokenBarrierError is a RuntimeError")
check.eq(threading.BrokenBarrierError, BrokenBarrierError, "threading.BrokenBarrierError")

-- reset frees the waiting threads with BrokenBarrierError, then it works
barrier = threading.Barrier(N, nil, 2.0)
results1, results2 = {}, {}
local results3 = {}
run_threads(function()
  local i = barrier:wait()
  if i == N // 2 then
    H.wait_until(function() return barrier.n_waiting == N - 1 end, "the others in the barrier")
    barrier:reset()
  else
    local ok, err = pcall(barrier.wait, barrier)
    if ok then table.insert(results1, true)
    elseif err.type == "BrokenBarrierError" then table.insert(results2, true)
    else error(err, 0) end
  end
  barrier:wait()
  table.insert(results3, true)
end)
check.eq(#results1, 0, "nobody passed during the reset")
check.eq(#results2, N - 1, "the waiters were broken out")
check.eq(#results3, N, "then everybody passed")

-- abort_and_reset: a broken barrier works again after reset
barrier = threading.Barrier(N, nil, 2.0)
local barrier2 = threading.Barrier(N)
results1, results2, results3 = {}, {}, {}
run_threads(function()
  local ok, err = pcall(function()
    local i = barrier:wait()
    if i == N // 2 then error(RuntimeError("abort")) end
    barrier:wait()
    table.insert(results1, true)
  end)
  if not ok then
    if err.type == "BrokenBarrierError" then table.insert(results2, true) else barrier:abort() end
  end
  if barrier2:wait() == N // 2 then barrier:reset() end
  barrier2:wait()
  barrier:wait()
  table.insert(results3, true)
end)
check.eq(#results1, 0, "aborted")
check.eq(#results2, N - 1, "broken out")
check.eq(#results3, N, "passes after reset")

-- timeout: one thread is late; the others' wait(timeout) breaks it
barrier = threading.Barrier(N, nil, 2.0)
local broken = {}
run_threads(function()
  local i = barrier:wait()
  if i == N // 2 then time.sleep(0.2) end
  local ok, err = pcall(barrier.wait, barrier, 0.05)
  table.insert(broken, not ok and err.type == "BrokenBarrierError")
end)
check.eq(H.sorted(broken), "true,true,true,true,true", "everybody saw BrokenBarrierError")

-- the default timeout
barrier = threading.Barrier(N, nil, 0.05)
broken = {}
run_threads(function()
  local i = barrier:wait()
  if i == N // 2 then time.sleep(0.2) end
  local ok, err = pcall(barrier.wait, barrier)
  table.insert(broken, not ok and err.type == "BrokenBarrierError")
end)
check.eq(H.sorted(broken), "true,true,true,true,true", "the default timeout broke it")

-- a barrier for one
local one = threading.Barrier(1)
check.eq(one:wait(), 0, "alone")
check.eq(one:wait(), 0, "again")

-- bad arguments
check.raises("ValueError", threading.Barrier, 0)
check.raises("TypeError", threading.Barrier, "x")
print("ok")
