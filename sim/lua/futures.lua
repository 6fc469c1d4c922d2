-- concurrent.futures: Future, ThreadPoolExecutor (worker threads reading a
-- queue.Queue) and ProcessPoolExecutor (on mp.Pool: the same workers,
-- pickling and result-handler thread), with as_completed, as CPython's.
local parts = ...
local mp, threading, queue = parts.multiprocessing, parts.threading, parts.queue
local errors = parts.errors

local futures = {}
futures.CancelledError = errors.class("CancelledError", errors.Exception)
futures.TimeoutError = TimeoutError

------------------------------------------------------------------ Future --
local Future = {}
Future.__index = Future

local function new_future()
  return setmetatable({ _state = "PENDING", _cond = threading.Condition(), _cbs = {} }, Future)
end
futures.Future = new_future

local function settle(f, state, value, err)
  f._cond:acquire()
  if f._state == "FINISHED" or f._state == "CANCELLED" then f._cond:release(); return end
  f._state, f._result, f._error = state, value, err
  f._cond:notify_all()
  f._cond:release()
  for _, cb in ipairs(f._cbs) do
    local ok, e = pcall(cb, f)
    if not ok then io.stderr:write("exception calling callback for " .. tostring(f) .. ": " .. tostring(e) .. "\n") end
  end
end
function Future:set_result(v) settle(self, "FINISHED", v, nil) end
function Future:set_exception(e) settle(self, "FINISHED", nil, e) end
function Future:set_running_or_notify_cancel()
  if self._state == "CANCELLED" then return false end
  self._state = "RUNNING"
  return true
end
function Future:done() return self._state == "FINISHED" or self._state == "CANCELLED" end
function Future:running() return self._state == "RUNNING" end
function Future:cancelled() return self._state == "CANCELLED" end
function Future:cancel()
  if self._state == "RUNNING" or self._state == "FINISHED" then return false end
  settle(self, "CANCELLED")
  return true
end

local function wait_done(f, timeout)
  f._cond:acquire()
  if not f:done() then f._cond:wait(timeout) end
  f._cond:release()
  if f._state == "CANCELLED" then error(futures.CancelledError(""), 3) end
  if not f:done() then error(TimeoutError(""), 3) end
end
function Future:result(timeout)
  wait_done(self, timeout)
  if self._error ~= nil then error(self._error, 0) end
  return self._result
end
function Future:exception(timeout)
  wait_done(self, timeout)
  return self._error
end
function Future:add_done_callback(fn)
  if self:done() then fn(self) else self._cbs[#self._cbs + 1] = fn end
end
Future.__tostring = function(self) return ("<Future state=%s>"):format(self._state:lower()) end

----------------------------------------------------------- as_completed --
-- for f in futures.as_completed(fs) do ... end: each future as it finishes
function futures.as_completed(fs, timeout)
  local cv = threading.Condition()
  local finished, given, n = {}, 0, #fs
  local deadline = timeout and time.monotonic() + timeout
  for _, f in ipairs(fs) do
    f:add_done_callback(function(g)
      cv:acquire(); finished[#finished + 1] = g; cv:notify_all(); cv:release()
    end)
  end
  return function()
    if given >= n then return nil end
    cv:acquire()
    while #finished <= given do
      local left = deadline and deadline - time.monotonic()
      if left and left <= 0 then
        cv:release()
        error(TimeoutError(("%d (of %d) futures unfinished"):format(n - given, n)), 2)
      end
      cv:wait(left)
    end
    given = given + 1
    local f = finished[given]
    cv:release()
    return f
  end
end

-- executor:map(fn, t): an iterator over the results, in order
local function map_with(self, fn, ...)
  local lists = { ... }
  local fs = {}
  for i = 1, #lists[1] do
    local args = {}
    for k = 1, #lists do args[k] = lists[k][i] end
    fs[i] = self:submit(fn, table.unpack(args, 1, #lists))
  end
  local i = 0
  return function()
    i = i + 1
    if fs[i] then return fs[i]:result() end
  end
end

local function check_kw(kw, what)
  for k in pairs(kw) do
    if k ~= "max_workers" and k ~= "initializer" and k ~= "initargs" and k ~= "thread_name_prefix" then
      error(TypeError(what .. "() got an unexpected keyword argument '" .. tostring(k) .. "'"), 3)
    end
  end
end

------------------------------------------------------ ThreadPoolExecutor --
local TPE = {}
TPE.__index = TPE
local tpe_count = 0

function futures.ThreadPoolExecutor(kw)
  if type(kw) ~= "table" then kw = { max_workers = kw } end
  check_kw(kw, "ThreadPoolExecutor")
  local n = kw.max_workers or math.min(32, mp.cpu_count() + 4)
  if n <= 0 then error(ValueError("max_workers must be greater than 0"), 2) end
  local self = setmetatable({ _n = n, _q = queue.Queue(), _threads = {}, _shutdown = false,
                              _prefix = kw.thread_name_prefix or ("ThreadPoolExecutor-" .. tpe_count),
                              _init = kw.initializer, _initargs = kw.initargs or {} }, TPE)
  tpe_count = tpe_count + 1
  return self
end

local function tpe_worker(self)
  if self._init then self._init(table.unpack(self._initargs)) end
  while true do
    local item = self._q:get()
    if item == false then self._q:put(false); return end
    local f, fn, args = item[1], item[2], item[3]
    if f:set_running_or_notify_cancel() then
      local r = table.pack(pcall(fn, table.unpack(args, 1, args.n)))
      if r[1] then f:set_result(r[2]) else f:set_exception(r[2]) end
    end
  end
end

function TPE:submit(fn, ...)
  if self._shutdown then error(RuntimeError("cannot schedule new futures after shutdown"), 2) end
  local f = new_future()
  self._q:put({ f, fn, table.pack(...) })
  if #self._threads < self._n then
    local t = threading.Thread{ target = tpe_worker, args = { self }, daemon = true,
                                name = self._prefix .. "_" .. #self._threads }
    self._threads[#self._threads + 1] = t
    t:start()
  end
  return f
end
TPE.map = map_with
function TPE:shutdown(wait)
  if not self._shutdown then
    self._shutdown = true
    self._q:put(false)
  end
  if wait == nil or wait then for _, t in ipairs(self._threads) do t:join() end end
end

----------------------------------------------------- ProcessPoolExecutor --
local PPE = {}
PPE.__index = PPE

function futures.ProcessPoolExecutor(kw)
  if type(kw) ~= "table" then kw = { max_workers = kw } end
  check_kw(kw, "ProcessPoolExecutor")
  local n = kw.max_workers or mp.cpu_count()
  if n <= 0 then error(ValueError("max_workers must be greater than 0"), 2) end
  return setmetatable({ _pool = mp.Pool(n, kw.initializer, kw.initargs), _shutdown = false }, PPE)
end

function PPE:submit(fn, ...)
  if self._shutdown then error(RuntimeError("cannot schedule new futures after shutdown"), 2) end
  local f = new_future()
  f._state = "RUNNING" -- handed to a worker process at once
  self._pool:apply_async(fn, table.pack(...), {
    callback = function(v) f:set_result(v) end,
    error_callback = function(e) f:set_exception(e) end })
  return f
end
PPE.map = map_with
function PPE:shutdown(wait)
  if not self._shutdown then
    self._shutdown = true
    self._pool:close()
  end
  if wait == nil or wait then self._pool:join() end
end

-- `with Executor() as ex:` is ex:with(function(ex) ... end): shutdown(wait) after
local function with(self, fn)
  local r = table.pack(pcall(fn, self))
  self:shutdown(true)
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end
TPE.with, PPE.with = with, with
TPE.__close = function(self) self:shutdown(true) end
PPE.__close = TPE.__close

return { futures = futures }
