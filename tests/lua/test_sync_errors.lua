-- The errors issue 4 lists, each raised with its named type and a text
-- that reads like Python's.
local check = dofile("tests/lua/check.lua")

local bs = threading.BoundedSemaphore(1)
check.eq(tostring(check.raises("ValueError", function() bs:release() end)),
         "ValueError: Semaphore released too many times", "over-releasing a BoundedSemaphore")
check.eq(tostring(check.raises("RuntimeError", function() threading.Condition():notify() end)),
         "RuntimeError: cannot notify on un-acquired lock", "notify without the lock")
check.eq(tostring(check.raises("ValueError", function() threading.Semaphore(-1) end)),
         "ValueError: semaphore initial value must be >= 0", "Semaphore(-1)")
local r = threading.RLock()
local t = threading.Thread{target = function() r:acquire() end}
t:start(); t:join()
check.eq(tostring(check.raises("RuntimeError", function() r:release() end)),
         "RuntimeError: cannot release un-acquired lock", "releasing an RLock not owned")
check.eq(tostring(check.raises("queue.Empty", function() queue.Queue():get_nowait() end)),
         "queue.Empty", "get_nowait on an empty queue")
local q = queue.Queue(1)
q:put(1)
check.eq(tostring(check.raises("queue.Full", function() q:put_nowait(2) end)),
         "queue.Full", "put_nowait on a full queue")
q:get()
q:task_done()
check.eq(tostring(check.raises("ValueError", function() q:task_done() end)),
         "ValueError: task_done() called too many times", "too many task_done")
check.raises("ValueError", function() threading.Lock():acquire(false, 1) end)
check.raises("ValueError", function() threading.RLock():acquire(false, 1) end)
check.raises("ValueError", function() threading.Semaphore():acquire(false, 1) end)
check.raises("ValueError", function() q:get(true, -1) end)
local th = threading.Thread{target = function() end}
th:start(); th:join()
check.eq(tostring(check.raises("RuntimeError", function() th:start() end)),
         "RuntimeError: threads can only be started once", "starting a thread twice")
-- a few more bad inputs: clear errors, the session goes on
check.raises("TypeError", function() threading.Semaphore("x") end)
check.raises("TypeError", function() threading.Condition():wait("x") end)
check.raises("RuntimeError", function() threading.Condition(threading.Lock()):wait() end)
check.raises("TypeError", function() threading.local_(5) end)
print("ok")
