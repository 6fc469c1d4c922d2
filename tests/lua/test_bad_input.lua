-- The bad-input suite, API half: every public constructor and method given
-- what a learner mistypes. Each case is code, the error type it must raise
-- and a fragment of its message; the message must never name one of
-- threadlab's own files, and the session goes on after each (a fresh lock
-- still works, no thread is left behind). The CLI half is
-- tests/cli/test_bad_input.sh, the :command half tests/repl/test_bad_input.py.
local cases = {
  -- Thread
  { "threading.Thread{targt=print}", "TypeError", "Thread() got an unexpected keyword argument 'targt'" },
  { "threading.Thread{name={}}", "TypeError", "argument 'name' must be a string" },
  { "threading.Thread{target=5}", "TypeError", "target must be callable" },
  { "threading.Thread{target=print, args=5}", "TypeError", "args must be a table" },
  { "threading.Thread(5)", "TypeError", "takes a table of keyword arguments" },
  { "threading.Thread{run=5}", "TypeError", "argument 'run' must be a function" },
  { "local t = threading.Thread{target=print}; t:start(); t:start()", "RuntimeError", "started once" },
  { "threading.Thread{target=print}:join()", "RuntimeError", "before it is started" },
  { "local t = threading.Thread{target=print}; t:start(); t:join(0/0)", "ValueError", "NaN" },
  { "local t = threading.Thread{target=print}; t:start(); t:join('x')", "TypeError", "join() argument 'timeout'" },
  { "threading.Thread.start(5)", "TypeError", "start() argument 'self'" },
  { "threading.Thread.join({})", "TypeError", "join() argument 'self'" },
  { "threading.current_thread():join()", "RuntimeError", "cannot join current thread" },
  -- Lock, RLock
  { "threading.Lock{nme='A'}", "TypeError", "Lock() got an unexpected keyword argument 'nme'" },
  { "threading.Lock{name={}}", "TypeError", "Lock() argument 'name' must be a string" },
  { "threading.RLock{nam='A'}", "TypeError", "RLock() got an unexpected keyword argument 'nam'" },
  { "threading.Lock():acquire(true, 0/0)", "ValueError", "NaN" },
  { "threading.Lock():acquire(true, -2)", "ValueError", "non-negative" },
  { "threading.Lock():acquire(false, 1)", "ValueError", "non-blocking" },
  { "threading.Lock():acquire{timout=1}", "TypeError", "unexpected keyword argument 'timout'" },
  { "threading.Lock():acquire(true, 'soon')", "TypeError", "argument 'timeout' must be a number" },
  { "threading.RLock():acquire(true, 0/0)", "ValueError", "NaN" },
  { "threading.Lock():release()", "RuntimeError", "release unlocked lock" },
  { "threading.RLock():release()", "RuntimeError", "un-acquired lock" },
  { "local l = threading.Lock(); l.acquire()", "TypeError", "acquire" },
  -- Condition
  { "threading.Condition(5)", "TypeError", "Condition() argument 'lock' must be a Lock or RLock" },
  { "threading.Condition{lok=threading.Lock()}", "TypeError", "unexpected keyword argument 'lok'" },
  { "threading.Condition():wait()", "RuntimeError", "un-acquired lock" },
  { "local c = threading.Condition(); c:acquire(); c:wait(0/0)", "ValueError", "NaN" },
  { "local c = threading.Condition(); c:acquire(); c:wait('x')", "TypeError", "Condition.wait() argument 'timeout'" },
  { "local c = threading.Condition(); c:acquire(); c:notify(0/0)", "TypeError", "Condition.notify() argument 'n' must be a whole number" },
  { "local c = threading.Condition(); c:acquire(); c:notify(1.5)", "TypeError", "whole number" },
  { "threading.Condition():notify()", "RuntimeError", "un-acquired lock" },
  { "local c = threading.Condition(); c:acquire(); c:wait_for(5)", "TypeError", "argument 'predicate'" },
  { "local c = threading.Condition(); c:acquire(); c:wait_for(function() return false end, 0/0)", "ValueError", "NaN" },
  -- Semaphore, BoundedSemaphore
  { "threading.Semaphore(1.5)", "TypeError", "Semaphore() argument 'value' must be a whole number, not 1.5" },
  { "threading.Semaphore(-1)", "ValueError", "initial value must be >= 0" },
  { "threading.Semaphore('x')", "TypeError", "Semaphore() argument 'value'" },
  { "threading.Semaphore{valu=2}", "TypeError", "unexpected keyword argument 'valu'" },
  { "threading.BoundedSemaphore(0/0)", "TypeError", "BoundedSemaphore() argument 'value'" },
  { "threading.Semaphore(0):acquire(true, 0/0)", "ValueError", "NaN" },
  { "threading.Semaphore(1):release(1.5)", "TypeError", "Semaphore.release() argument 'n'" },
  { "threading.Semaphore(1):release(0)", "ValueError", "one or more" },
  { "threading.BoundedSemaphore(1):release()", "ValueError", "released too many times" },
  { "threading.Semaphore(1):acquire{blockin=false}", "TypeError", "unexpected keyword argument 'blockin'" },
  -- Event
  { "threading.Event():wait(0/0)", "ValueError", "Event.wait() argument 'timeout' is NaN" },
  { "threading.Event():wait('x')", "TypeError", "Event.wait() argument 'timeout'" },
  { "threading.Event{nme='go'}", "TypeError", "Event() got an unexpected keyword argument 'nme'" },
  { "threading.Event(5)", "TypeError", "Event() argument" },
  -- Barrier
  { "threading.Barrier(1.5)", "TypeError", "Barrier() argument 'parties' must be a whole number" },
  { "threading.Barrier(0)", "ValueError", "parties must be >= 1" },
  { "threading.Barrier(2, 5)", "TypeError", "action must be callable" },
  { "threading.Barrier(2, nil, 0/0)", "ValueError", "NaN" },
  { "threading.Barrier{partys=2}", "TypeError", "unexpected keyword argument 'partys'" },
  { "threading.Barrier(2):wait(0/0)", "ValueError", "Barrier.wait() argument 'timeout' is NaN" },
  -- Timer, local
  { "threading.Timer(0/0, print)", "ValueError", "Timer() argument 'interval' is NaN" },
  { "threading.Timer('x', print)", "TypeError", "interval must be a number" },
  { "threading.Timer(1, 5)", "TypeError", "function must be callable" },
  { "threading.Timer{interval=1, fn=print, arg={}}", "TypeError", "unexpected keyword argument 'arg'" },
  { "threading.local_{x=1}", "TypeError", "local_() got an unexpected keyword argument 'x'" },
  { "threading.local_{init=5}", "TypeError", "argument 'init' must be a function" },
  { "threading.local_(5)", "TypeError", "local_ takes a table" },
  { "threading.with(5, print)", "TypeError", "threading.with() argument 'lock'" },
  { "threading.with(threading.Lock(), 5)", "TypeError", "threading.with() argument 'fn'" },
  -- queue
  { "queue.Queue{maxsiz=1}", "TypeError", "Queue() got an unexpected keyword argument 'maxsiz'" },
  { "queue.Queue(1.5)", "TypeError", "Queue() argument 'maxsize' must be a whole number" },
  { "queue.Queue('x')", "TypeError", "argument 'maxsize'" },
  { "queue.LifoQueue{size=1}", "TypeError", "LifoQueue() got an unexpected keyword argument 'size'" },
  { "queue.PriorityQueue(0/0)", "TypeError", "PriorityQueue() argument 'maxsize'" },
  { "queue.SimpleQueue{maxsize=1}", "TypeError", "SimpleQueue() got an unexpected keyword argument 'maxsize'" },
  { "queue.Queue():get(true, 0/0)", "ValueError", "Queue.get() argument 'timeout' is NaN" },
  { "queue.Queue(1):put(1, true, 0/0)", "ValueError", "Queue.put() argument 'timeout' is NaN" },
  { "queue.Queue():get{timout=1}", "TypeError", "unexpected keyword argument 'timout'" },
  { "queue.Queue():get(false)", "queue.Empty", "" },
  { "local q = queue.Queue(1); q:put(1); q:put(2, false)", "queue.Full", "" },
  { "queue.Queue():get(true, -1)", "ValueError", "non-negative" },
  { "queue.Queue():task_done()", "ValueError", "called too many times" },
  { "local q = queue.PriorityQueue(); q:put(1); q:put('a')", "TypeError", "'<' not supported" },
  -- time
  { "time.sleep(0/0)", "ValueError", "time.sleep() argument 'secs' is NaN" },
  { "time.sleep(-1)", "ValueError", "non-negative" },
  { "time.sleep('x')", "TypeError", "time.sleep() argument 'secs' must be a number" },
  -- lab
  { "lab.gil{policy='py4'}", "ValueError", "lab.gil() argument 'policy' must be py3 or py2, not 'py4'" },
  { "lab.gil{swich_interval=1}", "TypeError", "lab.gil() got an unexpected keyword argument 'swich_interval'" },
  { "lab.gil{switch_interval=0/0}", "ValueError", "NaN" },
  { "lab.gil{check_interval=1.5}", "TypeError", "lab.gil() argument 'check_interval' must be a whole number" },
  { "lab.gil(5)", "TypeError", "lab.gil() argument 'settings' must be a table" },
  { "lab.clock{seed='abc'}", "TypeError", "lab.clock() argument 'seed' must be a whole number" },
  { "lab.clock{clock='fast'}", "ValueError", "lab.clock() argument 'clock' must be real or virtual" },
  { "lab.clock{speed=0/0}", "ValueError", "lab.clock() argument 'speed' is NaN" },
  { "lab.clock{sped=1}", "TypeError", "unexpected keyword argument 'sped'" },
  { "lab.clock{cores=1.5}", "TypeError", "argument 'cores' must be a whole number" },
  { "lab.explore(5)", "TypeError", "lab.explore needs a function" },
  { "lab.explore(function() end, {run=3})", "TypeError", "lab.explore() got an unexpected keyword argument 'run'" },
  { "lab.explore(function() end, {runs=1.5})", "TypeError", "argument 'runs' must be a whole number" },
  { "lab.compute(0/0)", "ValueError", "lab.compute() argument 'ms' is NaN" },
  { "lab.compute(1, {gill=false})", "TypeError", "unexpected keyword argument 'gill'" },
  { "lab.mark()", "TypeError", "lab.mark() argument 'text' must be a string" },
  { "lab.count('no-such-kind')", "ValueError", "no event kind" },
  { "lab.count()", "TypeError", "lab.count() argument 'kind'" },
  { "lab.run(nil, 1.5)", "TypeError", "lab.run() argument 'n' must be a whole number" },
  { "lab.watch(5)", "TypeError", "watch" },
  { "lab.screenshot('x.svg')", "ValueError", ".png" },
}

local own_files = { "sync.lua", "queue.lua", "threading.lua", "lab.lua", "lesson.lua",
                    "errors.lua", "bad argument" }
local failed = 0
for i, c in ipairs(cases) do
  local code, want_type, fragment = c[1], c[2], c[3]
  local fn = assert(load(code, "=case"))
  local ok, e = pcall(fn)
  local problem
  if ok then
    problem = "no error"
  elseif type(e) ~= "table" or e.type ~= want_type then
    problem = "raised " .. tostring(type(e) == "table" and e.type or e) .. ": " .. tostring(e)
  elseif not tostring(e):find(fragment, 1, true) then
    problem = "message lacks '" .. fragment .. "': " .. tostring(e)
  else
    for _, f in ipairs(own_files) do
      if tostring(e):find(f, 1, true) then problem = "message names " .. f .. ": " .. tostring(e) end
    end
  end
  -- The session goes on: a lock still works, no thread stays behind.
  local l = threading.Lock()
  if not (l:acquire(true, 1) and pcall(l.release, l)) then problem = (problem or "") .. "; a lock no longer works" end
  local n = threading.active_count()
  for _ = 1, 200 do
    if n == 1 then break end
    time.sleep(0.005)
    n = threading.active_count()
  end
  if n ~= 1 then problem = (problem or "") .. "; threads left: " .. n end
  if problem then
    failed = failed + 1
    print(("case %d  %s\n  -> %s"):format(i, code, problem))
  end
end
print(("%d bad-input cases, %d failed"):format(#cases, failed))
if failed > 0 then os.exit(1) end
