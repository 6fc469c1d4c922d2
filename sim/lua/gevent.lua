-- gevent on the greenlet module: a hub greenlet per thread runs the loop
-- (ready callbacks, then timers on the active clock: virtual timers in the
-- virtual clock), as gevent's hub does; spawn, spawn_later, sleep, joinall,
-- getcurrent, Greenlet (value, exception, ready, successful, join, kill),
-- Timeout, event.Event, queue.Queue, lock.Semaphore, pool.Pool and
-- monkey.patch_all(). The hub is a green lane of its own.
local parts = ...
local errors, greenlet, gen = parts.errors, parts.greenlet, parts.generator
local green = parts.green_core
local queue_mod = parts.queue
local time_sleep, monotonic = time.sleep, time.monotonic
local orig_select = select.select

local M = { _count = 0 } -- gevent names its greenlets Greenlet-0, Greenlet-1, ...
local LoopExit = errors.class("gevent.exceptions.LoopExit", errors.Exception)
M.LoopExit = LoopExit
local hubs = setmetatable({}, { __mode = "k" }) -- main greenlet -> hub
local GEvent = {}

-- The hub's state: callbacks to run now, timers sorted by (when, seq).
-- Waits on the descriptors greenlets wait for (select, on the clock in
-- use: the hub's thread shows the I/O wait), at most until the next timer,
-- and wakes the greenlets whose descriptor is ready.
local function poll_io(st, timeout, lane)
  st.io = gen._poll_io(st.io, timeout, lane)
end

-- st.ready[head..tail]: a callback to call, or a greenlet to switch to
-- with st.ready_v[i] (a wake-up makes no closure).
local function hub_loop(st, hub)
  local switch_to = greenlet.switch_to
  while true do
    local h = st.head
    local t = st.timers[1]
    if h <= st.tail then
      local cb, v = st.ready[h], st.ready_v[h]
      st.ready[h], st.ready_v[h], st.head = nil, nil, h + 1
      if type(cb) == "function" then cb() else switch_to(cb, false, v) end
    elseif t and t.cancelled then
      table.remove(st.timers, 1)
    elseif t and t.when - monotonic() < 1e-9 then
      -- (due: the clock counts whole ns, and a when computed in floating
      -- point may sit a hair above the ns it means, which no sleep reaches)
      table.remove(st.timers, 1)
      t.fn()
    elseif #st.io > 0 then
      poll_io(st, t and (t.when - monotonic()) or nil, hub.lane)
    elseif t then
      -- the clock moves while the hub runs: the delay is taken once
      local delay = t.when - monotonic()
      if delay > 0 then
        green.sleeping(hub.lane, true)
        time_sleep(delay)
        green.sleeping(hub.lane, false)
      end
    else
      -- nothing left to run: back to whoever waits, which learns the loop
      -- is empty (gevent's LoopExit)
      greenlet.switch_to(st.main, false, LoopExit)
    end
  end
end

function M.get_hub()
  local cur = greenlet.getcurrent()
  local main = cur
  while main.parent do main = main.parent end
  local hub = hubs[main]
  if not hub then
    local state = { ready = {}, ready_v = {}, head = 1, tail = 0, timers = {}, io = {}, seq = 0, main = main }
    hub = greenlet.new(function() return hub_loop(state, hub) end, main, nil, gen.unique("Hub"), "hub")
    hub.state = state
    hubs[main] = hub
  end
  return hub
end

-- schedule(fn): fn runs in the hub; schedule(g, v): the hub switches to g
-- with v.
local function schedule(fn, v)
  local st = M.get_hub().state
  local n = st.tail + 1
  st.tail, st.ready[n], st.ready_v[n] = n, fn, v
end

local function timer(secs, fn)
  local st = M.get_hub().state
  st.seq = st.seq + 1
  local t = { when = monotonic() + secs, seq = st.seq, fn = fn }
  local i = #st.timers
  while i > 0 and (st.timers[i].when > t.when) do i = i - 1 end
  table.insert(st.timers, i + 1, t)
  return t
end
M._timer = timer

-- Suspends the current greenlet until a waker is called (or the timeout
-- passes: then it returns timeout_value). Returns what the waker passed.
local function wait(register, timeout, timeout_value)
  local cur = greenlet.getcurrent()
  local hub = M.get_hub()
  if cur == hub then
    error(errors.RuntimeError("cannot block in the hub"), 3)
  end
  local done, t = false, nil
  local function wake(v)
    if done then return end
    done = true
    if t then t.cancelled = true end
    schedule(cur, v)
  end
  local cleanup = register(wake)
  if timeout ~= nil then
    t = timer(timeout, function()
      if cleanup then cleanup() end
      wake(timeout_value)
    end)
  end
  local v = greenlet.switch_to(hub, false)
  if v == LoopExit then
    done = true
    error(LoopExit("This operation would block forever"), 3)
  end
  return v
end
M._wait = wait

local function check_secs(s, what)
  if s ~= nil and type(s) ~= "number" then
    error(errors.TypeError(what .. " must be a number, not " .. type(s)), 3)
  end
  if s ~= nil and s < 0 and what ~= "timeout" then
    error(errors.ValueError(what .. " must be non-negative"), 3)
  end
end

-- sleep(secs): gives the other greenlets their turn; 0 yields once.
function M.sleep(secs)
  secs = secs or 0
  check_secs(secs, "sleep length")
  local cur = greenlet.getcurrent()
  if secs == 0 then
    wait(function(wake) schedule(function() wake(true) end) end)
  else
    wait(function() end, secs, true)
  end
  return nil
end

-- Greenlet: a greenlet whose parent is the hub, with a result.
local gmethods = setmetatable({}, { __index = greenlet.methods })
local GMT = { __index = gmethods, __name = "Greenlet", __greenlet = true,
              __tostring = greenlet.GL.__tostring }
M.Greenlet = setmetatable({}, { __call = function(_, fn, ...) return M._make(fn, ...) end })

function M._make(fn, ...)
  if type(fn) ~= "function" then
    error(errors.TypeError("spawn needs a function, got " .. type(fn)), 3)
  end
  local args = table.pack(...)
  local hub = M.get_hub()
  local g
  g = greenlet.new(function()
    local r = table.pack(pcall(fn, table.unpack(args, 1, args.n)))
    g.finished = true
    if r[1] then
      g.value = r[2]
    elseif type(r[2]) == "table" and r[2].type == "GreenletExit" then
      g.value = r[2]
    else
      g.exception = r[2]
      print(("%s failed with %s"):format(g.name, tostring(r[2])))
    end
    for _, w in ipairs(g.links) do w(g) end
    g.links = {}
  end, hub, GMT, "Greenlet-" .. M._count)
  M._count = M._count + 1
  g.links = {}
  g.finished = false
  return g
end

function gmethods:start() schedule(self) return self end
function gmethods:ready() return self.finished or self.dead end
function gmethods:successful() return self:ready() and self.exception == nil end
function gmethods:rawlink(fn) if self:ready() then schedule(function() fn(self) end) else table.insert(self.links, fn) end end

-- join(timeout): waits until it is done (or the timeout); returns nothing.
function gmethods:join(timeout)
  check_secs(timeout, "timeout")
  if self:ready() then return end
  wait(function(wake) table.insert(self.links, function() wake(true) end) end, timeout, false)
end

function gmethods:get(block, timeout)
  if not self:ready() then self:join(timeout) end
  if not self:ready() then error(M.Timeout(timeout), 2) end
  if self.exception ~= nil then error(self.exception, 2) end
  return self.value
end

-- kill(exception, block): raises GreenletExit (or exception) in it.
function gmethods:kill(exception, block)
  if self:ready() then return end
  exception = exception or greenlet.GreenletExit()
  if not self.started then
    self.started, self.finished, self.dead = true, true, true
    self.value = exception
    for _, w in ipairs(self.links) do w(self) end
    return
  end
  schedule(function() if not self.dead then greenlet.switch_to(self, true, exception) end end)
  if block ~= false then self:join() end
end

function M.spawn(fn, ...) return M._make(fn, ...):start() end

function M.spawn_later(secs, fn, ...)
  check_secs(secs, "seconds")
  local g = M._make(fn, ...)
  timer(secs, function() greenlet.switch_to(g, false) end)
  return g
end

-- joinall(list, timeout): waits for them all; returns those done.
function M.joinall(list, timeout)
  if type(list) ~= "table" then
    error(errors.TypeError("joinall needs a list of greenlets"), 2)
  end
  local left = 0
  for _, g in ipairs(list) do if not g:ready() then left = left + 1 end end
  if left > 0 then
    wait(function(wake)
      for _, g in ipairs(list) do
        if not g:ready() then
          table.insert(g.links, function() left = left - 1; if left == 0 then wake(true) end end)
        end
      end
    end, timeout, false)
  end
  local done = {}
  for _, g in ipairs(list) do if g:ready() then done[#done + 1] = g end end
  return done
end

function M.killall(list) for _, g in ipairs(list) do g:kill() end end
M.getcurrent = greenlet.getcurrent
M.GreenletExit = greenlet.GreenletExit

-- Timeout(seconds): t:start() arms it for the current greenlet; when it
-- passes, the Timeout is raised where that greenlet waits. t:cancel().
local TMT = {}
TMT.__index = TMT
TMT.__name = "Timeout"
function TMT.__tostring(t)
  return ("Timeout: %s second%s"):format(tostring(t.seconds), t.seconds == 1 and "" or "s")
end
function TMT:is(class) return class == M.Timeout or class == errors.BaseException end
function TMT:start()
  local cur = greenlet.getcurrent()
  if self.seconds == nil then return self end
  self.pending = true
  self.t = timer(self.seconds, function()
    self.pending = false
    if not cur.dead then greenlet.switch_to(cur, true, self.exception or self) end
  end)
  return self
end
function TMT:cancel() if self.t then self.t.cancelled = true end self.pending = false end
TMT.close = TMT.cancel
M.Timeout = setmetatable({}, {
  __call = function(_, seconds, exception)
    check_secs(seconds, "timeout")
    return setmetatable({ type = "Timeout", seconds = seconds, exception = exception,
                          message = tostring(seconds) .. " seconds" }, TMT)
  end,
  __tostring = function() return "<class 'gevent.Timeout'>" end,
})
-- with_timeout(seconds, fn, ...): fn(...) or Timeout.
function M.with_timeout(seconds, fn, ...)
  local t = M.Timeout(seconds):start()
  local r = table.pack(pcall(fn, ...))
  t:cancel()
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- gevent.event.Event
local Event = {}
Event.__index = Event
M.event = {}
function M.event.Event() return setmetatable({ flag = false, waiters = {} }, Event) end
function Event:is_set() return self.flag end
Event.isSet, Event.ready = Event.is_set, Event.is_set
function Event:set()
  self.flag = true
  local ws = self.waiters
  self.waiters = {}
  for _, w in ipairs(ws) do w(true) end
end
function Event:clear() self.flag = false end
function Event:wait(timeout)
  check_secs(timeout, "timeout")
  if self.flag then return true end
  return wait(function(wake) table.insert(self.waiters, wake) end, timeout, false)
end

-- gevent.queue.Queue (Empty/Full are queue's)
local Q = {}
Q.__index = Q
M.queue = { Empty = queue_mod.Empty, Full = queue_mod.Full }
function M.queue.Queue(maxsize)
  maxsize = maxsize or 0
  if math.type(maxsize) ~= "integer" then error(errors.TypeError("maxsize must be an integer"), 2) end
  return setmetatable({ items = {}, maxsize = maxsize, getters = {}, putters = {} }, Q)
end
function Q:qsize() return #self.items end
function Q:empty() return #self.items == 0 end
function Q:full() return self.maxsize > 0 and #self.items >= self.maxsize end
local function wake_one(list, v) local w = table.remove(list, 1) if w then w(v) end end
function Q:put(item, block, timeout)
  while self:full() do
    if block == false then error(queue_mod.Full(), 2) end
    if not wait(function(wake) table.insert(self.putters, wake) end, timeout, false) then
      error(queue_mod.Full(), 2)
    end
  end
  table.insert(self.items, item)
  wake_one(self.getters, true)
end
function Q:get(block, timeout)
  while #self.items == 0 do
    if block == false then error(queue_mod.Empty(), 2) end
    if not wait(function(wake) table.insert(self.getters, wake) end, timeout, false) then
      error(queue_mod.Empty(), 2)
    end
  end
  local item = table.remove(self.items, 1)
  wake_one(self.putters, true)
  return item
end
function Q:put_nowait(item) return self:put(item, false) end
function Q:get_nowait() return self:get(false) end

-- gevent.lock.Semaphore / BoundedSemaphore
local Sem = {}
Sem.__index = Sem
M.lock = {}
function M.lock.Semaphore(value)
  value = value or 1
  if math.type(value) ~= "integer" or value < 0 then
    error(errors.ValueError("semaphore initial value must be >= 0"), 2)
  end
  return setmetatable({ counter = value, waiters = {} }, Sem)
end
function Sem:acquire(blocking, timeout)
  while self.counter <= 0 do
    if blocking == false then return false end
    if not wait(function(wake) table.insert(self.waiters, wake) end, timeout, false) then
      return false
    end
  end
  self.counter = self.counter - 1
  return true
end
function Sem:release() self.counter = self.counter + 1 wake_one(self.waiters, true) end
function Sem:locked() return self.counter <= 0 end
M.lock.RLock = nil

-- gevent.pool.Pool(size): spawn waits for a free slot.
local Pool = {}
Pool.__index = Pool
M.pool = {}
function M.pool.Pool(size)
  if size ~= nil and (math.type(size) ~= "integer" or size < 1) then
    error(errors.ValueError("Pool size must be a positive integer"), 2)
  end
  return setmetatable({ size = size, sem = size and M.lock.Semaphore(size), greenlets = {} }, Pool)
end
function Pool:spawn(fn, ...)
  if self.sem then self.sem:acquire() end
  local g = M._make(fn, ...)
  self.greenlets[g] = true
  table.insert(g.links, function() self.greenlets[g] = nil if self.sem then self.sem:release() end end)
  return g:start()
end
function Pool:free_count() return self.sem and self.sem.counter or math.huge end
function Pool:join(timeout)
  -- in the order they were made (prim.in_order says why)
  M.joinall(parts.prim.in_order(self.greenlets, "lane"), timeout)
end
function Pool:map(fn, list)
  local gs = {}
  for i, v in ipairs(list) do gs[i] = self:spawn(fn, v) end
  M.joinall(gs)
  local out = {}
  for i, g in ipairs(gs) do out[i] = g:get() end
  return out
end

-- monkey.patch_all(): the blocking calls of the process wait in the hub
-- instead, so other greenlets run meanwhile.
-- wait_fd(fd, "r"|"w", timeout): the calling greenlet waits in the hub
-- until fd is readable/writable (true) or the timeout passes (false).
local function fdof(x)
  if math.type(x) == "integer" then return x end
  return x:fileno()
end

-- The greenlet's lane shows the wait, though the hub does the waiting.
function M.wait_fd(fd, mode, timeout)
  local st = M.get_hub().state
  local lane = greenlet.getcurrent().lane
  if lane then green.io(lane, fdof(fd), true) end
  local ok, r = pcall(wait, function(wake)
    local e = { fd = fd, mode = mode, wake = wake }
    st.io[#st.io + 1] = e
    -- (what a timeout cleans up: no closure for a wait without one)
    return timeout ~= nil and function()
      for i, x in ipairs(st.io) do if x == e then table.remove(st.io, i) break end end
    end
  end, timeout, false)
  if lane then green.io(lane, fdof(fd), false) end
  if not ok then error(r, 0) end
  return r
end

-- monkey.patch_all(): the blocking calls wait in the hub instead, so the
-- other greenlets run meanwhile: time.sleep, a blocking socket's accept,
-- recv, recvfrom, send, sendall, select.select, os.read and os.write.
-- As gevent's own, a call that would not block goes straight through.
local ready = green.ready
M.monkey = { patched = {} }
function M.monkey.patch_all()
  if M.monkey.patched.time then return end
  time.sleep = function(secs) return M.sleep(secs) end
  M.monkey.patched.time = true
  -- the socket methods live in the upvalue of the socket metatable's __index
  local mt = debug.getregistry()["threadlab.socket"]
  local methods = mt and select(2, debug.getupvalue(mt.__index, 1))
  if type(methods) == "table" then
    local function cooperative(name, mode)
      local orig = methods[name]
      methods[name] = function(s, ...)
        if s:getblocking() then
          local fd = s:fileno()
          if not ready(fd, mode) then M.wait_fd(fd, mode) end
        end
        return orig(s, ...)
      end
    end
    cooperative("accept", "r") cooperative("recv", "r") cooperative("recvfrom", "r")
    cooperative("send", "w") cooperative("sendall", "w") cooperative("sendto", "w")
    M.monkey.patched.socket = true
  end
  if type(os.read) == "function" then
    local read, write = os.read, os.write
    os.read = function(fd, n)
      if math.type(fd) ~= "integer" or not ready(fd, "r") then M.wait_fd(fd, "r") end
      return read(fd, n)
    end
    os.write = function(fd, data)
      if math.type(fd) ~= "integer" or not ready(fd, "w") then M.wait_fd(fd, "w") end
      return write(fd, data)
    end
    M.monkey.patched.os = true
  end
  -- select.select: wait in the hub for any of them, then ask without waiting
  select.select = function(r, w, x, timeout)
    local st = M.get_hub().state
    local es = {}
    for _, s in ipairs(r or {}) do es[#es + 1] = { fd = fdof(s), mode = "r" } end
    for _, s in ipairs(w or {}) do es[#es + 1] = { fd = fdof(s), mode = "w" } end
    local function cleanup()
      local mine, keep = {}, {}
      for _, e in ipairs(es) do mine[e] = true end
      for _, e in ipairs(st.io) do if not mine[e] then keep[#keep + 1] = e end end
      st.io = keep
    end
    M._wait(function(wake)
      for _, e in ipairs(es) do e.wake = wake table.insert(st.io, e) end
      return cleanup
    end, timeout, false)
    cleanup()
    return orig_select(r or {}, w or {}, x or {}, 0)
  end
  M.monkey.patched.select = true
end
function M.monkey.is_module_patched(name) return M.monkey.patched[name] == true end
M.monkey.hooks = {}
M._original = { sleep = time_sleep }

return M
