-- The queue module: an independent port of CPython's Lib/test/test_queue.py
-- (3.11). Which CPython test each part ports is named above it; all of the
-- file's cases are here except CSimpleQueueTest.test_is_default (that the C
-- SimpleQueue is the default one: threadlab has one SimpleQueue).
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

local QUEUE_SIZE = 5

local function qfull(q) return q.maxsize > 0 and q:qsize() == q.maxsize end

-- Runs block_fn(...) while another thread, after a pause, calls trigger;
-- block_fn must not return before the trigger started.
local function blocking(block_fn, block_args, trigger_fn, trigger_args)
  local started = threading.Event()
  local t = threading.Thread{target = function()
    time.sleep(0.02)
    started:set()
    trigger_fn(table.unpack(trigger_args))
  end}
  t:start()
  local r = table.pack(block_fn(table.unpack(block_args)))
  check.truthy(started:is_set(), "the call blocked until the trigger")
  t:join()
  return table.unpack(r, 1, r.n)
end

-- BaseQueueTestMixin.basic_queue_test (test_basic)
local function basic(q, order)
  check.eq(q:qsize(), 0, "empty to begin with")
  check.eq(q:empty(), true, "empty")
  check.eq(q:full(), false, "not full")
  q:put(111); q:put(333); q:put(222)
  check.eq(table.concat({ q:get(), q:get(), q:get() }, " "), order, "order")
  for i = 0, QUEUE_SIZE - 2 do
    q:put(i)
    check.truthy(q:qsize() > 0, "not empty")
  end
  check.truthy(not qfull(q), "not full yet")
  q:put(2 * QUEUE_SIZE)
  check.truthy(qfull(q), "full")
  check.eq(q:empty(), false, "not empty")
  check.eq(q:full(), true, "full()")
  check.raises("queue.Full", function() q:put(30, false) end)
  check.raises("queue.Full", function() q:put(30, {block = false}) end)
  local dt = H.timed(function() check.raises("queue.Full", function() q:put(30, {timeout = 0.01}) end) end)
  H.at_least(dt, 0.01, "put(timeout=0.01)")
  -- blocking puts, freed by a get
  blocking(q.put, { q, 30 }, q.get, { q })
  blocking(q.put, { q, 30, true, 10 }, q.get, { q })
  for _ = 1, QUEUE_SIZE do q:get() end
  check.eq(q:qsize(), 0, "emptied")
  check.raises("queue.Empty", function() q:get(false) end)
  check.raises("queue.Empty", function() q:get{block = false} end)
  dt = H.timed(function() check.raises("queue.Empty", function() q:get{timeout = 0.01} end) end)
  H.at_least(dt, 0.01, "get(timeout=0.01)")
  -- blocking gets, freed by a put
  check.eq(blocking(q.get, { q }, q.put, { q, "empty" }), "empty", "blocking get")
  check.eq(blocking(q.get, { q, true, 10 }, q.put, { q, "empty" }), "empty", "timed get")
end

-- BaseQueueTestMixin.queue_join_test (test_queue_join): two workers, a
-- hundred tasks
local function join_test(q)
  local cum = 0
  local cumlock = threading.Lock()
  local workers = {}
  for i = 1, 2 do
    workers[i] = threading.Thread{target = function()
      while true do
        local x = q:get()
        if x < 0 then q:task_done(); return end
        threading.with(cumlock, function() cum = cum + x end)
        q:task_done()
      end
    end}
    workers[i]:start()
  end
  for i = 0, 99 do q:put(i) end
  q:join()
  check.eq(cum, 4950, "join waited for every task")
  for _ = 1, 2 do q:put(-1) end
  q:join() -- a second join
  for i = 1, 2 do workers[i]:join() end
end

for _, case in ipairs{
  { queue.Queue, "111 333 222" },
  { queue.LifoQueue, "222 333 111" },
  { queue.PriorityQueue, "111 222 333" },
} do
  local make, order = case[1], case[2]
  -- QueueTest, LifoQueueTest, PriorityQueueTest:
  -- test_queue_task_done: task_done too often
  local e = check.raises("ValueError", function() make():task_done() end)
  check.eq(tostring(e), "ValueError: task_done() called too many times", "message")
  -- test_queue_join: join, twice, then task_done too often again
  local q = make()
  join_test(q)
  join_test(q)
  check.raises("ValueError", function() q:task_done() end)
  -- test_basic: twice on the same queue
  q = make(QUEUE_SIZE)
  basic(q, order)
  basic(q, order)
  -- test_negative_timeout_raises_exception
  q = make(QUEUE_SIZE)
  check.raises("ValueError", function() q:put(1, {timeout = -1}) end)
  check.raises("ValueError", function() q:get(true, -1) end)
  -- test_nowait
  q = make(QUEUE_SIZE)
  for _ = 1, QUEUE_SIZE do q:put_nowait(1) end
  check.raises("queue.Full", function() q:put_nowait(1) end)
  for _ = 1, QUEUE_SIZE do q:get_nowait() end
  check.raises("queue.Empty", function() q:get_nowait() end)
  -- test_shrinking_queue (issue 10110)
  q = make(3)
  q:put(1); q:put(2); q:put(3)
  check.raises("queue.Full", function() q:put_nowait(4) end)
  check.eq(q:qsize(), 3, "three")
  q.maxsize = 2
  check.raises("queue.Full", function() q:put_nowait(4) end)
end

-- FailingQueueTest.test_failing_queue: a queue whose storage fails now and
-- then stays consistent.
local function failing_queue(size)
  local q = queue.Queue(size)
  local put, get = q._put, q._get
  q.fail_next_put, q.fail_next_get = false, false
  function q:_put(...)
    if self.fail_next_put then self.fail_next_put = false; error(RuntimeError("You Lose")) end
    return put(self, ...)
  end
  function q:_get()
    if self.fail_next_get then self.fail_next_get = false; error(RuntimeError("You Lose")) end
    return get(self)
  end
  return q
end
local function failing_test(q)
  check.eq(q:qsize(), 0, "empty")
  for i = 0, QUEUE_SIZE - 2 do q:put(i) end
  q.fail_next_put = true
  check.raises("RuntimeError", function() q:put("oops", false) end)
  q.fail_next_put = true
  check.raises("RuntimeError", function() q:put("oops", {timeout = 0.1}) end)
  q:put("last")
  check.truthy(qfull(q), "full")
  -- a failing blocking put
  q.fail_next_put = true
  check.raises("RuntimeError", function() blocking(q.put, { q, "full" }, q.get, { q }) end)
  q:put("last")
  check.truthy(qfull(q), "full again")
  q:get()
  check.truthy(not qfull(q), "not full")
  q:put("last")
  blocking(q.put, { q, "full" }, q.get, { q })
  for _ = 1, QUEUE_SIZE do q:get() end
  check.eq(q:qsize(), 0, "emptied")
  q:put("first")
  q.fail_next_get = true
  check.raises("RuntimeError", function() q:get() end)
  check.eq(q:qsize(), 1, "the item is still there")
  q.fail_next_get = true
  check.raises("RuntimeError", function() q:get{timeout = 0.1} end)
  check.eq(q:qsize(), 1, "still there")
  q:get()
  check.eq(q:qsize(), 0, "gone")
  q.fail_next_get = true
  check.raises("RuntimeError", function() blocking(q.get, { q }, q.put, { q, "empty" }) end)
  check.eq(q:qsize(), 1, "the put happened, the get failed")
  q:get()
end
local fq = failing_queue(QUEUE_SIZE)
failing_test(fq)
failing_test(fq)

-- BaseSimpleQueueTest.test_many_threads, test_many_threads_nonblock,
-- test_many_threads_timeout: feeders and consumers in many threads, every
-- item once (one feeder here; test_many_threads_port below has many)
local function simple_run(n_threads, consume)
  local q = queue.SimpleQueue()
  local inputs, results = {}, {}
  for i = 1, 200 do inputs[i] = i end
  local feeder = threading.Thread{target = function()
    for i = 1, #inputs do
      q:put(inputs[i])
      if i % 17 == 0 then time.sleep(0.001) end
    end
    for _ = 1, n_threads do q:put(false) end -- a sentinel per consumer
  end}
  local consumers = {}
  for i = 1, n_threads do
    consumers[i] = threading.Thread{target = function() consume(q, results) end}
    consumers[i]:start()
  end
  feeder:start()
  feeder:join()
  for i = 1, n_threads do consumers[i]:join() end
  table.sort(results)
  check.eq(#results, 200, "every item got")
  for i = 1, 200 do check.eq(results[i], i, "item " .. i) end
  check.eq(q:empty(), true, "nothing left")
end
simple_run(3, function(q, results)
  while true do
    local v = q:get()
    if v == false then return end
    table.insert(results, v)
  end
end)
simple_run(3, function(q, results)
  while true do
    local ok, v = pcall(q.get, q, false)
    if ok then
      if v == false then return end
      table.insert(results, v)
    elseif v.type == "queue.Empty" then
      time.sleep(0.0001)
    else
      error(v, 0)
    end
  end
end)
simple_run(3, function(q, results)
  while true do
    local ok, v = pcall(q.get, q, true, 0.001)
    if ok then
      if v == false then return end
      table.insert(results, v)
    elseif v.type ~= "queue.Empty" then
      error(v, 0)
    end
  end
end)
-- BaseSimpleQueueTest.test_basic
local sq = queue.SimpleQueue()
check.eq(sq:empty(), true, "empty")
check.eq(sq:qsize(), 0, "size 0")
sq:put(1)
check.eq(sq:empty(), false, "not empty")
check.eq(sq:qsize(), 1, "size 1")
sq:put(2); sq:put_nowait(3); sq:put(4)
check.eq(sq:qsize(), 4, "size 4")
check.eq(sq:get(), 1, "get")
check.eq(sq:qsize(), 3, "size 3")
check.eq(sq:get_nowait(), 2, "get_nowait")
check.eq(sq:get{block = false}, 3, "get(block=False)")
check.eq(sq:get{timeout = 0.1}, 4, "get(timeout=)")
check.eq(sq:empty(), true, "empty again")
check.raises("queue.Empty", function() sq:get{block = false} end)
check.raises("queue.Empty", function() sq:get{timeout = 1e-3} end)
check.raises("queue.Empty", function() sq:get_nowait() end)
check.eq(sq:qsize(), 0, "still size 0")
-- BaseSimpleQueueTest.test_negative_timeout_raises_exception
sq:put(1)
check.raises("ValueError", function() sq:get{timeout = -1} end)
sq:get()

-- BaseSimpleQueueTest.run_threads with n feeders and n consumers sharing one
-- sequence of inputs (test_order: one of each, so the order is kept;
-- test_many_threads*: many of each, every item exactly once).
local function run_threads(n, inputs, consume)
  local q = queue.SimpleQueue()
  local seq, results, errors = {}, {}, {}
  for i = #inputs, 1, -1 do seq[#seq + 1] = inputs[i] end
  local rnd = 42
  local function random() rnd = (rnd * 1103515245 + 12345) % 2147483648; return rnd / 2147483648 end
  local function logged(f) return function() local ok, e = pcall(f); if not ok then errors[#errors + 1] = e end end end
  local SENTINEL = "sentinel"
  local ts = {}
  for i = 1, n do
    ts[#ts + 1] = threading.Thread{target = logged(function()
      while true do
        local v = table.remove(seq)
        if v == nil then q:put(SENTINEL); return end
        q:put(v)
        if random() > 0.5 then time.sleep(random() * 1e-3) end
      end
    end)}
    ts[#ts + 1] = threading.Thread{target = logged(function() consume(q, results, SENTINEL) end)}
  end
  for _, t in ipairs(ts) do t:start() end
  for _, t in ipairs(ts) do t:join() end
  check.eq(#errors, 0, "no thread failed: " .. tostring(errors[1]))
  check.eq(q:empty(), true, "drained")
  return results
end
local function consume(q, results, sentinel)
  while true do
    local v = q:get()
    if v == sentinel then return end
    results[#results + 1] = v
  end
end
local function consume_nonblock(q, results, sentinel)
  while true do
    local ok, v = pcall(q.get, q, {block = false})
    if ok then
      if v == sentinel then return end
      results[#results + 1] = v
    elseif v.type == "queue.Empty" then time.sleep(1e-5)
    else error(v, 0) end
  end
end
local function consume_timeout(q, results, sentinel)
  while true do
    local ok, v = pcall(q.get, q, {timeout = 1e-5})
    if ok then
      if v == sentinel then return end
      results[#results + 1] = v
    elseif v.type ~= "queue.Empty" then error(v, 0) end
  end
end
local function range(n) local t = {} for i = 1, n do t[i] = i - 1 end return t end
-- test_order
check.eq(table.concat(run_threads(1, range(100), consume), ","), table.concat(range(100), ","),
         "one feeder, one consumer: the order kept")
-- test_many_threads, test_many_threads_nonblock, test_many_threads_timeout
-- (CPython: 50 threads of each, 10,000 items; here 20 and 2,000)
for _, c in ipairs{ consume, consume_nonblock, consume_timeout } do
  local got = run_threads(20, range(2000), c)
  table.sort(got)
  check.eq(table.concat(got, ","), table.concat(range(2000), ","), "every item exactly once")
end
-- test_references: an item leaves the queue's keeping once it is got
do
  local seen = setmetatable({}, {__mode = "k"})
  for _ = 1, 20 do local o = {}; seen[o] = true; sq:put(o) end
  for _ = 1, 20 do sq:get() end
  collectgarbage(); collectgarbage()
  check.eq(next(seen), nil, "no item kept alive by the queue")
end
-- CSimpleQueueTest.test_reentrancy (bpo-14976): put() from a finalizer,
-- which may run during another put or get (Lua's __gc, as CPython's __del__)
do
  local n, results = 0, {}
  local function gen() local v = n; n = n + 1; return v end
  local N = 3000
  while true do
    setmetatable({}, {__gc = function() sq:put(gen()) end})
    sq:put(gen())
    results[#results + 1] = sq:get()
    if results[#results] >= N then break end
    if #results % 50 == 0 then collectgarbage("step") end
  end
  for i = 1, #results do check.eq(results[i], i - 1, "reentrant puts keep the order") end
  check.truthy(sq:qsize() > 0, "finalizers did put")
end

-- the remaining API
sq = queue.SimpleQueue()
sq:put_nowait(1)
check.eq(sq:qsize(), 1, "qsize")
check.eq(sq:get_nowait(), 1, "get_nowait")
check.raises("queue.Empty", function() sq:get_nowait() end)
check.raises("ValueError", function() sq:get(true, -1) end)
check.eq(sq.task_done, nil, "no task tracking")

-- The error classes
local ok, e = pcall(queue.Queue().get_nowait, queue.Queue())
check.eq(ok, false, "raised")
check.eq(e.type, "queue.Empty", "e.type")
check.truthy(e:is(queue.Empty) and e:is(Exception) and not e:is(queue.Full), "e:is")
check.eq(tostring(e), "queue.Empty", "tostring")
check.eq(tostring(queue.Full), "<class 'queue.Full'>", "the class")

-- nil and tables go through; PriorityQueue orders tuples like Python
local q = queue.Queue()
q:put(nil); q:put({ 1, 2 })
check.eq(q:get(), nil, "nil item")
check.eq(q:get()[2], 2, "table item")
q = queue.PriorityQueue()
q:put({ 2, "b" }); q:put({ 1, "z" }); q:put({ 2, "a" }); q:put({ 1, "y", 0 })
check.eq(q:get()[2], "y", "(1,'y',0) first")
check.eq(q:get()[2], "z", "then (1,'z')")
check.eq(q:get()[2], "a", "then (2,'a')")
check.eq(q:get()[2], "b", "then (2,'b')")
q:put(1)
check.raises("TypeError", function() q:put("x") end)
check.eq(q:qsize(), 1, "the failed put left nothing")
for i = 50, 1, -1 do q:put(i) end
local prev = 0
for _ = 1, 51 do
  local v = q:get()
  check.truthy(v >= prev, "heap order")
  prev = v
end
check.truthy(tostring(queue.Queue{name = "Q"}):find("queue.Queue Q"), "repr")
check.eq(queue.Queue{maxsize = 3}.maxsize, 3, "keyword maxsize")
check.raises("TypeError", function() queue.Queue("x") end)
print("ok")
