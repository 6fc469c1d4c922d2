-- multiprocessing's Lua half: Process over a real fork (os.fork is C, in
-- proc.c: _proc). Names, errors and reprs follow CPython's.
local parts = ...
local proc = parts.proc

local mp = {}

local Process = {}
mp.Process = Process

local counter = 0          -- children this process has made (their names)
local identity = {}        -- {} in the main process, {1} in Process-1 ...
local children = {}        -- this process's started children, in order
local current              -- the Process object of this process
local parent               -- the parent's, or nil in the main process
-- The start method, once set or fixed (as CPython's context: starting a
-- process or asking for the method fixes the default, fork); a spawned
-- child's is spawn from the start.
local start_method
local spawned = proc.spawn_state()
if spawned then start_method = "spawn" end
local METHODS = { fork = true, spawn = true }

local fields = { target = true, args = true, kwargs = true, name = true, daemon = true,
                 group = true, run = true }

-- A constructor's keyword table: a field Process does not take is an
-- error, as an unexpected keyword argument is in Python. Subclass style
-- (a run method given) keeps every field, for run to use.
local function keywords(kw, what)
  if kw ~= nil and type(kw) ~= "table" then
    error(TypeError(what .. "{...} takes a table of keyword arguments, got " .. type(kw)), 3)
  end
  kw = kw or {}
  if kw.run == nil then
    for k in pairs(kw) do
      if not fields[k] then
        error(TypeError(what .. "() got an unexpected keyword argument '" .. tostring(k) .. "'"), 3)
      end
    end
  end
  return kw
end

local function exitcode_of(status)
  if os.WIFSIGNALED(status) then return -os.WTERMSIG(status) end
  return os.WEXITSTATUS(status)
end

local function new(_, kw)
  kw = keywords(kw, "Process")
  if kw.target ~= nil and type(kw.target) ~= "function" and
     not (getmetatable(kw.target) or {}).__call then
    error(TypeError("target must be callable, got " .. type(kw.target)), 2)
  end
  local self = setmetatable({}, Process)
  for k, v in pairs(kw) do rawset(self, k, v) end
  counter = counter + 1
  local id = { table.unpack(identity) }
  id[#id + 1] = counter
  rawset(self, "_identity", id)
  rawset(self, "name", kw.name ~= nil and tostring(kw.name) or ("Process-" .. table.concat(id, ":")))
  if kw.daemon == nil then rawset(self, "daemon", current.daemon or false)
  else rawset(self, "daemon", not not kw.daemon) end
  rawset(self, "args", kw.args or {})
  if type(self.args) ~= "table" then
    error(TypeError("args must be a table, got " .. type(self.args)), 2)
  end
  rawset(self, "_parent_pid", os.getpid())
  return self
end

-- p.exitcode is a field, as in Python, but asks the child each time it is
-- read until the child has ended (then it is kept).
Process.__index = function(self, k)
  if k == "exitcode" then
    if not rawget(self, "_started") then return nil end
    local st = proc.poll(self.pid)
    if st then rawset(self, "exitcode", exitcode_of(st)) end
    return rawget(self, "exitcode")
  end
  return Process[k]
end
setmetatable(Process, { __call = new })

function Process:run()
  if self.target then
    local a = self.args
    self.target(table.unpack(a, 1, a.n or #a))
  end
end

-- The child's side of start: run, report, end (never returns). from: the
-- parent's name, pid and daemon flag (a spawned child's comes pickled).
local function bootstrap(self, from)
  local code = 0
  parent = from or { name = current.name, pid = os.getppid(), daemon = current.daemon }
  current = self
  children, counter, identity = {}, 0, self._identity
  rawset(self, "pid", os.getpid())
  local ok, err = xpcall(self.run, proc.msgh, self)
  if not ok then
    if type(err) == "table" and err.type == "SystemExit" then
      code = tonumber(err.args and err.args[1]) or (err.message == "" and 0 or 1)
    else
      proc.report(err, "Process " .. self.name .. ":\n")
      code = 1
    end
  end
  mp._exit_function()
  proc.child_end(code)
end

-- CPython's words when a spawned child, running the main code again,
-- reaches an unguarded start.
local BOOTSTRAPPING = [[

        An attempt has been made to start a new process before the
        current process has finished its bootstrapping phase.

        This probably means that you are not using fork to start your
        child processes and you have forgotten to use the proper idiom
        in the main module:

            if __name__ == "__main__" then
                ...
            end

        A spawned child runs the main script again, as __mp_main__.]]

-- What of multiprocessing's objects may reach a spawned child, as
-- CPython's reduce them while spawning: a Queue, a Connection, a Lock, a
-- Value ... become plain tables (their shared memory by its memfd, their
-- pipes by descriptor, kept open across the exec), made objects again in
-- the child. mp._spawnable(name, metatable, {fds = {fields}, skip =
-- {fields this process keeps to itself}, after = function(obj) in the
-- child}).
local TAG = "__threadlab_spawn"
local spawnable, spawnable_mt = {}, {}
function mp._spawnable(name, mt, spec)
  spec = spec or {}
  spec.name, spec.mt = name, mt
  local skip = {}
  for _, k in ipairs(spec.skip or {}) do skip[k] = true end
  spec.skip = skip
  spawnable[name], spawnable_mt[mt] = spec, spec
end

local function reduce(v, memo, fds)
  local t = type(v)
  if t ~= "table" and t ~= "userdata" then return v end
  if memo[v] ~= nil then return memo[v] end
  if t == "userdata" then
    local kind, fd, n, isfloat = parts.ipc.handle(v)
    if not kind then return v end -- pickle says it cannot
    local r = { [TAG] = kind, fd = fd, n = n, isfloat = isfloat }
    memo[v] = r
    fds[#fds + 1] = fd
    return r
  end
  local mt = getmetatable(v)
  local spec = mt and spawnable_mt[mt]
  local r = {}
  memo[v] = r
  for k, x in next, v do
    if not (spec and spec.skip[k]) then rawset(r, reduce(k, memo, fds), reduce(x, memo, fds)) end
  end
  if spec then
    rawset(r, TAG, spec.name)
    for _, f in ipairs(spec.fds or {}) do
      if math.type(rawget(v, f)) == "integer" then fds[#fds + 1] = rawget(v, f) end
    end
  elseif mt then
    setmetatable(r, mt) -- pickled by its global name, or refused
  end
  return r
end

local function rebuild(v, memo)
  if type(v) ~= "table" then return v end
  if memo[v] ~= nil then return memo[v] end
  local tag = rawget(v, TAG)
  if tag == "semlock" then memo[v] = parts.ipc.sem_attach(v.fd) return memo[v] end
  if tag == "shm" then memo[v] = parts.ipc.shm(v.n, v.isfloat, v.fd) return memo[v] end
  memo[v] = v
  if tag then rawset(v, TAG, nil) end
  -- (objects are made on the way: in an order the same every run)
  for _, k in ipairs(parts.sync.prim.keys_in_order(v)) do
    local x = rawget(v, k)
    if type(x) == "table" then rawset(v, k, rebuild(x, memo)) end
  end
  local spec = tag and spawnable[tag]
  if spec then
    setmetatable(v, spec.mt)
    if spec.after then spec.after(v) end
  end
  return v
end

local spawn_object
-- What a spawned child gets of a Process: its own fields (target and run
-- by global name), and who its parent is.
local NOT_SENT = { _started = true, pid = true, ident = true, _parent_pid = true,
                   exitcode = true, _start_method = true }
spawn_object = function(self)
  local o = {}
  for k, v in pairs(self) do
    if not NOT_SENT[k] then o[k] = v end
  end
  o._from = { name = current.name, pid = os.getpid(), daemon = current.daemon }
  o._inherit = {}
  for name, h in pairs(mp._spawn_inherit) do o._inherit[name] = h.get() end
  return o
end

function Process:start()
  if rawget(self, "_started") then error(AssertionError("cannot start a process twice"), 2) end
  if self._parent_pid ~= os.getpid() then
    error(AssertionError("can only start a process object created by current process"), 2)
  end
  if current.daemon then
    error(AssertionError("daemonic processes are not allowed to have children"), 2)
  end
  local method = rawget(self, "_start_method") or mp.get_start_method()
  local pid
  if method == "spawn" then
    local _, booting = proc.spawn_state()
    if booting then error(RuntimeError(BOOTSTRAPPING), 2) end
    local fds = {}
    pid = proc.spawn(self.name, reduce(spawn_object(self), {}, fds), fds)
  else
    pid = proc.fork(self.name)
    if pid == 0 then bootstrap(self) end
  end
  rawset(self, "_started", true)
  rawset(self, "pid", pid)
  rawset(self, "ident", pid)
  children[#children + 1] = self
end

function Process:join(timeout)
  if self._parent_pid ~= os.getpid() then error(AssertionError("can only join a child process"), 2) end
  if not rawget(self, "_started") then error(AssertionError("can only join a started process"), 2) end
  if rawget(self, "exitcode") ~= nil then return end
  local st = proc.join(self.pid, timeout)
  if st then rawset(self, "exitcode", exitcode_of(st)) end
end

function Process:is_alive()
  if self == current then return true end
  if self._parent_pid ~= os.getpid() then error(AssertionError("can only test a child process"), 2) end
  if not rawget(self, "_started") then return false end
  return self.exitcode == nil
end

local function signal_it(self, sig)
  if not rawget(self, "_started") then
    error(AttributeError("'NoneType' object has no attribute 'terminate'"), 3)
  end
  if self.exitcode == nil then pcall(os.kill, self.pid, sig) end
end
function Process:terminate() signal_it(self, signal.SIGTERM) end
function Process:kill() signal_it(self, signal.SIGKILL) end

function Process.__tostring(self)
  local s = ("<Process name='%s'"):format(self.name)
  if rawget(self, "_started") then s = s .. " pid=" .. self.pid end
  s = s .. " parent=" .. self._parent_pid
  if not rawget(self, "_started") then s = s .. " initial"
  elseif self.exitcode == nil then s = s .. " started"
  else s = s .. " stopped" .. (self.exitcode ~= 0 and " exitcode=" .. self.exitcode or "") end
  if self.daemon then s = s .. " daemon" end
  return s .. ">"
end

current = setmetatable({ name = "MainProcess", daemon = false, _identity = {},
                         _started = true, _parent_pid = 0 }, Process)
rawset(current, "pid", os.getpid())

function mp.current_process() return current end
function mp.parent_process()
  if not parent then return nil end
  return setmetatable({ name = parent.name, pid = parent.pid, daemon = parent.daemon,
                        _started = true, _parent_pid = 0 }, Process)
end

function mp.active_children()
  local live, out = {}, {}
  for _, p in ipairs(children) do
    -- (a raw os.fork child has a copy of the list: not its children)
    if p._parent_pid == os.getpid() and p.exitcode == nil then
      live[#live + 1] = p; out[#out + 1] = p
    end
  end
  children = live
  return out
end

mp.cpu_count = proc.cpu_count
mp._processes = proc.processes -- for :threads

-- set_start_method(method, force): as CPython's, once per program unless
-- forced (force: true or {force = true}); nil with force forgets it.
function mp.set_start_method(method, force)
  if type(force) == "table" then force = force.force end
  if start_method ~= nil and not force then error(RuntimeError("context has already been set"), 2) end
  if method == nil and force then start_method = nil return end
  if not METHODS[method] then
    error(ValueError("cannot find context for '" .. tostring(method) .. "'"), 2)
  end
  start_method = method
end

-- get_start_method(allow_none): asking fixes the default (fork), as in
-- CPython, unless allow_none.
function mp.get_start_method(allow_none)
  if start_method == nil and not allow_none then start_method = "fork" end
  return start_method
end

-- get_context(method): an object with mp's API whose processes start by
-- that method (nil: the program's method, fixed now).
local helper_method -- a context's Pool or Manager: its method

-- The method a Pool's workers or a Manager's server start by.
function mp._helpers_method()
  return helper_method or mp.get_start_method()
end

-- What a forked child inherits without being handed it (a module's
-- table, e.g. the managers' channels), a spawned child is handed:
-- mp._spawn_inherit[name] = {get = fn, set = fn}; get's value (nil:
-- nothing to hand) travels with the child's Process (pipes and shared
-- memory kept open) and set receives it in the child before its target
-- runs.
mp._spawn_inherit = {}

local Context = {}
Context.__index = function(self, k)
  local v = Context[k]
  if v ~= nil then return v end
  if k == "Pool" or k == "Manager" then
    return function(...)
      local saved = helper_method
      helper_method = self._method
      local r = table.pack(pcall(mp[k], ...))
      helper_method = saved
      if not r[1] then error(r[2], 2) end
      return table.unpack(r, 2, r.n)
    end
  end
  return mp[k]
end
function Context:get_start_method() return self._method end
Context.__tostring = function(self) return "<multiprocessing.context." ..
  (self._method == "fork" and "ForkContext" or "SpawnContext") .. ">" end
local contexts = {}
function mp.get_context(method)
  if method == nil then method = mp.get_start_method() end
  if not METHODS[method] then
    error(ValueError("cannot find context for '" .. tostring(method) .. "'"), 2)
  end
  if not contexts[method] then
    local ctx = setmetatable({ _method = method }, Context)
    -- ctx.Process{...} (a field, as in Python, not a method)
    rawset(ctx, "Process", setmetatable({}, { __index = Process, __call = function(_, kw)
      local p = Process(kw)
      rawset(p, "_start_method", method)
      return p
    end }))
    contexts[method] = ctx
  end
  return contexts[method]
end

-- A spawned child, before it runs the main code again: a lesson's
-- narration, steps and checks are the parent's, and keep quiet here.
function mp._spawn_prepare(is_lesson)
  if not is_lesson then return end
  local quiet = function() end
  lesson = setmetatable({}, { __call = quiet, __index = function() return quiet end })
  say, step, show, expect = quiet, quiet, quiet, quiet
end

-- A spawned child, once the main code has run again: its Process, found
-- by name and unpickled (an AttributeError names a target not found), run
-- as a forked child's.
function mp._spawn_run()
  local o = rebuild(proc.spawn_object(), {})
  local from, inherit = o._from, o._inherit
  o._from, o._inherit = nil, nil
  for name, v in pairs(inherit) do mp._spawn_inherit[name].set(v) end
  local self = setmetatable({}, Process)
  for k, v in pairs(o) do rawset(self, k, v) end
  rawset(self, "_parent_pid", from.pid)
  rawset(self, "_started", true)
  bootstrap(self, from)
end

-- At the end of a process's main code, as CPython's atexit hook: daemonic
-- children are terminated, then every child is joined.
function mp._exit_function()
  for _, p in ipairs(mp.active_children()) do
    if p.daemon then p:terminate() end
  end
  for _, p in ipairs(mp.active_children()) do p:join() end
end

return mp
