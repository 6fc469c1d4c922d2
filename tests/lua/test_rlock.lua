-- threading.RLock, for the cases CPython's lock_tests.py checks (the tests
-- for every lock, then RLockTests).
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

local lock = threading.RLock()
check.truthy(tostring(lock):find("unlocked threading.RLock"), "repr: " .. tostring(lock))
check.eq(lock:locked(), false, "a new RLock is free")

-- try_acquire, and contended
check.eq(lock:acquire(false), true, "non-blocking acquire of a free lock")
lock:release()
lock:acquire()
local result
H.bunch(function() result = lock:acquire(false) end, 1):wait_for_finished()
check.eq(result, false, "another thread's non-blocking acquire fails")
lock:release()

-- acquire_contended: 5 threads wait until it is released
lock:acquire()
local b = H.bunch(function() lock:acquire(); lock:release() end, 5)
b:wait_for_started()
H.pause()
check.eq(b.finished, 0, "no thread got the held lock")
lock:release()
b:wait_for_finished()
check.eq(b.finished, 5, "every thread got it once released")

-- with, also when the body raises
threading.with(lock, function() check.eq(lock:_is_owned(), true, "held in with") end)
check.eq(select(1, pcall(threading.with, lock, function() error(TypeError("x")) end)), false,
         "the error goes through with")
H.bunch(function() lock:acquire(); lock:release() end, 1):wait_for_finished()
do
  local _ <close> = lock:held()
  check.eq(lock:_recursion_count(), 1, "held in scope")
end
check.eq(lock:locked(), false, "released at scope end")

-- timeouts: the ValueError rules, and a timed wait that times out
check.raises("ValueError", function() lock:acquire(false, 1) end)
check.raises("ValueError", function() lock:acquire{timeout = -100} end)
check.eq(lock:acquire{timeout = threading.TIMEOUT_MAX}, true, "TIMEOUT_MAX is fine")
lock:release()
check.eq(lock:acquire{timeout = 5}, true, "a free lock is taken at once")
lock:release()
local res = {}
lock:acquire()
H.bunch(function()
  res.dt, res.got = H.timed(lock.acquire, lock, {timeout = 0.05})
end, 1):wait_for_finished()
lock:release()
check.eq(res.got, false, "timed acquire of a held lock fails")
H.at_least(res.dt, 0.05, "timed acquire")

-- reacquire: the owner may take it again; it is free after as many releases
lock:acquire(); lock:acquire(); lock:release(); lock:acquire()
check.eq(lock:_recursion_count(), 2, "count")
lock:release(); lock:release()
check.eq(lock:locked(), false, "free after as many releases")

-- release_unacquired, _release_save unacquired
local e = check.raises("RuntimeError", function() lock:release() end)
check.eq(tostring(e), "RuntimeError: cannot release un-acquired lock", "message")
lock:acquire(); lock:acquire(); lock:release(); lock:acquire(); lock:release(); lock:release()
check.raises("RuntimeError", function() lock:release() end)
check.raises("RuntimeError", function() lock:_release_save() end)

-- different_thread: only the owner may release
local bb = H.bunch(function() lock:acquire() end, 1, true)
H.wait_until(function() return bb.finished == 1 end)
check.raises("RuntimeError", function() lock:release() end)
check.eq(lock:acquire(false), false, "still held by the other thread")
bb:do_finish()
bb:wait_for_finished()

-- _is_owned
local r2 = threading.RLock()
check.eq(r2:_is_owned(), false, "not owned when free")
r2:acquire()
check.eq(r2:_is_owned(), true, "owned")
r2:acquire()
local other
H.bunch(function() other = r2:_is_owned() end, 1):wait_for_finished()
check.eq(other, false, "not owned by another thread")
r2:release()
check.eq(r2:_is_owned(), true, "still owned after one release")
r2:release()
check.eq(r2:_is_owned(), false, "free")

-- _release_save / _acquire_restore keep the count
r2:acquire(); r2:acquire(); r2:acquire()
local saved = r2:_release_save()
check.eq(saved, 3, "saved count")
check.eq(r2:locked(), false, "free after _release_save")
r2:_acquire_restore(saved)
check.eq(r2:_recursion_count(), 3, "count restored")
for _ = 1, 3 do r2:release() end

-- names
check.eq(threading.RLock{name = "R"}.name, "R", "name")
check.truthy(tostring(threading.RLock("S")):find("S"), "name in repr")
print("ok")
