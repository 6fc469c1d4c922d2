-- threading's Lua half: the Thread class and the helpers learners know from
-- Python. The mechanism (pthreads, the GIL, waiting) is C: threading._core.
local parts = ...
local core, Lock, lock_methods, errors =
  parts.threading_core, parts.Lock, parts.lock_methods, parts.errors

local threading = { _core = core, Lock = Lock, _deadlock = parts.deadlock }

local Thread = {}
threading.Thread = Thread


local function current() return core.current() end

-- `daemon` is a property, as in Python: frozen once the thread has
-- started (thread_class.c). Classes deriving from Thread call it too.
threading._property_class = core.property_class
threading._property_class(Thread)

-- Thread{target=f, args={...}, name=, daemon=} or, subclass style,
-- Thread{run=function(self) ... end, any_field=...}: every field given is
-- kept on the object, so a run method can use its own fields. Without a
-- run method a misspelt field is an error, as in Python.
local function new(_, kw)
  if kw ~= nil and type(kw) ~= "table" then
    error(TypeError("Thread{...} takes a table of keyword arguments, got " .. type(kw)), 2)
  end
  kw = kw or {}
  if kw.run == nil then
    errors.kwargs("Thread", kw, "target", "args", "name", "daemon")
  elseif type(kw.run) ~= "function" and not (getmetatable(kw.run) or {}).__call then
    errors.argerror("Thread", "run", "a function", kw.run)
  end
  if kw.name ~= nil and type(kw.name) ~= "string" and type(kw.name) ~= "number" then
    errors.argerror("Thread", "name", "a string", kw.name)
  end
  local self = setmetatable({}, Thread)
  for k, v in pairs(kw) do self[k] = v end
  if kw.target ~= nil and type(kw.target) ~= "function" and
     not (getmetatable(kw.target) or {}).__call then
    error(TypeError("target must be callable, got " .. type(kw.target)), 2)
  end
  -- As CPython 3.10+: a thread given a name takes no number; name "" (or
  -- none) gets "Thread-N (target)" (thread_class.c, which says where it
  -- looks for the target's name).
  self.name = core.thread_name(kw.name, kw.target, 2)
  if kw.daemon == nil then
    local cur = current()
    self.daemon = cur and cur.daemon or false
  else
    self.daemon = not not kw.daemon
  end
  self.args = kw.args or {}
  if type(self.args) ~= "table" then
    error(TypeError("args must be a table, got " .. type(self.args)), 2)
  end
  return self
end
setmetatable(Thread, { __call = new })

function Thread:run()
  if self.target then
    local a = self.args
    self.target(table.unpack(a, 1, a.n or #a))
  end
end

function Thread:start()
  if type(self) ~= "table" or getmetatable(self) == nil then
    errors.argerror("start", "self", "a Thread (t:start())", self)
  end
  self.ident, self._tid = core.start(self)
  self.native_id = self.ident
end

function Thread:join(timeout)
  if getmetatable(self) == nil then errors.argerror("join", "self", "a Thread (t:join())", self) end
  core.join(self, timeout)
end
function Thread:is_alive() return core.is_alive(self) end

-- The Python 2 spellings the notes use, still accepted (as Python 3 does).
function Thread:setDaemon(d) self.daemon = d end
function Thread:isDaemon() return self.daemon end
function Thread:getName() return self.name end
function Thread:setName(n) self.name = tostring(n) end

function Thread.__tostring(self)
  local status = "initial"
  if rawget(self, "__handle") then status = core.is_alive(self) and "started" or "stopped" end
  if self.daemon then status = status .. " daemon" end
  if self.ident then status = status .. " " .. self.ident end
  local cls = self == threading._main and "_MainThread" or "Thread"
  return ("<%s(%s, %s)>"):format(cls, self.name, status)
end

local main = setmetatable({ name = "MainThread", _daemon = false,
                            ident = core.get_ident() }, Thread)
main.native_id = main.ident
main.__handle = true
function main.is_alive() return true end
function main.join() error(RuntimeError("cannot join current thread"), 2) end
core.set_main(main)
threading._main = main

threading.current_thread = current
threading.currentThread = current
function threading.main_thread() return main end
threading.get_ident = core.get_ident
threading.get_native_id = core.get_ident
threading.enumerate = core.enumerate
-- Called with args {exc_type=, exc_value=, exc_traceback=, thread=} when a
-- thread's run raises; replaceable, as in Python. The default writes
-- "Exception in thread NAME:" and the traceback to stderr.
threading.excepthook = core.excepthook
threading.__excepthook__ = core.excepthook
function threading.active_count() return #core.enumerate() end
threading.activeCount = threading.active_count

-- threading.with(lock, fn, ...): Python's `with lock:` — acquire, run fn,
-- release even when fn raises. Works for anything with acquire/release.
function threading.with(lock, fn, ...)
  if (type(lock) ~= "table" and type(lock) ~= "userdata") or lock.acquire == nil then
    errors.argerror("threading.with", "lock", "a lock (anything with acquire and release)", lock)
  end
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    errors.argerror("threading.with", "fn", "a function", fn)
  end
  lock:acquire()
  local r = table.pack(pcall(fn, ...))
  if r[1] then
    lock:release()
    return table.unpack(r, 2, r.n)
  end
  -- fn's error is the one to see, even if releasing fails too (after a
  -- DeadlockError in Condition.wait the lock is not held any more).
  pcall(lock.release, lock)
  error(r[2], 0)
end

-- local _ <close> = lock:held(): released when the variable goes out of scope.
local Held = { __close = function(h) h.lock:release() end }
local function held(lock)
  lock:acquire()
  return setmetatable({ lock = lock }, Held)
end
lock_methods.held = held
threading._held = held

return threading
