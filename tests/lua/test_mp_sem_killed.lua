-- An mp semaphore outlives the processes killed while they use it, as
-- CPython's (a POSIX semaphore): terminate() may land while a process
-- holds the semaphore's own mutex, or while it sleeps waiting for a
-- release; the others, and a timed acquire, carry on. (Both programs run
-- in python3 3.11 with the same counts: "ok".) A kill is at a random
-- point, so each case runs many times: without the fix one of the first
-- few dozen hangs, in C with the GIL held (no watchdog thread can run):
-- the runner's timeout fails it.
local check = dofile("tests/lua/check.lua")

function spin(s) while true do s:acquire(); s:release() end end
function take(s) s:acquire() end

-- killed in the middle of acquire/release, at 60 different moments; the
-- killed one may have held the semaphore itself: given back either way
local sem = mp.Semaphore(1)
for trial = 1, 60 do
  local p = mp.Process{ target = spin, args = { sem } }
  p:start()
  time.sleep(0.002 + (trial % 7) * 0.002)
  p:terminate()
  p:join()
  sem:acquire(false) -- the mutex is taken either way
  sem:release()
end
check.eq(sem:get_value(), 1, "the semaphore works after 60 kills")

-- killed while they sleep waiting for it, next to a live process using it
local s2 = mp.Semaphore(1)
local live = mp.Process{ target = spin, args = { s2 } }
live:start()
for trial = 1, 30 do
  check.truthy(s2:acquire(true, 5), "the parent takes it (trial " .. trial .. ")")
  local ws = {}
  for k = 1, 3 do
    ws[k] = mp.Process{ target = take, args = { s2 } }
    ws[k]:start()
  end
  time.sleep(0.005 + (trial % 5) * 0.003)
  for k = 1, 3 do ws[k]:terminate() end
  for k = 1, 3 do ws[k]:join() end
  s2:release()
end
live:terminate()
live:join()
s2:acquire(false) -- the live one may have been killed holding it
s2:release()
check.eq(s2:get_value(), 1, "the semaphore works after 90 waiters were killed")
print("ok")
