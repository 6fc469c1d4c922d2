-- queue: Queue, LifoQueue, PriorityQueue and SimpleQueue as CPython's
-- queue.py has them: one internal mutex, and the conditions not_empty,
-- not_full and all_tasks_done on it. queue.Empty and queue.Full are error
-- classes; an error's e.type reads "queue.Empty" / "queue.Full" and
-- e:is(queue.Empty) asks for it.
--
-- Trace events (obj = the queue's id, named by LOCK_NEW):
--   QUEUE_PUT   arg: the size after | the item's serial << 32
--   QUEUE_GET   arg: the putter's thread id | the item's serial << 32, so a
--               view can draw the put -> get arrow of each item
--   QUEUE_BLOCK a put (reason 1), get (0) or join (2) must wait; the wait
--               ends with COND_WAKE (arg: the thread that made room, put or
--               finished; reason 1: timed out)
local parts = ...
local threading, sync, errors = parts.threading, parts.sync, parts.errors

local prim = sync.prim
local emit, tid, internal_lock = prim.emit, prim.tid, prim.internal_lock
local K, T = prim.kinds, prim.types
local new_object, new_cond, cond_wait, cond_notify, is_kw, now =
  sync.new_object, sync.new_cond, sync.cond_wait, sync.cond_notify, sync.is_kw, sync.now
local ValueError, TypeError = errors.ValueError, errors.TypeError
local pcall, error, type, setmetatable, getmetatable =
  pcall, error, type, setmetatable, getmetatable

local queue = {}
local Empty = errors.class("queue.Empty", errors.Exception)
local Full = errors.class("queue.Full", errors.Exception)
queue.Empty, queue.Full = Empty, Full

-- Python's order for PriorityQueue items: numbers and strings as usual,
-- plain tables like tuples (element by element), else an error.
local function lt(a, b)
  local ta, tb = type(a), type(b)
  if (ta == "number" and tb == "number") or (ta == "string" and tb == "string") then
    return a < b
  end
  if ta == "table" and tb == "table" then
    local ma = getmetatable(a)
    if ma and ma.__lt then return a < b end
    if ma == nil and getmetatable(b) == nil then
      local i = 1
      while true do
        local x, y = a[i], b[i]
        if x == nil then return y ~= nil end
        if y == nil then return false end
        if x ~= y then
          if lt(x, y) then return true end
          if lt(y, x) then return false end
        end
        i = i + 1
      end
    end
  end
  error(TypeError(("'<' not supported between a %s and a %s"):format(ta, tb)), 0)
end

------------------------------------------------------------------------------
-- storage: _init, _qsize, _put(item, meta), _get() -> item, meta
-- (meta: the putter's id and the item's serial, for the trace)

local Queue = { __name = "Queue" }
Queue.__index = Queue
local LifoQueue = setmetatable({ __name = "LifoQueue" }, { __index = Queue })
LifoQueue.__index = LifoQueue
local PriorityQueue = setmetatable({ __name = "PriorityQueue" }, { __index = Queue })
PriorityQueue.__index = PriorityQueue

function Queue:_init()
  self._items, self._meta, self._head, self._tail = {}, {}, 1, 0
end
function Queue:_qsize() return self._tail - self._head + 1 end
function Queue:_put(item, meta)
  local t = self._tail + 1
  self._tail = t
  self._items[t], self._meta[t] = item, meta
end
function Queue:_get()
  local h = self._head
  local item, meta = self._items[h], self._meta[h]
  self._items[h], self._meta[h] = nil, nil
  self._head = h + 1
  return item, meta
end

function LifoQueue:_init() self._items, self._meta, self._n = {}, {}, 0 end
function LifoQueue:_qsize() return self._n end
function LifoQueue:_put(item, meta)
  local n = self._n + 1
  self._n = n
  self._items[n], self._meta[n] = item, meta
end
function LifoQueue:_get()
  local n = self._n
  local item, meta = self._items[n], self._meta[n]
  self._items[n], self._meta[n] = nil, nil
  self._n = n - 1
  return item, meta
end

-- A binary heap of {item, meta}, smallest item first.
function PriorityQueue:_init() self._heap, self._n = {}, 0 end
function PriorityQueue:_qsize() return self._n end
function PriorityQueue:_put(item, meta)
  local h, n = self._heap, self._n + 1
  if n > 1 then lt(item, h[1][1]) end -- an item that cannot be ordered fails here
  local i = n
  while i > 1 do
    local p = i // 2
    if not lt(item, h[p][1]) then break end
    h[i] = h[p]
    i = p
  end
  h[i] = { item, meta }
  self._n = n
end
function PriorityQueue:_get()
  local h, n = self._heap, self._n
  local top, last = h[1], h[n]
  h[n] = nil
  n = n - 1
  self._n = n
  if n > 0 then
    local i = 1
    while true do
      local c = 2 * i
      if c > n then break end
      if c < n and lt(h[c + 1][1], h[c][1]) then c = c + 1 end
      if not lt(h[c][1], last[1]) then break end
      h[i] = h[c]
      i = c
    end
    h[i] = last
  end
  return top[1], top[2]
end

------------------------------------------------------------------------------
-- the policy, with the mutex held

local function block_end(self, blocked, by, ok)
  if blocked then emit(K.COND_WAKE, self.id, ok and by or 0, ok and 0 or 1) end
end

-- Waits on cond while busy(self), as queue.py's put and get do: raises
-- exc at once when not blocking, or when the timeout runs out. Returns
-- whether it blocked and who woke it last. dir: 1 a put, 0 a get.
local function wait_while(self, cond, busy, block, timeout, exc, dir)
  local blocked, by, endtime = false, nil, nil
  if not block then
    if busy(self) then error(exc(), 0) end
    return blocked, by
  end
  if timeout ~= nil then
    if timeout < 0 then error(ValueError("'timeout' must be a non-negative number"), 0) end
    endtime = now() + timeout
  end
  while busy(self) do
    local remaining
    if endtime then
      remaining = endtime - now()
      if remaining <= 0 then
        block_end(self, blocked, by, false)
        error(exc(), 0)
      end
    end
    if not blocked then blocked = true; emit(K.QUEUE_BLOCK, self.id, 0, dir) end
    local got, b = cond_wait(cond, remaining)
    if got then by = b end
  end
  return blocked, by
end

local function is_full(self) return self:_qsize() >= self.maxsize end
local function is_empty(self) return self:_qsize() == 0 end

local function q_put(self, item, block, timeout)
  local blocked, by = false, nil
  if self.maxsize > 0 then
    blocked, by = wait_while(self, self.not_full, is_full, block, timeout, Full, 1)
  end
  block_end(self, blocked, by, true)
  local serial = self._serial + 1
  self._serial = serial
  self:_put(item, tid() | serial << 32)
  self.unfinished_tasks = self.unfinished_tasks + 1
  emit(K.QUEUE_PUT, self.id, self:_qsize() | serial << 32)
  cond_notify(self.not_empty, 1)
end

local function q_get(self, block, timeout)
  local blocked, by = wait_while(self, self.not_empty, is_empty, block, timeout, Empty, 0)
  block_end(self, blocked, by, true)
  local item, meta = self:_get()
  emit(K.QUEUE_GET, self.id, meta or 0)
  cond_notify(self.not_full, 1)
  return item
end

local function q_task_done(self)
  local unfinished = self.unfinished_tasks - 1
  if unfinished <= 0 then
    if unfinished < 0 then error(ValueError("task_done() called too many times"), 0) end
    cond_notify(self.all_tasks_done, #self.all_tasks_done._waiters)
  end
  self.unfinished_tasks = unfinished
end

local function q_join(self)
  local blocked, by = false, nil
  while self.unfinished_tasks > 0 do
    if not blocked then blocked = true; emit(K.QUEUE_BLOCK, self.id, 0, 2) end
    local got, b = cond_wait(self.all_tasks_done)
    if got then by = b end
  end
  block_end(self, blocked, by, true)
end

-- Runs fn(self, a, b, c) holding the queue's mutex.
local function with_mutex(self, fn, a, b, c)
  local m = self.mutex
  m:acquire()
  local ok, r = pcall(fn, self, a, b, c)
  m:release()
  if not ok then error(r, 0) end
  return r
end

local check_timeout, kwargs, whole = errors.timeout, errors.kwargs, errors.whole

------------------------------------------------------------------------------
-- the API

-- put(item, [block], [timeout]) or put(item, {block=, timeout=})
function Queue:put(item, block, timeout)
  if is_kw(block) then
    kwargs("Queue.put", block, "block", "timeout")
    block, timeout = block.block, block.timeout
  end
  if block == nil then block = true end
  check_timeout("Queue.put", timeout)
  with_mutex(self, q_put, item, block, timeout)
end

-- get([block], [timeout]) or get{block=, timeout=}
function Queue:get(block, timeout)
  if is_kw(block) then
    kwargs("Queue.get", block, "block", "timeout")
    block, timeout = block.block, block.timeout
  end
  if block == nil then block = true end
  check_timeout("Queue.get", timeout)
  return with_mutex(self, q_get, block, timeout)
end

function Queue:put_nowait(item) return self:put(item, false) end
function Queue:get_nowait() return self:get(false) end

local function q_size(self) return self:_qsize() end
function Queue:qsize() return with_mutex(self, q_size) end
function Queue:empty() return with_mutex(self, q_size) == 0 end
function Queue:full()
  local maxsize = self.maxsize
  return maxsize > 0 and with_mutex(self, q_size) >= maxsize
end

function Queue:task_done() with_mutex(self, q_task_done) end
function Queue:join() with_mutex(self, q_join) end

function Queue.__tostring(q)
  return ("<queue.%s %s (%d items)>"):format(getmetatable(q).__name, q.name, q:qsize())
end
LifoQueue.__tostring = Queue.__tostring
PriorityQueue.__tostring = Queue.__tostring

local function new_queue(class, type_code, maxsize, kw)
  if is_kw(maxsize) then kw, maxsize = maxsize, maxsize.maxsize end
  kw = kw or {}
  if class.__name == "SimpleQueue" then kwargs("SimpleQueue", kw, "name")
  else kwargs(class.__name, kw, "maxsize", "name") end
  if maxsize == nil then maxsize = 0 end
  maxsize = whole(class.__name, "maxsize", maxsize)
  local id, name = new_object(type_code, class.__name, kw.name)
  local mutex = internal_lock()
  local self = setmetatable({
    maxsize = maxsize, mutex = mutex, id = id, name = name,
    not_empty = new_cond(mutex, nil, nil, nil, "item", name),
    not_full = new_cond(mutex, nil, nil, nil, "room", name),
    all_tasks_done = new_cond(mutex, nil, nil, nil, "task_done", name),
    unfinished_tasks = 0, _serial = 0,
  }, class)
  self.not_empty._what = class.__name .. " " .. name .. " (get)"
  self.not_full._what = class.__name .. " " .. name .. " (put)"
  self.all_tasks_done._what = class.__name .. " " .. name .. " (join)"
  self:_init(maxsize)
  return self
end

-- queue.Queue([maxsize]) or queue.Queue{maxsize=, name=}; maxsize <= 0:
-- no limit. The same for LifoQueue and PriorityQueue.
function queue.Queue(maxsize, kw) return new_queue(Queue, T.QUEUE, maxsize, kw) end
function queue.LifoQueue(maxsize, kw) return new_queue(LifoQueue, T.LIFO_QUEUE, maxsize, kw) end
function queue.PriorityQueue(maxsize, kw)
  return new_queue(PriorityQueue, T.PRIORITY_QUEUE, maxsize, kw)
end

-- SimpleQueue: unbounded FIFO, no task tracking; put never blocks.
local SimpleQueue = { __name = "SimpleQueue", _init = Queue._init, _qsize = Queue._qsize,
                      _put = Queue._put, _get = Queue._get, get = Queue.get,
                      get_nowait = Queue.get_nowait, qsize = Queue.qsize, empty = Queue.empty,
                      __tostring = Queue.__tostring }
SimpleQueue.__index = SimpleQueue

-- put(item, [block], [timeout]): block and timeout are accepted and unused
function SimpleQueue:put(item) with_mutex(self, q_put, item, true, nil) end
function SimpleQueue:put_nowait(item) return self:put(item) end

function queue.SimpleQueue(kw)
  if kw ~= nil and not is_kw(kw) then errors.argerror("SimpleQueue", "kw", "a table of keywords", kw) end
  return new_queue(SimpleQueue, T.SIMPLE_QUEUE, nil, kw or {})
end

return queue
