-- threading.Semaphore and BoundedSemaphore, for the cases CPython's
-- lock_tests.py checks, and the notes' 5-of-20 example.
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

for _, make in ipairs{ threading.Semaphore, threading.BoundedSemaphore } do
  check.raises("ValueError", make, -1)
  check.raises("ValueError", function() make{value = -1000} end)

  local sem = make(1)
  sem:acquire(); sem:release()
  sem = make(2)
  sem:acquire(); sem:acquire(); sem:release(); sem:release()

  -- acquire_contended: releases let exactly that many threads through
  sem = make(7)
  sem:acquire()
  local results1, results2 = {}, {}
  local phase = 0
  local b = H.bunch(function()
    sem:acquire()
    results1[#results1 + 1] = phase
    sem:acquire()
    results2[#results2 + 1] = phase
  end, 10)
  b:wait_for_started()
  H.wait_until(function() return #results1 + #results2 == 6 end)
  H.pause()
  check.eq(#results1 + #results2, 6, "six acquired the six free")
  phase = 1
  for _ = 1, 7 do sem:release() end
  H.wait_until(function() return #results1 + #results2 == 13 end)
  phase = 2
  for _ = 1, 6 do sem:release() end
  H.wait_until(function() return #results1 + #results2 == 19 end)
  local all = {}
  for _, v in ipairs(results1) do all[#all + 1] = v end
  for _, v in ipairs(results2) do all[#all + 1] = v end
  check.eq(H.sorted(all), "0,0,0,0,0,0,1,1,1,1,1,1,1,2,2,2,2,2,2", "phases")
  check.eq(sem:acquire(false), false, "still taken")
  sem:release()
  b:wait_for_finished()

  -- try_acquire
  sem = make(2)
  check.eq(sem:acquire(false), true, "try 1")
  check.eq(sem:acquire(false), true, "try 2")
  check.eq(sem:acquire(false), false, "try 3")
  sem:release()
  check.eq(sem:acquire{blocking = false}, true, "keyword form")

  -- try_acquire_contended
  sem = make(4)
  sem:acquire()
  local results = {}
  H.bunch(function()
    table.insert(results, sem:acquire(false))
    table.insert(results, sem:acquire(false))
  end, 5):wait_for_finished()
  check.eq(H.sorted(results), "false,false,false,false,false,false,false,true,true,true",
           "three of ten non-blocking acquires succeed")

  -- acquire_timeout
  sem = make(2)
  check.raises("ValueError", function() sem:acquire(false, 1.0) end)
  check.eq(sem:acquire(true, 0.005), true, "timed 1")
  check.eq(sem:acquire{timeout = 0.005}, true, "timed 2")
  check.eq(sem:acquire{timeout = 0.005}, false, "timed 3")
  sem:release()
  check.eq(sem:acquire{timeout = 0.005}, true, "timed 4")
  local dt, r = H.timed(sem.acquire, sem, {timeout = 0.05})
  check.eq(r, false, "times out")
  H.at_least(dt, 0.05, "Semaphore.acquire(timeout=0.05)")

  -- default_value: 1
  sem = make()
  sem:acquire()
  b = H.bunch(function() sem:acquire(); sem:release() end, 1)
  b:wait_for_started()
  H.pause()
  check.eq(b.finished, 0, "the second acquire waits")
  sem:release()
  b:wait_for_finished()

  -- with
  sem = make(2)
  local function with_(err)
    threading.with(sem, function()
      check.eq(sem:acquire(false), true, "one left")
      sem:release()
      threading.with(sem, function()
        check.eq(sem:acquire(false), false, "none left")
        if err then error(err) end
      end)
    end)
  end
  with_()
  check.eq(sem:acquire(false), true, "free after with")
  sem:release()
  check.eq(pcall(with_, TypeError("x")), false, "error through with")
  check.eq(sem:acquire(false), true, "free after an error in with")
  sem:release()
end

-- Semaphore: releasing more than acquired is allowed
local sem = threading.Semaphore(1)
sem:release()
sem:acquire(); sem:acquire()
sem:release(3)
check.eq(sem._value, 3, "release(n)")
check.raises("ValueError", function() sem:release(0) end)

-- BoundedSemaphore: never past its initial value
sem = threading.BoundedSemaphore()
local e = check.raises("ValueError", function() sem:release() end)
check.eq(tostring(e), "ValueError: Semaphore released too many times", "message")
sem:acquire()
sem:release()
check.raises("ValueError", function() sem:release() end)
sem = threading.BoundedSemaphore(3)
sem:acquire(); sem:acquire()
check.raises("ValueError", function() sem:release(3) end)
sem:release(2)

-- The notes: BoundedSemaphore(5), 20 threads each inside for a while;
-- never more than 5 inside at once.
local pool = threading.BoundedSemaphore(5)
local inside, most = 0, 0
local ts = {}
for i = 1, 20 do
  ts[i] = threading.Thread{target = function()
    threading.with(pool, function()
      inside = inside + 1
      if inside > most then most = inside end
      time.sleep(0.05)
      inside = inside - 1
    end)
  end}
  ts[i]:start()
end
for i = 1, 20 do ts[i]:join() end
check.eq(most, 5, "at most five inside, and five at some time")
check.eq(inside, 0, "all out")
check.eq(pool._value, 5, "all released")
check.truthy(tostring(pool):find("value=5/5"), "repr: " .. tostring(pool))
print("ok")
