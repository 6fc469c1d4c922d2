-- Value and Array in shared memory; the Lock family across processes.
local check = dofile("tests/lua/check.lua")

-- 002 §13.4: two processes, 100,000 += 1 each. With the lock: exactly 200,000.
local N = 100000
local v = mp.Value("i", 0)
local function guarded()
  local l = v:get_lock()
  for _ = 1, N do l:acquire(); v.value = v.value + 1; l:release() end
end
local ps = { mp.Process{ target = guarded }, mp.Process{ target = guarded } }
for _, p in ipairs(ps) do p:start() end
for _, p in ipairs(ps) do p:join() end
check.eq(v.value, 200000, "guarded: no update lost")

local f = mp.Value("d", 1.5)
check.eq(f.value, 1.5, "a double")
check.raises("TypeError", mp.Value, "z", 1)
local raw = mp.Value("i", 0, { lock = false })
check.raises("AttributeError", raw.get_lock, raw)
local arr = mp.Array("i", { 1, 2, 3 })
local ap = mp.Process{ target = function() for i = 1, #arr do arr[i] = arr[i] * 10 end end }
ap:start(); ap:join()
check.eq(table.concat(arr:tolist(), ","), "10,20,30", "the child's writes are seen")
check.raises("IndexError", function() return arr[4] end)

-- Lock: held by one process, the other times out; release too often: ValueError
local lock = mp.Lock()
lock:acquire()
local lp = mp.Process{ target = function() os.exit(lock:acquire(true, 0.05) and 1 or 0) end }
lp:start(); lp:join()
check.eq(lp.exitcode, 0, "the other process could not take the held Lock")
lock:release()
check.raises("ValueError", lock.release, lock)
local r = mp.RLock()
r:acquire(); r:acquire(); r:release(); r:release()
check.raises("AssertionError", r.release, r)
local bs = mp.BoundedSemaphore(1)
check.raises("ValueError", bs.release, bs)
local sem = mp.Semaphore(2)
check.eq(sem:acquire(false), true, "1 of 2")
check.eq(sem:acquire(false), true, "2 of 2")
check.eq(sem:acquire(false), false, "no third")

-- Event and Condition across processes
local ev = mp.Event()
local ep = mp.Process{ target = function() os.exit(ev:wait(10) and 0 or 1) end }
ep:start()
time.sleep(0.05)
ev:set()
ep:join()
check.eq(ep.exitcode, 0, "the child woke on the parent's set")
check.eq(ev:is_set(), true, "is_set")
local cond = mp.Condition()
local ready = mp.Value("i", 0)
local cp = mp.Process{ target = function()
  cond:acquire()
  while ready.value == 0 do cond:wait() end
  cond:release()
end }
cp:start()
time.sleep(0.05)
cond:acquire(); ready.value = 1; cond:notify(); cond:release()
cp:join()
check.eq(cp.exitcode, 0, "notify reached the other process")
print("ok")
