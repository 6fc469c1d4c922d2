-- Two Locks used as binary semaphores (a ping-pong): each thread waits for
-- a Lock it took itself, which the other releases. No deadlock: MainThread's
-- join must not report one.
local check = dofile("tests/lua/check.lua")
local a, b = threading.Lock{name = "ping"}, threading.Lock{name = "pong"}
b:acquire()
local turns = 0
local ping = threading.Thread{target = function()
  for _ = 1, 2000 do a:acquire(); turns = turns + 1; b:release() end
end}
local pong = threading.Thread{target = function()
  for _ = 1, 2000 do b:acquire(); turns = turns + 1; a:release() end
end}
ping:start(); pong:start(); ping:join(); pong:join()
check.eq(turns, 4000, "every turn taken")
check.eq(lab.count("deadlock"), 0, "no deadlock reported")
print("ok")
