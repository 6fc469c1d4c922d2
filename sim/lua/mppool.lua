-- multiprocessing.Pool, as CPython's: worker processes read pickled tasks
-- from one pipe and write results to another; a result-handler thread in
-- the parent (a lane of its own) sets each AsyncResult and runs its
-- callback there, in the parent. Functions go by their global name.
local parts = ...
local mp, ipc, proc, threading = parts.multiprocessing, parts.ipc, parts.proc, parts.threading
local queue = parts.queue
local errors = parts.errors
local T = parts.sync.prim.types

local Pool = {}
Pool.__index = Pool
local pool_counter = 0   -- workers made (their names)
local pools = 0          -- pools made (their result handlers' names)

------------------------------------------------------------ AsyncResult --
local AsyncResult = {}
AsyncResult.__index = AsyncResult

local function new_result(pool, kw, n, kind)
  local r = setmetatable({ _event = threading.Event(), _pool = pool, _kind = kind,
                           _callback = kw and kw.callback, _error_callback = kw and kw.error_callback,
                           _left = n or 1, _value = {}, _success = true }, AsyncResult)
  pool._job = pool._job + 1
  r._job = pool._job
  pool._cache[r._job] = r
  return r
end

function AsyncResult:ready() return self._event:is_set() end
function AsyncResult:wait(timeout) self._event:wait(timeout) end
function AsyncResult:successful()
  if not self:ready() then error(ValueError("AsyncResult object not ready"), 2) end
  return self._success
end
function AsyncResult:get(timeout)
  self._event:wait(timeout)
  if not self:ready() then error(TimeoutError(""), 2) end
  if self._success then
    if self._kind == "apply" then return self._value[1] end
    return self._value
  end
  error(self._error, 0)
end
AsyncResult.__tostring = function() return "<multiprocessing.pool.ApplyResult object>" end

local function finish(r)
  r._pool._cache[r._job] = nil
  if r._success then
    if r._callback then r._callback(r._kind == "apply" and r._value[1] or r._value) end
  elseif r._error_callback then
    r._error_callback(r._error)
  end
  r._event:set()
end

-- One chunk's results (index i, the values) or its error.
local function set_chunk(r, i, ok, vals)
  if r._event:is_set() then return end
  if not ok then
    r._success, r._error = false, vals
    finish(r)
    return
  end
  for k = 1, #vals do r._value[i + k - 1] = vals[k] end
  if r._on_item then r._on_item(i, vals) end
  r._left = r._left - 1
  if r._left == 0 then finish(r) end
end

-- The error another process sent, rebuilt as the same type with the same
-- message (queue.Empty and queue.Full too).
local function rebuild(e)
  if type(e) ~= "table" then return e end
  local class = errors[e.type] or (e.type == "queue.Empty" and queue.Empty) or
                (e.type == "queue.Full" and queue.Full)
  if class then return class(e.message) end
  return RuntimeError(e.type .. ": " .. e.message)
end
mp._rebuild_error = rebuild

---------------------------------------------------------------- workers --
local function send(pool_wlock, fd, msg, ch)
  local ok, bytes = pcall(ipc.dumps, msg, "result")
  if not ok then
    msg[3], msg[4] = false, { type = "MaybeEncodingError",
                              message = "Error sending result: " .. tostring(bytes) }
    bytes = ipc.dumps(msg, "result")
  end
  pool_wlock:acquire()
  ipc.send(fd, bytes, ipc.sent(ch))
  pool_wlock:release()
end

local function worker(self)
  if self._initializer then self._initializer(table.unpack(self._initargs)) end
  local done, max = 0, self._maxtasks
  while not max or done < max do
    if not ipc.poll(self._task_r, 0) then ipc.blocked(self._tasks, 0) end
    self._rlock:acquire()
    local s, tag = ipc.recv(self._task_r)
    self._rlock:release()
    if not s then break end
    ipc.received(self._tasks, tag)
    local task = ipc.loads(s)
    if task == false then break end
    local job, i, fn, chunk, star = task[1], task[2], task[3], task[4], task[5]
    local out, ok, err = {}, true, nil
    for k = 1, #chunk do
      local a = chunk[k]
      local r = table.pack(pcall(fn, table.unpack(star and a or { a }, 1, star and (a.n or #a) or 1)))
      if not r[1] then
        ok = false
        local e = r[2]
        err = type(e) == "table" and { type = e.type, message = e.message } or e
        break
      end
      out[k] = r[2]
    end
    send(self._wlock, self._out_w, { "result", job, i, ok, ok and out or err }, self._results)
    done = done + 1
  end
  if max and done >= max then
    send(self._wlock, self._out_w, { "exit", mp.current_process().name }, self._results)
  end
end

-- by this name a spawned worker finds it (a module's function)
mp._pool_worker = worker
-- a spawned worker gets what worker reads, its pipes kept open
mp._spawnable("Pool", Pool, { fds = { "_task_r", "_out_w" },
                              skip = { "_cache", "_workers", "_handler", "_task_w", "_out_r" } })

local function start_worker(self)
  pool_counter = pool_counter + 1
  local p = mp.Process{ target = worker, args = { self }, daemon = true,
                        name = (self._method == "spawn" and "SpawnPoolWorker-" or "ForkPoolWorker-") ..
                               pool_counter }
  rawset(p, "_start_method", self._method)
  p:start()
  self._workers[#self._workers + 1] = p
end

-- The result handler: a thread of the parent; callbacks run here.
local function handle_results(self)
  while true do
    local s, tag = ipc.recv(self._out_r)
    if not s then return end
    ipc.received(self._results, tag)
    local msg = ipc.loads(s)
    if msg[1] == "stop" then return end
    if msg[1] == "exit" then
      for k, p in ipairs(self._workers) do
        if p.name == msg[2] then
          pcall(p.join, p)
          table.remove(self._workers, k)
          break
        end
      end
      if self._state ~= "TERMINATE" then start_worker(self) end
    else
      local r = self._cache[msg[2]]
      if r then
        local ok, err = pcall(set_chunk, r, msg[3], msg[4], msg[4] and msg[5] or rebuild(msg[5]))
        if not ok then
          proc.report(err, "Exception in thread " .. threading.current_thread().name .. ":\n")
        end
      end
    end
  end
end

------------------------------------------------------------------- Pool --
function mp.Pool(n, initializer, initargs, maxtasksperchild)
  if type(n) == "table" then
    local kw = n
    for k in pairs(kw) do
      if k ~= "processes" and k ~= "initializer" and k ~= "initargs" and k ~= "maxtasksperchild" then
        error(TypeError("Pool() got an unexpected keyword argument '" .. tostring(k) .. "'"), 2)
      end
    end
    n, initializer, initargs, maxtasksperchild = kw.processes, kw.initializer, kw.initargs, kw.maxtasksperchild
  end
  n = n or mp.cpu_count()
  if math.type(n) ~= "integer" then error(TypeError("processes must be an integer"), 2) end
  if n < 1 then error(ValueError("Number of processes must be at least 1"), 2) end
  local method = mp._helpers_method()
  if maxtasksperchild ~= nil and (math.type(maxtasksperchild) ~= "integer" or maxtasksperchild < 1) then
    error(ValueError("maxtasksperchild must be a positive int or None"), 2)
  end
  local tr, tw = ipc.pipe()
  local orr, ow = ipc.pipe()
  local self = setmetatable({ _n = n, _initializer = initializer, _initargs = initargs or {},
                              _maxtasks = maxtasksperchild, _task_r = tr, _task_w = tw,
                              _out_r = orr, _out_w = ow, _rlock = mp._lock(), _wlock = mp._lock(),
                              _cache = {}, _job = 0, _workers = {}, _state = "RUN",
                              _opid = os.getpid(), _tasks = ipc.channel(T.QUEUE, "Pool tasks"),
                              _results = ipc.channel(T.QUEUE, "Pool results"),
                              _method = method }, Pool)
  for _ = 1, n do start_worker(self) end
  pools = pools + 1
  self._handler = threading.Thread{ target = handle_results, args = { self }, daemon = true,
                                    name = "Pool-" .. pools .. " (_handle_results)" }
  self._handler:start()
  return self
end

local function check_running(self)
  if self._state ~= "RUN" then error(ValueError("Pool not running"), 3) end
end

-- Pickles one task at once; what cannot be pickled fails its result, as
-- CPython's task handler does.
local function put_task(self, r, i, fn, chunk, star, argname)
  local ok, bytes = pcall(ipc.dumps, { r._job, i, fn, chunk, star }, "task")
  if not ok then
    -- say where in the caller's terms: args[2].cb rather than task[4][1][2].cb
    local e = bytes
    if type(e) == "table" and e.message then
      e.message = e.message:gsub("task%[3%]", "func"):gsub("task%[4%]%[%d+%]", argname)
    end
    set_chunk(r, i, false, e)
    return
  end
  ipc.send(self._task_w, bytes, ipc.sent(self._tasks))
end

function Pool:apply_async(fn, args, kw)
  check_running(self)
  local r = new_result(self, kw, 1, "apply")
  put_task(self, r, 1, fn, { args or {} }, true, "args")
  return r
end
function Pool:apply(fn, args) return self:apply_async(fn, args):get() end

local function chunks_of(self, iterable, chunksize)
  local n = #iterable
  if not chunksize then
    chunksize = n // (self._n * 4)
    if n % (self._n * 4) ~= 0 then chunksize = chunksize + 1 end
  end
  if chunksize < 1 then chunksize = 1 end
  return chunksize, n
end

local function map_async(self, fn, iterable, chunksize, kw, star, kind)
  check_running(self)
  if type(iterable) ~= "table" then error(TypeError("map() needs a table of items"), 3) end
  local cs, n = chunks_of(self, iterable, chunksize)
  local r = new_result(self, kw, (n + cs - 1) // cs, kind or "map")
  if n == 0 then finish(r) end
  for i = 1, n, cs do
    put_task(self, r, i, fn, table.move(iterable, i, math.min(i + cs - 1, n), 1, {}), star,
             "iterable")
  end
  return r
end

function Pool:map_async(fn, it, chunksize, kw) return map_async(self, fn, it, chunksize, kw, false) end
function Pool:map(fn, it, chunksize) return map_async(self, fn, it, chunksize, nil, false):get() end
function Pool:starmap_async(fn, it, chunksize, kw) return map_async(self, fn, it, chunksize, kw, true) end
function Pool:starmap(fn, it, chunksize) return map_async(self, fn, it, chunksize, nil, true):get() end

-- imap / imap_unordered: an iterator for a generic for; each result as it
-- comes (in order, or in the order they finish).
local function imap(self, fn, it, chunksize, ordered)
  local cv = threading.Condition()
  local got, order, nextpos = {}, {}, 1
  local r = map_async(self, fn, it, chunksize or 1, nil, false, "imap")
  local n = #it
  r._on_item = function(i, vals)
    cv:acquire()
    for k = 1, #vals do got[i + k - 1] = true; order[#order + 1] = i + k - 1 end
    cv:notify_all()
    cv:release()
  end
  local taken = 0
  return function()
    if taken >= n then return nil end
    cv:acquire()
    while true do
      if r._event:is_set() and not r._success then cv:release(); error(r._error, 0) end
      local idx = ordered and (got[nextpos] and nextpos) or (not ordered and order[taken + 1])
      if idx then
        nextpos = nextpos + 1
        taken = taken + 1
        cv:release()
        return r._value[idx]
      end
      cv:wait(0.05)
    end
  end
end
function Pool:imap(fn, it, chunksize) check_running(self); return imap(self, fn, it, chunksize, true) end
function Pool:imap_unordered(fn, it, chunksize) check_running(self); return imap(self, fn, it, chunksize, false) end

function Pool:close()
  if self._state ~= "RUN" then return end
  self._state = "CLOSE"
  for _ = 1, self._n do ipc.send(self._task_w, ipc.dumps(false)) end
end

local function stop_handler(self)
  ipc.send(self._out_w, ipc.dumps({ "stop" }))
  self._handler:join()
end

function Pool:join()
  if self._state == "RUN" then error(ValueError("Pool is still running"), 2) end
  if self._joined then return end
  -- wait for every pending result (workers may be replaced meanwhile)
  while next(self._cache) and self._state == "CLOSE" do
    local _, r = next(self._cache)
    r._event:wait(0.1)
  end
  for _, p in ipairs({ table.unpack(self._workers) }) do pcall(p.join, p) end
  stop_handler(self)
  self._joined = true
end

function Pool:terminate()
  if self._joined then return end
  self._state = "TERMINATE"
  for _, p in ipairs(self._workers) do p:terminate() end
  for _, p in ipairs({ table.unpack(self._workers) }) do pcall(p.join, p) end
  stop_handler(self)
  self._joined = true
end

-- `with Pool(3) as p:` is `mp.Pool(3):with(function(p) ... end)` or
-- `local p <close> = mp.Pool(3)`: terminate at the end, as CPython's __exit__.
-- fn(obj), then finish(obj) however fn ended: a `with` block's __exit__
function mp._with(obj, fn, finish)
  local r = table.pack(pcall(fn, obj))
  finish(obj)
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end
function Pool:with(fn) return mp._with(self, fn, Pool.terminate) end
Pool.__close = Pool.terminate
Pool.__tostring = function(self)
  return ("<multiprocessing.pool.Pool state=%s pool_size=%d>"):format(self._state, self._n)
end

return mp
