-- A woken lock waiter takes the GIL before the lock (sim/lock.c): the
-- thread that released the lock, still holding the GIL, can take it again
-- at once, so a contended loop does not turn into a lock convoy (one GIL
-- switch per round; scripts/bench/README.md, lock-loop-2x3M). Before, a
-- spinning waiter grabbed the lock without the GIL and the releaser's next
-- acquire failed.
local check = dofile("tests/lua/check.lua")
local l = threading.Lock()
l:acquire()
local got_it = false
local t = threading.Thread{target = function() l:acquire(); got_it = true; l:release() end}
t:start()
time.sleep(0.02) -- t waits for the lock
local again = 0
for i = 1, 2000 do
  l:release(); if l:acquire(false) then again = again + 1 end
end
check.eq(again, 2000, "the releaser takes the lock back every time")
check.eq(got_it, false, "the waiter has not had it")
l:release()
t:join()
check.eq(got_it, true, "the waiter gets it once it is really free")
print("ok")
