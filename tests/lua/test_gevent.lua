-- gevent on the hub (checked with Debian's python3-gevent). Run in the
-- virtual clock by the tests' header, so the timers are virtual.
local check = dofile("tests/lua/check.lua")
lab.clock{clock = "virtual", speed = 0}

-- 004: with sleep(0) three greenlets interleave; without, one after another
local out = {}
local function f(c) for _ = 1, 3 do out[#out + 1] = c gevent.sleep(0) end end
local gs = gevent.joinall{ gevent.spawn(f, "a"), gevent.spawn(f, "b"), gevent.spawn(f, "c") }
check.eq(table.concat(out), "abcabcabc", "interleaved")
check.eq(#gs, 3, "joinall returns the three, all done")
out = {}
local function h(c) for _ = 1, 3 do out[#out + 1] = c end end
gevent.joinall{ gevent.spawn(h, "a"), gevent.spawn(h, "b"), gevent.spawn(h, "c") }
check.eq(table.concat(out), "aaabbbccc", "no sleep: no switch")

-- value / ready / successful / exception
local g = gevent.spawn(function() gevent.sleep(0.05) return 42 end)
check.eq(g:ready(), false, "not ready before it ran")
g:join()
check.eq(g.value, 42, "value") check.eq(g:ready(), true, "ready") check.eq(g:successful(), true, "successful")
local bad = gevent.spawn(function() error(ValueError("no")) end)
bad:join()
check.eq(bad.exception.type, "ValueError", "exception kept") check.eq(bad:successful(), false, "failed")

-- sleep on the clock: three sleepers of 0.3, 0.1, 0.2 wake in time order
out = {}
local t0 = time.monotonic()
gevent.joinall{
  gevent.spawn(function() gevent.sleep(0.3) out[#out + 1] = 3 end),
  gevent.spawn(function() gevent.sleep(0.1) out[#out + 1] = 1 end),
  gevent.spawn(function() gevent.sleep(0.2) out[#out + 1] = 2 end) }
check.eq(table.concat(out), "123", "timers fire in time order")
check.truthy(time.monotonic() - t0 < 0.35, "the sleeps overlapped (virtual clock)")

-- spawn_later, joinall timeout
local late = gevent.spawn_later(0.5, function() return "late" end)
local done = gevent.joinall({ late }, 0.1)
check.eq(#done, 0, "joinall timed out first")
late:join()
check.eq(late.value, "late", "spawn_later ran")

-- kill: GreenletExit where it waits
local k = gevent.spawn(function() gevent.sleep(10) end)
gevent.sleep(0)
k:kill()
check.eq(k.dead, true, "killed") check.eq(k.value.type, "GreenletExit", "value is GreenletExit")

-- Timeout
local ok, e = pcall(function() local t = gevent.Timeout(0.01):start() gevent.sleep(1) t:cancel() end)
check.eq(ok, false, "timeout raised") check.eq(e.type, "Timeout", "it is the Timeout")
check.eq(gevent.with_timeout(1, function() gevent.sleep(0.01) return 7 end), 7, "with_timeout in time")

-- Event, Queue, Semaphore, Pool
local ev = gevent.event.Event()
local q = gevent.queue.Queue()
gevent.spawn(function() ev:wait() q:put("after-set") end)
gevent.spawn(function() gevent.sleep(0.01) ev:set() end)
check.eq(q:get(), "after-set", "event woke the waiter, queue carried the item")
check.eq(ev:wait(0), true, "wait on a set event")
check.eq(gevent.event.Event():wait(0.01), false, "wait timed out")
check.raises("queue.Empty", q.get, q, true, 0.01)
check.raises("gevent.exceptions.LoopExit", q.get, q)

local sem = gevent.lock.Semaphore(2)
local inside, most = 0, 0
local ws = {}
for i = 1, 5 do
  ws[i] = gevent.spawn(function()
    sem:acquire() inside = inside + 1 most = math.max(most, inside)
    gevent.sleep(0.01) inside = inside - 1 sem:release()
  end)
end
gevent.joinall(ws)
check.eq(most, 2, "at most two inside the semaphore")

local pool = gevent.pool.Pool(2)
local sq = pool:map(function(x) gevent.sleep(0.01) return x * x end, { 1, 2, 3, 4 })
check.eq(table.concat(sq, " "), "1 4 9 16", "pool.map in order")

-- getcurrent in a spawned greenlet is the Greenlet; its parent is the hub
local me
local gg = gevent.spawn(function() me = gevent.getcurrent() end)
gg:join()
check.eq(me, gg, "getcurrent") check.eq(gg.parent, gevent.get_hub(), "parent is the hub")

-- monkey.patch_all: time.sleep becomes cooperative
local real_sleep = time.sleep
gevent.monkey.patch_all()
out = {}
gevent.joinall{
  gevent.spawn(function() for _ = 1, 2 do out[#out + 1] = "x" time.sleep(0.01) end end),
  gevent.spawn(function() for _ = 1, 2 do out[#out + 1] = "y" time.sleep(0.01) end end) }
check.eq(table.concat(out), "xyxy", "patched time.sleep switches")
check.truthy(gevent.monkey.is_module_patched("time"), "time patched")
time.sleep = real_sleep

check.raises("TypeError", gevent.spawn, 5)
check.raises("ValueError", gevent.sleep, -1)
print("ok")
