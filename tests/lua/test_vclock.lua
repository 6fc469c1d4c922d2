-- The virtual clock: same seed, same run; time moves only by the model;
-- a hang is found and named.
local check = dofile("tests/lua/check.lua")
lab.clock{clock = "virtual", speed = 0}

local function counter(n, guarded)
  return function()
    g = 0
    local l = threading.Lock()
    local function work()
      for _ = 1, n do
        if guarded then l:acquire() end
        g = g + 1
        if guarded then l:release() end
      end
    end
    local a, b = threading.Thread{target = work}, threading.Thread{target = work}
    a:start(); b:start(); a:join(); b:join()
    return g
  end
end

-- Seeds: different interleavings where the program is racy, one outcome
-- where it is not, and a seed replays its outcome.
lab.gil{switch_points = "instruction"}
local racy = lab.explore(counter(20000), {runs = 20})
check.truthy(#racy >= 2, "unguarded counter: distinct outcomes (" .. #racy .. ")")
local guarded = lab.explore(counter(20000, true), {runs = 20})
check.eq(#guarded, 1, "guarded counter: one outcome")
check.eq(guarded[1].value, 40000, "guarded value")
for _, o in ipairs(racy) do
  local again = lab.explore(counter(20000), {runs = 1, seed = o.seed})
  check.eq(again[1].value, o.value, "seed " .. o.seed .. " replays its outcome")
end
lab.gil{switch_points = "statement"}
check.eq(#lab.explore(counter(20000), {runs = 10}), 1, "statement switch points: nothing lost")

-- Sleeps advance virtual time exactly, and concurrently.
local t0, p0 = time.time(), time.perf_counter()
local ts = {}
for i = 1, 5 do ts[i] = threading.Thread{target = function() time.sleep(60) end}; ts[i]:start() end
for i = 1, 5 do ts[i]:join() end
check.eq(time.time() - t0, 60.0, "five 60 s sleeps take 60 s")
check.eq(time.perf_counter() - p0, 60.0, "perf_counter too")

-- Timeouts are exact in virtual time.
local l = threading.Lock(); l:acquire()
local p1 = time.perf_counter()
check.eq(l:acquire(true, 0.25), false, "timed out")
check.eq(time.perf_counter() - p1, 0.25, "after exactly the timeout")
l:release()

-- A hang: MainThread holds a lock and joins a thread that wants it.
local k = threading.Lock{name = "K"}
k:acquire()
local w = threading.Thread{name = "waiter", target = function() k:acquire() end}
w:start()
local ok, err = pcall(w.join, w)
check.eq(ok, false, "join of a hung world returns")
check.truthy(type(err) == "table" and err.type == "DeadlockError", "DeadlockError: " .. tostring(err))
check.truthy(tostring(err):find("waiter", 1, true), "names the waiting thread: " .. tostring(err))
check.truthy(lab.count("deadlock") >= 1, "a deadlock event in the trace")
lab._cancel_others()
k:release()

-- py2: the releaser usually takes the GIL back (failed wake-ups).
local function cpu()
  local ts = {}
  for i = 1, 2 do
    ts[i] = threading.Thread{target = function() local x = 0 for _ = 1, 200000 do x = x + 1 end end}
    ts[i]:start()
  end
  for i = 1, 2 do ts[i]:join() end
end
lab.gil{policy = "py2"}
local before = lab.count("gil-failed-wakeup")
cpu()
check.truthy(lab.count("gil-failed-wakeup") - before > 10, "py2 failed wake-ups")
lab.gil{policy = "py3"}

-- The GIL serializes CPU work; lab.compute without the GIL runs in parallel.
local function timed(fn)
  local s = time.perf_counter(); fn(); return time.perf_counter() - s
end
local function two(f)
  local a, b = threading.Thread{target = f}, threading.Thread{target = f}
  a:start(); b:start(); a:join(); b:join()
end
local with_gil = timed(function() two(function() lab.compute(100) end) end)
local without = timed(function() two(function() lab.compute(100, {gil = false}) end) end)
check.truthy(with_gil >= 0.199, "with the GIL: serial (" .. with_gil .. ")")
check.truthy(without < 0.11, "without the GIL: parallel (" .. without .. ")")
print("ok")
