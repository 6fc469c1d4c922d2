-- mp.Barrier across processes, with threading.Barrier's semantics (the
-- cases CPython's lock_tests.py BarrierTests checks): processes pass in
-- lockstep, indexes differ, the action runs once a round, timeout and
-- abort break it for everyone, reset mends it.
local check = dofile("tests/lua/check.lua")
lab.clock{ clock = "real" }

local N, ROUNDS = 4, 5
local actions = mp.Value("i", 0)
local arrived = mp.Array("i", ROUNDS)
local seen = mp.Array("i", N * ROUNDS)   -- each arrival's index
local b = mp.Barrier(N, function() actions.value = actions.value + 1 end, 10)
check.eq(b.parties, N, "parties")

-- every process counts itself in, waits, then checks all N arrived
local function rounds(slot)
  for r = 1, ROUNDS do
    do local _ <close> = arrived:held(); arrived[r] = arrived[r] + 1 end
    local i = b:wait()
    seen[(r - 1) * N + slot] = i + 1
    if arrived[r] ~= N then os.exit(3) end            -- someone passed early
    if actions.value < r then os.exit(4) end          -- action not run first
  end
end
local ps = {}
for k = 1, N - 1 do
  ps[k] = mp.Process{ target = rounds, args = { k } }
  ps[k]:start()
end
rounds(N)
for _, p in ipairs(ps) do p:join(); check.eq(p.exitcode, 0, "a child passed in lockstep") end
check.eq(actions.value, ROUNDS, "the action ran once a round")
for r = 1, ROUNDS do
  local idx = {}
  for k = 1, N do idx[#idx + 1] = seen[(r - 1) * N + k] - 1 end
  table.sort(idx)
  check.eq(table.concat(idx, ","), "0,1,2,3", "round " .. r .. ": distinct indexes")
end
check.eq(b.n_waiting, 0, "nobody left waiting")
check.eq(b.broken, false, "not broken")

-- a process whose wait must end in BrokenBarrierError (exit code 0)
local function broken_waiter(barrier)
  local p = mp.Process{ target = function()
    local ok, e = pcall(barrier.wait, barrier)
    os.exit((not ok and e.type == "BrokenBarrierError") and 0 or 1)
  end }
  p:start()
  return p
end

-- a timeout breaks it, for the process waiting in another process too
local b2 = mp.Barrier(3)
local p2 = broken_waiter(b2)
local ok, e = pcall(b2.wait, b2, 0.2)
check.eq(ok, false, "the wait timed out")
check.eq(e.type, "BrokenBarrierError", "as BrokenBarrierError")
p2:join()
check.eq(p2.exitcode, 0, "the other process's wait broke too")
check.eq(b2.broken, true, "broken")
check.raises("BrokenBarrierError", b2.wait, b2)
b2:reset()
check.eq(b2.broken, false, "reset mends it")

-- abort from the parent wakes a child's wait with BrokenBarrierError
local b3 = mp.Barrier(2)
local p3 = broken_waiter(b3)
while b3.n_waiting < 1 do time.sleep(0.01) end
b3:abort()
p3:join()
check.eq(p3.exitcode, 0, "abort broke the child's wait")

check.raises("ValueError", mp.Barrier, 0)
check.raises("TypeError", mp.Barrier, 2, 5)
check.truthy(tostring(mp.Barrier(2)):find("waiters=0/2"), "repr")
print("ok")
