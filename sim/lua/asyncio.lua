-- asyncio on Lua coroutines. Lua's coroutines are stackful, so a task is a
-- plain function run as a coroutine: asyncio.sleep, Lock:acquire,
-- Queue:get, Event:wait, gather and wait_for suspend the task that calls
-- them, with no `await` keyword (await(x) exists for readers of Python).
-- The loop runs in the thread that called asyncio.run, drawn as a green
-- lane of its own; its timers use the active clock (virtual in lessons).
local parts = ...
local errors, green, gen = parts.errors, parts.green_core, parts.generator
local in_order = parts.prim.in_order
local time_sleep, monotonic = time.sleep, time.monotonic

local M = {}
local CancelledError = errors.class("asyncio.exceptions.CancelledError", errors.BaseException)
local InvalidStateError = errors.class("asyncio.exceptions.InvalidStateError", errors.Exception)
M.CancelledError, M.InvalidStateError = CancelledError, InvalidStateError
M.TimeoutError = errors.TimeoutError -- one class since Python 3.11
M.QueueEmpty = errors.class("asyncio.queues.QueueEmpty", errors.Exception)
M.QueueFull = errors.class("asyncio.queues.QueueFull", errors.Exception)

local loops = setmetatable({}, { __mode = "k" })   -- root coroutine -> loop
local task_of = setmetatable({}, { __mode = "k" }) -- coroutine -> task
local THROW = {}
local ntasks = 0

local function no_loop(level)
  error(errors.RuntimeError("no running event loop"), level + 1)
end

local function running()
  local co = coroutine.running()
  local t = task_of[co]
  if t and not t.done then return t.loop, t end
  local l = loops[co]
  if l then return l, nil end
  return nil
end

function M.get_running_loop()
  local l = running()
  if not l then no_loop(2) end
  return l
end

function M.current_task()
  local l, t = running()
  if not l then no_loop(2) end
  return t
end

local Loop = {}
Loop.__index = Loop

-- The ready queue: three parallel lists (task, and what it is resumed
-- with: a value, or THROW and an error), so a wake-up makes no table.
function Loop:push(task, a, b)
  local n = self.tail + 1
  self.tail = n
  self.ready[n], self.ready_a[n], self.ready_b[n] = task, a, b
end

function Loop:call_later(secs, fn)
  self.seq = self.seq + 1
  local t = { when = monotonic() + secs, seq = self.seq, fn = fn }
  local ts = self.timers
  local i = #ts
  while i > 0 and ts[i].when > t.when do i = i - 1 end
  table.insert(ts, i + 1, t)
  return t
end

local co_yield, co_resume, co_status = coroutine.yield, coroutine.resume, coroutine.status

-- What a task's yield returns: the value it is woken with, or (THROW,
-- error) raised here.
local function resumed(first, ...)
  if first == THROW then error((...), 0) end
  return first, ...
end

-- Suspends the calling task until the waker registered runs; the waker
-- takes (value) or (THROW, error). Callable only from a task. (A waker
-- counts: one of an earlier suspension finds another number and does
-- nothing.)
local function suspend(register, level)
  local loop, task = running()
  if not task then no_loop((level or 2) + 1) end
  local token = task.suspensions + 1
  task.suspensions, task.waiting = token, token
  register(function(a, b)
    if task.waiting ~= token then return end
    task.waiting = nil
    loop:push(task, a, b)
  end)
  return resumed(co_yield())
end
M._suspend = suspend

local Task = {}
Task.__index = Task
Task.__name = "Task"
function Task.__tostring(t)
  return ("<Task %s %s>"):format(t.done and (t.cancelled_ and "cancelled" or "finished") or "pending", t.name)
end

local function stepped(self, task, ok, ...)
  green.switch(self.lane, task.lane)
  if not ok then
    self:finish(task, false, (...))
  elseif co_status(task.co) == "dead" then
    self:finish(task, true, ...)
  elseif select("#", ...) > 0 then
    -- a bare coroutine.yield in a task: asyncio has no such suspension
    self:push(task, THROW, errors.RuntimeError("coroutine.yield inside a task: use asyncio.sleep(0)"))
  end
end

-- Runs task to its next suspension: the first time with the arguments it
-- was made with, then with what woke it (a, or THROW and b).
function Loop:step(task, a, b)
  if task.done then return end
  if task.cancel_pending then
    if not task.started then return self:finish(task, false, CancelledError(task.cancel_msg)) end
    -- cancelled while ready to run: CancelledError at its suspension point,
    -- whatever woke it, as Task.__step throws it in Python
    task.cancel_pending = false
    if a ~= THROW then a, b = THROW, CancelledError(task.cancel_msg) end
  end
  local args = task.args
  task.started = true
  green.switch(task.lane, self.lane)
  if args then
    task.args = nil
    return stepped(self, task, co_resume(task.co, table.unpack(args, 1, args.n)))
  elseif b ~= nil then
    return stepped(self, task, co_resume(task.co, a, b))
  end
  return stepped(self, task, co_resume(task.co, a))
end

-- (a done task takes no callbacks: each adder calls at once instead)
local NO_CALLBACKS = setmetatable({}, { __newindex = function() error("a done task takes no callbacks") end })
function Loop:finish(task, ok, ...)
  task.done = true
  self.tasks[task] = nil
  green.finish(task.lane)
  if ok then
    task.result_ = table.pack(...)
  else
    local e = ...
    if type(e) == "table" and e.type == CancelledError.name then task.cancelled_ = true end
    task.exception_ = e
  end
  local cbs = task.callbacks
  task.callbacks = NO_CALLBACKS
  for _, cb in ipairs(cbs) do cb(task) end
end

function Loop:run_until(main)
  while not main.done do
    if self.head <= self.tail then
      local h = self.head
      local task, a, b = self.ready[h], self.ready_a[h], self.ready_b[h]
      self.ready[h], self.ready_a[h], self.ready_b[h] = nil, nil, nil
      self.head = h + 1
      self:step(task, a, b)
    elseif #self.io > 0 then
      self:poll_io(self.timers[1] and (self.timers[1].when - monotonic()) or nil)
      local t = self.timers[1]
      if t and (t.cancelled or t.when <= monotonic()) then
        table.remove(self.timers, 1)
        if not t.cancelled then t.fn() end
      end
    elseif #self.timers > 0 then
      local t = table.remove(self.timers, 1)
      if not t.cancelled then
        local now = monotonic()
        if t.when > now then
          green.sleeping(self.lane, true)
          time_sleep(t.when - now)
          green.sleeping(self.lane, false)
        end
        t.fn()
      end
    else
      -- Python would hang here; a lab says why instead
      error(errors.RuntimeError("event loop stopped: every task waits and no timer is pending"), 0)
    end
  end
end

-- Waits on the descriptors tasks wait for, at most timeout, and wakes
-- those whose descriptor is ready.
function Loop:poll_io(timeout)
  self.io = gen._poll_io(self.io, timeout, self.lane)
end

-- Suspends the calling task until fd is readable ("r") or writable ("w").
-- The task's lane shows the wait, though the loop does the waiting.
local function wait_fd(fd, mode)
  local loop, task = running()
  if not loop then no_loop(3) end
  local e = { fd = fd, mode = mode }
  if task then green.io(task.lane, fd, true) end
  local ok, err = pcall(suspend, function(wake) e.wake = wake table.insert(loop.io, e) end, 3)
  if task then green.io(task.lane, fd, false) end
  if not ok then
    for i, x in ipairs(loop.io) do if x == e then table.remove(loop.io, i) break end end
    error(err, 0)
  end
end
M._wait_fd = wait_fd

local function new_task(loop, fn, ...)
  if type(fn) ~= "function" then
    error(errors.TypeError("a coroutine function was expected, got " .. type(fn)), 3)
  end
  ntasks = ntasks + 1
  local name = "Task-" .. ntasks
  local co = coroutine.create(fn)
  local t = setmetatable({ co = co, loop = loop, name = name, callbacks = {},
                           done = false, started = false, suspensions = 0,
                           args = table.pack(...) }, Task)
  task_of[co] = t
  loop.tasks[t] = true
  t.lane = green.new("task", name)
  loop:push(t)
  return t
end

function M.create_task(fn, ...)
  local loop = running()
  if not loop then no_loop(2) end
  return new_task(loop, fn, ...)
end
M.ensure_future = M.create_task

function Task:get_name() return self.name end
function Task:set_name(n) self.name = tostring(n) end
function Task:cancelled() return self.cancelled_ == true end
function Task:result()
  if not self.done then error(InvalidStateError("Result is not set."), 2) end
  if self.exception_ ~= nil then error(self.exception_, 2) end
  return table.unpack(self.result_, 1, self.result_.n)
end
function Task:exception()
  if not self.done then error(InvalidStateError("Exception is not set."), 2) end
  if self.cancelled_ then error(self.exception_, 2) end
  return self.exception_
end
function Task:add_done_callback(fn)
  if self.done then fn(self) else table.insert(self.callbacks, fn) end
end

-- cancel(): CancelledError at the task's suspension point.
function Task:cancel(msg)
  if self.done then return false end
  self.cancel_pending, self.cancel_msg = true, msg
  if self.waiting then
    self.waiting = nil
    self.loop:push(self, THROW, CancelledError(msg))
  end
  return true
end

local function as_task(loop, x, level)
  if getmetatable(x) == Task then return x end
  if type(x) == "function" then return new_task(loop, x) end
  error(errors.TypeError("an awaitable (a task or a function) is required, got " .. type(x)), level + 1)
end

-- await(x): the result of a task (waiting for it) or of calling a function.
local function await(x, ...)
  if type(x) == "function" then return x(...) end
  local loop = running()
  if not loop then no_loop(2) end
  local t = as_task(loop, x, 2)
  if not t.done then
    suspend(function(wake) table.insert(t.callbacks, function() wake(true) end) end, 2)
  end
  if t.exception_ ~= nil then error(t.exception_, 2) end
  return table.unpack(t.result_, 1, t.result_.n)
end
M.await, _G.await = await, await

-- asyncio.run(fn, ...): a new loop in this thread until fn's task is done.
function M.run(fn, ...)
  local co = coroutine.running()
  if running() then
    error(errors.RuntimeError("asyncio.run() cannot be called from a running event loop"), 2)
  end
  if type(fn) ~= "function" then
    error(errors.ValueError("a coroutine was expected, got " .. tostring(fn)), 2)
  end
  local loop = setmetatable({ ready = {}, ready_a = {}, ready_b = {}, head = 1, tail = 0,
                              timers = {}, seq = 0, tasks = {}, io = {} }, Loop)
  loop.lane = green.new("event loop", gen.unique("event loop"))
  loops[co] = loop
  green.switch(loop.lane, 0)
  local main = new_task(loop, fn, ...)
  local ok, err = pcall(loop.run_until, loop, main)
  -- what is still pending is cancelled, as asyncio.run does
  if ok then
    -- in the order the tasks were made (prim.in_order says why)
    local pending = {}
    for i = loop.head, loop.tail do pending[loop.ready[i]] = true end
    for _, t in ipairs(in_order(loop.tasks, "lane")) do if not t.done then t:cancel() pending[t] = true end end
    for _, t in ipairs(in_order(pending, "lane")) do if not t.done then pcall(loop.run_until, loop, t) end end
  end
  loops[co] = nil
  green.switch(0, loop.lane)
  green.finish(loop.lane)
  if not ok then error(err, 0) end
  if main.exception_ ~= nil then error(main.exception_, 0) end
  return table.unpack(main.result_, 1, main.result_.n)
end

-- sleep(delay, result): suspends the task; 0 lets the others run once.
function M.sleep(delay, result)
  delay = delay or 0
  if type(delay) ~= "number" then
    error(errors.TypeError("delay must be a number, not " .. type(delay)), 2)
  end
  local loop = running()
  if not loop then no_loop(2) end
  if delay <= 0 then
    -- (what suspend does with a waker that wakes at once, without one)
    local _, task = running()
    if not task then no_loop(2) end
    loop:push(task, true)
    resumed(co_yield())
  else
    suspend(function(wake) loop:call_later(delay, function() wake(true) end) end, 2)
  end
  return result
end

-- gather(...): tasks or functions; the list of their results, in order.
-- The first error is raised (the others run on), as gather does.
-- gather(a, b, ..., {return_exceptions = true}): the results in order. The
-- first error raises here (the others run on), unless return_exceptions:
-- then every task is waited for and an error takes its place in the list.
function M.gather(...)
  local loop = running()
  if not loop then no_loop(2) end
  local ts = table.pack(...) -- (not select(i, ...) in a loop: O(n^2) for n tasks)
  local n = ts.n
  local kw = ts[n]
  if n > 0 and type(kw) == "table" and getmetatable(kw) == nil then
    errors.kwargs("gather", kw, "return_exceptions")
    ts[n], n = nil, n - 1
  else
    kw = {}
  end
  local all = kw.return_exceptions
  for i = 1, n do ts[i] = as_task(loop, ts[i], 2) end
  local left = 0
  for i = 1, n do if not ts[i].done then left = left + 1 end end
  local failed
  if not all then
    for i = 1, n do if ts[i].done and ts[i].exception_ ~= nil then failed = ts[i] break end end
  end
  if left > 0 and not failed then
    failed = suspend(function(wake)
      for i = 1, n do
        if not ts[i].done then
          table.insert(ts[i].callbacks, function(t)
            left = left - 1
            if t.exception_ ~= nil and not all then wake(t) elseif left == 0 then wake(false) end
          end)
        end
      end
    end, 2)
  end
  if failed then error(failed.exception_, 2) end
  local out = {}
  for i = 1, n do
    if ts[i].exception_ ~= nil then out[i] = ts[i].exception_ else out[i] = ts[i].result_[1] end
  end
  return out
end

-- wait_for(x, timeout): x's result, or TimeoutError (x is cancelled).
function M.wait_for(x, timeout)
  local loop = running()
  if not loop then no_loop(2) end
  local t = as_task(loop, x, 2)
  if timeout == nil then return await(t) end
  if type(timeout) ~= "number" then
    error(errors.TypeError("timeout must be a number, not " .. type(timeout)), 2)
  end
  if not t.done then
    local timer
    local finished = suspend(function(wake)
      table.insert(t.callbacks, function() wake(true) end)
      timer = loop:call_later(math.max(timeout, 0), function() wake(false) end)
    end, 2)
    timer.cancelled = true
    if not finished then
      t:cancel()
      error(errors.TimeoutError(), 2)
    end
  end
  return await(t)
end

-- Lock / Event / Semaphore / Queue: a FIFO of wakers each.
local function wake_first(list, ...)
  local w = table.remove(list, 1)
  if w then w(...) return true end
  return false
end

local Lock = {}
Lock.__index = Lock
function M.Lock() return setmetatable({ _locked = false, waiters = {} }, Lock) end
function Lock:locked() return self._locked end
function Lock:acquire()
  if not running() then no_loop(2) end
  if not self._locked and #self.waiters == 0 then self._locked = true return true end
  -- release hands the lock straight to the first waiter
  suspend(function(wake) table.insert(self.waiters, wake) end, 2)
  return true
end
function Lock:release()
  if not self._locked then error(errors.RuntimeError("Lock is not acquired."), 2) end
  if not wake_first(self.waiters, true) then self._locked = false end
end

local Event = {}
Event.__index = Event
function M.Event() return setmetatable({ flag = false, waiters = {} }, Event) end
function Event:is_set() return self.flag end
function Event:set()
  self.flag = true
  local ws = self.waiters
  self.waiters = {}
  for _, w in ipairs(ws) do w(true) end
end
function Event:clear() self.flag = false end
function Event:wait()
  if self.flag then return true end
  return suspend(function(wake) table.insert(self.waiters, wake) end, 2)
end

local Sem = {}
Sem.__index = Sem
function M.Semaphore(value)
  value = value or 1
  if math.type(value) ~= "integer" or value < 0 then
    error(errors.ValueError("Semaphore initial value must be >= 0"), 2)
  end
  return setmetatable({ value = value, waiters = {} }, Sem)
end
function Sem:locked() return self.value == 0 end
function Sem:acquire()
  if self.value > 0 and #self.waiters == 0 then self.value = self.value - 1 return true end
  suspend(function(wake) table.insert(self.waiters, wake) end, 2)
  return true
end
function Sem:release()
  if not wake_first(self.waiters, true) then self.value = self.value + 1 end
end

local Q = {}
Q.__index = Q
function M.Queue(maxsize)
  maxsize = maxsize or 0
  if math.type(maxsize) ~= "integer" then error(errors.TypeError("maxsize must be an integer"), 2) end
  return setmetatable({ items = {}, maxsize = maxsize, getters = {}, putters = {},
                        unfinished = 0, joiners = {} }, Q)
end
function Q:qsize() return #self.items end
function Q:empty() return #self.items == 0 end
function Q:full() return self.maxsize > 0 and #self.items >= self.maxsize end
function Q:put_nowait(item)
  if self:full() then error(M.QueueFull(), 2) end
  table.insert(self.items, item)
  self.unfinished = self.unfinished + 1
  wake_first(self.getters, true)
end
function Q:get_nowait()
  if #self.items == 0 then error(M.QueueEmpty(), 2) end
  local item = table.remove(self.items, 1)
  wake_first(self.putters, true)
  return item
end
function Q:put(item)
  while self:full() do suspend(function(wake) table.insert(self.putters, wake) end, 2) end
  return self:put_nowait(item)
end
function Q:get()
  while #self.items == 0 do suspend(function(wake) table.insert(self.getters, wake) end, 2) end
  return self:get_nowait()
end
function Q:task_done()
  if self.unfinished <= 0 then error(errors.ValueError("task_done() called too many times"), 2) end
  self.unfinished = self.unfinished - 1
  if self.unfinished == 0 then
    local js = self.joiners
    self.joiners = {}
    for _, w in ipairs(js) do w(true) end
  end
end
function Q:join()
  if self.unfinished > 0 then suspend(function(wake) table.insert(self.joiners, wake) end, 2) end
end

-- Streams: open_connection and start_server on loopback sockets.
local Reader, Writer = {}, {}
Reader.__index, Writer.__index = Reader, Writer
local function streams(sock)
  return setmetatable({ sock = sock, buf = "", eof = false }, Reader),
         setmetatable({ sock = sock }, Writer)
end
local function fill(r)
  if r.eof then return false end
  wait_fd(r.sock:fileno(), "r")
  local data = r.sock:recv(65536)
  if data == "" then r.eof = true return false end
  r.buf = r.buf .. data
  return true
end
-- read(n): up to n bytes (-1 or nil: until EOF); "" at EOF.
function Reader:read(n)
  n = n or -1
  if n < 0 then
    while fill(self) do end
    local all = self.buf
    self.buf = ""
    return all
  end
  if #self.buf == 0 then fill(self) end
  local out = self.buf:sub(1, n)
  self.buf = self.buf:sub(n + 1)
  return out
end
function Reader:readline()
  while not self.buf:find("\n", 1, true) and fill(self) do end
  local i = self.buf:find("\n", 1, true) or #self.buf
  local line = self.buf:sub(1, i)
  self.buf = self.buf:sub(i + 1)
  return line
end
function Reader:readexactly(n)
  while #self.buf < n and fill(self) do end
  if #self.buf < n then
    error(errors.class("asyncio.exceptions.IncompleteReadError", errors.EOFError or errors.Exception)(
      ("%d bytes read on a total of %d expected bytes"):format(#self.buf, n)), 2)
  end
  return self:read(n)
end
function Reader:at_eof() return self.eof and #self.buf == 0 end
function Writer:write(data) self.pending = (self.pending or "") .. tostring(data) end
function Writer:drain()
  local data = self.pending or ""
  self.pending = nil
  local fd = self.sock:fileno()
  while #data > 0 do
    wait_fd(fd, "w")
    local n = self.sock:send(data)
    data = data:sub(n + 1)
  end
end
function Writer:close() if self.pending then self:drain() end self.sock:close() self.closed = true end
function Writer:is_closing() return self.closed == true end
function Writer:wait_closed() end
function Writer:get_extra_info(name)
  if name == "peername" then return self.sock:getpeername() end
  if name == "sockname" then return self.sock:getsockname() end
  if name == "socket" then return self.sock end
end

-- open_connection(host, port) -> reader, writer
function M.open_connection(host, port)
  if not running() then no_loop(2) end
  local s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  s:connect({ host, port })
  return streams(s)
end

-- start_server(cb, host, port) -> Server: cb(reader, writer) runs as a
-- task per client.
local Server = {}
Server.__index = Server
function M.start_server(cb, host, port)
  local loop = running()
  if not loop then no_loop(2) end
  if type(cb) ~= "function" then error(errors.TypeError("client_connected_cb must be a function"), 2) end
  local s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  s:setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
  s:bind({ host or "127.0.0.1", port or 0 })
  s:listen(100)
  local srv = setmetatable({ sockets = { s }, serving = true, closed_ev = M.Event() }, Server)
  srv.acceptor = new_task(loop, function()
    while srv.serving do
      wait_fd(s:fileno(), "r")
      if not srv.serving then break end
      local conn = s:accept()
      new_task(loop, cb, streams(conn))
    end
  end)
  return srv
end
function Server:close()
  if not self.serving then return end
  self.serving = false
  self.acceptor:cancel()
  self.sockets[1]:close()
  self.closed_ev:set()
end
function Server:wait_closed() if self.serving then self.closed_ev:wait() end end
function Server:serve_forever() self.closed_ev:wait() end
function Server:is_serving() return self.serving end

M.Task = Task
return M
