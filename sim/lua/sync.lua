-- The primitives CPython writes in Python on top of Lock and RLock
-- (threading.py): Condition, Semaphore, BoundedSemaphore, Event, Barrier,
-- Timer and local, with CPython's algorithms. The policy is here; waiting
-- (without the GIL, interruptible), the trace and the deadlock detector are
-- C. A primitive's own locks are internal: untraced and not in the
-- wait-for graph; the primitive traces itself instead.
--
-- Trace events (obj = the primitive's id; LOCK_NEW names it, its reason
-- tells the type):
--   Condition  COND_WAIT when a wait starts; COND_WAKE when it ends (arg:
--              the notifier's thread id; reason 1: timed out); COND_NOTIFY
--              (arg: how many it woke; reason 1: notify_all)
--   Semaphore  SEM_ACQUIRE, SEM_RELEASE (arg: the value after); an acquire
--              that must wait does so between COND_WAIT and COND_WAKE (arg:
--              the releaser)
--   Event      EVENT_SET (arg: waiters woken), EVENT_CLEAR; EVENT_WAIT when
--              a wait blocks and EVENT_WAKE when it ends (arg: the setter;
--              reason 1: timed out)
--   Barrier    BARRIER_WAIT (arg: the arrival index) on arrival,
--              BARRIER_PASS (arg: the thread that let everyone through;
--              reason 1: broken) on leaving
local parts = ...
local threading, RLock, rlock_methods, prim, errors =
  parts.threading, parts.RLock, parts.rlock_methods, parts.prim, parts.errors

local emit, tid, new_id, name_it, internal_lock, waiting =
  prim.emit, prim.tid, prim.new_id, prim.name, prim.internal_lock, prim.waiting
local K, T = prim.kinds, prim.types
local timemod = time
local RuntimeError, ValueError, TypeError, BrokenBarrierError =
  errors.RuntimeError, errors.ValueError, errors.TypeError, errors.BrokenBarrierError
local held = threading._held
local pcall, error, type, setmetatable, getmetatable, tostring =
  pcall, error, type, setmetatable, getmetatable, tostring

threading.RLock = RLock
threading._prim = prim

-- Orders that are the same every run, for whatever a policy walks while it
-- makes objects, emits events or wakes threads: pairs() follows Lua's hash
-- order, which changes from run to run (its hash seed, tables' addresses),
-- and so does the number of instructions a Lua comparator given to
-- table.sort runs; on the virtual clock either moves the events a run
-- traces off what its seed replays. Only table.sort's own comparison.
--
-- The members of a set (keys) by their serials (unique numbers): serial
-- is the field that holds it, or a function of the member.
function prim.in_order(set, serial)
  local serials, of = {}, {}
  local get = type(serial) == "function" and serial or function(x) return x[serial] end
  for x in next, set do
    local n = get(x)
    assert(of[n] == nil, "two members with one serial") -- (one would be lost)
    serials[#serials + 1] = n
    of[n] = x
  end
  table.sort(serials)
  for i, n in ipairs(serials) do serials[i] = of[n] end
  return serials
end
-- A table's keys: numbers, then strings, each sorted, then any other
-- (booleans, tables: rare) in the table's own order.
function prim.keys_in_order(t)
  local numbers, strings, other = {}, {}, {}
  for k in next, t do
    local kt = type(k)
    local into = kt == "number" and numbers or kt == "string" and strings or other
    into[#into + 1] = k
  end
  table.sort(numbers)
  table.sort(strings)
  table.move(strings, 1, #strings, #numbers + 1, numbers)
  table.move(other, 1, #other, #numbers + 1, numbers)
  return numbers
end
rlock_methods.held = held
threading.BrokenBarrierError = BrokenBarrierError
threading.DeadlockError = errors.DeadlockError
threading.TIMEOUT_MAX = 1e9

-- The world's clock (virtual or real), never the wall clock.
local function now() return timemod.monotonic() end

-- A table of keyword arguments, not an object.
local function is_kw(v) return type(v) == "table" and getmetatable(v) == nil end

local function callable(f)
  return type(f) == "function" or (getmetatable(f) or {}).__call ~= nil
end

local check_timeout, kwargs, whole, argerror =
  errors.timeout, errors.kwargs, errors.whole, errors.argerror

-- Something Condition can wait with: a Lock, an RLock, or the like.
local function lock_like(v)
  local t = type(v)
  return (t == "userdata" or t == "table") and v.acquire ~= nil and v.release ~= nil
end

-- A new object id, and its name (given, or made from prefix and id).
local function new_object(type_code, prefix, name)
  local id = new_id()
  if name == nil then name = prefix .. "-" .. id else name = tostring(name) end
  name_it(id, type_code, name)
  return id, name
end

------------------------------------------------------------------------------
-- Condition

local Condition = { __name = "Condition" }
Condition.__index = Condition

-- why and for_name: what a waiter on it waits for, and on which primitive,
-- in the words of a hang report (TL_WAIT_WHYS in locks.h).
local function new_cond(lock, id, name, traced, why, for_name)
  return setmetatable({ _lock = lock, _waiters = {}, id = id or 0, name = name,
                        _traced = traced, _why = why or "notify",
                        _for = for_name or name }, Condition)
end

local function raw_acquire(w, timeout)
  if timeout == nil then return w:acquire() end
  if timeout > 0 then return w:acquire(true, timeout) end
  return w:acquire(false)
end

-- Waits for w (called protected); what names the wait for :threads. The
-- naming happens in here, so that a Ctrl-C raised at any instruction of
-- it is caught by cond_wait's pcall, which puts the lock back.
local function waiter_acquire(w, timeout, what)
  if what == nil then return raw_acquire(w, timeout) end
  waiting(what)
  local ok, got = pcall(raw_acquire, w, timeout)
  waiting()
  if not ok then error(got, 0) end
  return got
end

local function release_save(lock)
  local f = lock._release_save
  if f then return f(lock) end
  lock:release()
end

local function acquire_restore(lock, saved)
  local f = lock._acquire_restore
  if f then return f(lock, saved) end
  lock:acquire()
end

local is_interrupt = prim.is_interrupt

-- Waits on c, whose lock the caller holds, as CPython does: a fresh locked
-- waiter lock per wait, which notify releases. The lock is held again on
-- return, and also when this raises (unless getting it back is what
-- failed). Returns whether it was notified, and by which thread.
local function cond_wait(c, timeout)
  local w = internal_lock(c) -- a waiter lock: C reads c._why and c._for
  w:acquire()
  local rec = { w = w }
  local ws = c._waiters
  ws[#ws + 1] = rec
  local lock = c._lock
  local saved = release_save(lock)
  local ok, got = pcall(waiter_acquire, w, timeout, c._what)
  local by = ok and got and rec.by or nil
  if c._traced then emit(K.COND_WAKE, c.id, by or 0, by and 0 or 1) end
  local rok, rerr = pcall(acquire_restore, lock, saved)
  local pending
  while not rok do
    -- Ctrl-C while getting the lock back: get it anyway, then raise.
    if not is_interrupt(rerr) then error(rerr, 0) end
    pending = pending or rerr
    rok, rerr = pcall(acquire_restore, lock, saved)
  end
  if not (ok and got) then
    for i = 1, #ws do
      if ws[i] == rec then table.remove(ws, i); break end
    end
  end
  if not ok then error(got, 0) end
  if pending then error(pending, 0) end
  return got, by
end

-- Wakes up to n waiters of c (its lock held); returns how many.
local function cond_notify(c, n)
  local ws = c._waiters
  local k = #ws
  if n > k then n = k end
  if n < 1 then return 0 end
  local me = tid()
  for i = 1, n do
    local rec = ws[i]
    rec.by = me
    rec.w:release()
  end
  table.move(ws, n + 1, k + n, 1)
  return n
end

-- Runs fn(a, b, c) holding lock (a primitive's internal lock).
local function locked(lock, fn, a, b, c)
  lock:acquire()
  local ok, r = pcall(fn, a, b, c)
  lock:release()
  if not ok then error(r, 0) end
  return r
end

-- threading.Condition([lock]) or threading.Condition{lock=, name=}; the
-- lock is an RLock by default.
function threading.Condition(lock, kw)
  if is_kw(lock) then kw, lock = lock, lock.lock end
  kw = kw or {}
  kwargs("Condition", kw, "lock", "name")
  if lock ~= nil and not lock_like(lock) then argerror("Condition", "lock", "a Lock or RLock", lock) end
  local id, name = new_object(T.CONDITION, "Condition", kw.name)
  if lock == nil then lock = RLock{ name = name } end
  local c = new_cond(lock, id, name, true)
  c._what = "Condition " .. name
  return c
end

function Condition:acquire(...) return self._lock:acquire(...) end
function Condition:release() return self._lock:release() end
-- As CPython's Condition, which takes them from its lock: so a Condition
-- can stand in for an RLock (test_threading's ConditionAsRLockTests).
function Condition:_release_save() return release_save(self._lock) end
function Condition:_acquire_restore(saved) return acquire_restore(self._lock, saved) end
Condition.held = held

function Condition:_is_owned()
  local l = self._lock
  local f = l._is_owned
  if f then return f(l) end
  -- A plain Lock: held by anyone counts, as CPython checks it.
  if l:acquire(false) then
    l:release()
    return false
  end
  return true
end

function Condition:wait(timeout)
  check_timeout("Condition.wait", timeout)
  if not self:_is_owned() then error(RuntimeError("cannot wait on un-acquired lock"), 2) end
  emit(K.COND_WAIT, self.id)
  return (cond_wait(self, timeout))
end

-- Waits until predicate() is true or the timeout has passed; returns the
-- predicate's last value.
function Condition:wait_for(predicate, timeout)
  check_timeout("Condition.wait_for", timeout)
  if not callable(predicate) then argerror("Condition.wait_for", "predicate", "a function", predicate) end
  local endtime, waittime = nil, timeout
  local result = predicate()
  while not result do
    if waittime ~= nil then
      if endtime == nil then
        endtime = now() + waittime
      else
        waittime = endtime - now()
        if waittime <= 0 then break end
      end
    end
    self:wait(waittime)
    result = predicate()
  end
  return result
end

function Condition:notify(n)
  if n == nil then n = 1 end
  n = whole("Condition.notify", "n", n)
  if not self:_is_owned() then error(RuntimeError("cannot notify on un-acquired lock"), 2) end
  emit(K.COND_NOTIFY, self.id, cond_notify(self, n), 0)
end

function Condition:notify_all()
  if not self:_is_owned() then error(RuntimeError("cannot notify on un-acquired lock"), 2) end
  emit(K.COND_NOTIFY, self.id, cond_notify(self, #self._waiters), 1)
end
Condition.notifyAll = Condition.notify_all

function Condition.__tostring(c)
  return ("<Condition(%s, %d)>"):format(tostring(c._lock), #c._waiters)
end

------------------------------------------------------------------------------
-- Semaphore, BoundedSemaphore

local Semaphore = { __name = "Semaphore" }
Semaphore.__index = Semaphore
local BoundedSemaphore = setmetatable({ __name = "BoundedSemaphore" }, { __index = Semaphore })
BoundedSemaphore.__index = BoundedSemaphore

local function new_semaphore(class, type_code, value, kw, bounded)
  if is_kw(value) then kw, value = value, value.value end
  kw = kw or {}
  kwargs(class.__name, kw, "value", "name")
  if value == nil then value = 1 end
  value = whole(class.__name, "value", value)
  if value < 0 then error(ValueError("semaphore initial value must be >= 0"), 3) end
  local id, name = new_object(type_code, class.__name, kw.name)
  local c = new_cond(internal_lock(), nil, nil, nil, "release", name)
  c._what = class.__name .. " " .. name
  return setmetatable({ _cond = c, _value = value, _initial = value,
                        _bounded = bounded, id = id, name = name }, class)
end

-- threading.Semaphore([value]) or threading.Semaphore{value=, name=}
function threading.Semaphore(value, kw)
  return new_semaphore(Semaphore, T.SEMAPHORE, value, kw, false)
end

function threading.BoundedSemaphore(value, kw)
  return new_semaphore(BoundedSemaphore, T.BOUNDED_SEMAPHORE, value, kw, true)
end

local function acquire_args(blocking, timeout)
  if is_kw(blocking) then
    kwargs("Semaphore.acquire", blocking, "blocking", "timeout")
    blocking, timeout = blocking.blocking, blocking.timeout
  end
  if blocking == nil then blocking = true end
  check_timeout("Semaphore.acquire", timeout)
  if not blocking and timeout ~= nil then
    error(ValueError("can't specify timeout for non-blocking acquire"), 3)
  end
  return blocking, timeout
end

local function sem_acquire(self, blocking, timeout)
  local rc, waited, by, endtime = false, false, nil, nil
  while true do
    if self._value ~= 0 then
      self._value = self._value - 1
      rc = true
      break
    end
    if not blocking then break end
    if timeout ~= nil then
      if endtime == nil then
        endtime = now() + timeout
      else
        timeout = endtime - now()
        if timeout <= 0 then break end
      end
    end
    if not waited then
      waited = true
      emit(K.COND_WAIT, self.id)
    end
    local got, b = cond_wait(self._cond, timeout)
    if got then by = b end
  end
  if waited then emit(K.COND_WAKE, self.id, rc and by or 0, rc and 0 or 1) end
  if rc then emit(K.SEM_ACQUIRE, self.id, self._value) end
  return rc
end

-- acquire(blocking, timeout) or acquire{blocking=, timeout=} -> boolean
function Semaphore:acquire(blocking, timeout)
  blocking, timeout = acquire_args(blocking, timeout)
  return locked(self._cond._lock, sem_acquire, self, blocking, timeout)
end

local function sem_release(self, n)
  if self._bounded and self._value + n > self._initial then
    error(ValueError("Semaphore released too many times"), 0)
  end
  self._value = self._value + n
  cond_notify(self._cond, n)
  emit(K.SEM_RELEASE, self.id, self._value)
end

-- release([n])
function Semaphore:release(n)
  if n == nil then n = 1 end
  n = whole("Semaphore.release", "n", n)
  if n < 1 then error(ValueError("n must be one or more"), 2) end
  locked(self._cond._lock, sem_release, self, n)
end

Semaphore.held = held

function Semaphore.__tostring(s)
  return ("<threading.Semaphore %s: value=%s>"):format(s.name, s._value)
end

function BoundedSemaphore.__tostring(s)
  return ("<threading.BoundedSemaphore %s: value=%s/%s>"):format(s.name, s._value, s._initial)
end

------------------------------------------------------------------------------
-- Event

local Event = { __name = "Event" }
Event.__index = Event

-- threading.Event() or threading.Event{name=}
function threading.Event(kw)
  if kw ~= nil and not is_kw(kw) then argerror("Event", "kw", "a table of keywords", kw) end
  kw = kw or {}
  kwargs("Event", kw, "name")
  local id, name = new_object(T.EVENT, "Event", kw.name)
  local c = new_cond(internal_lock(), nil, nil, nil, "set", name)
  c._what = "Event " .. name
  return setmetatable({ _cond = c, _flag = false, id = id, name = name }, Event)
end

function Event:is_set() return self._flag end
Event.isSet = Event.is_set

local function event_set(self)
  self._flag = true
  local c = self._cond
  emit(K.EVENT_SET, self.id, cond_notify(c, #c._waiters))
end

function Event:set() locked(self._cond._lock, event_set, self) end

local function event_clear(self)
  self._flag = false
  emit(K.EVENT_CLEAR, self.id)
end

function Event:clear() locked(self._cond._lock, event_clear, self) end

local function event_wait(self, timeout)
  local signaled = self._flag
  if not signaled then
    local by
    emit(K.EVENT_WAIT, self.id)
    signaled, by = cond_wait(self._cond, timeout)
    emit(K.EVENT_WAKE, self.id, by or 0, signaled and 0 or 1)
  end
  return signaled
end

-- wait([timeout]) -> the flag (true unless it timed out)
function Event:wait(timeout)
  check_timeout("Event.wait", timeout)
  return locked(self._cond._lock, event_wait, self, timeout)
end

function Event.__tostring(e)
  return ("<threading.Event %s: %s>"):format(e.name, e._flag and "set" or "unset")
end

------------------------------------------------------------------------------
-- Barrier: state 0 filling, 1 draining, -1 resetting, -2 broken

local Barrier = { __name = "Barrier" }
function Barrier.__index(b, k)
  if k == "broken" then return b._state == -2 end
  if k == "n_waiting" then return b._state == 0 and b._count or 0 end
  return Barrier[k]
end

-- threading.Barrier(parties, [action], [timeout]) or
-- threading.Barrier{parties=, action=, timeout=, name=}
function threading.Barrier(parties, action, timeout, kw)
  if is_kw(parties) then
    kw = parties
    parties, action, timeout = kw.parties, kw.action, kw.timeout
  end
  kw = kw or {}
  kwargs("Barrier", kw, "parties", "action", "timeout", "name")
  parties = whole("Barrier", "parties", parties)
  if parties < 1 then error(ValueError("parties must be >= 1"), 2) end
  if action ~= nil and not callable(action) then
    error(TypeError("action must be callable, not " .. type(action)), 2)
  end
  check_timeout("Barrier", timeout)
  local id, name = new_object(T.BARRIER, "Barrier", kw.name)
  local c = new_cond(internal_lock(), nil, nil, nil, "barrier", name)
  c._what = "Barrier " .. name
  return setmetatable({ _cond = c, _action = action,
                        _timeout = timeout, parties = parties, _state = 0, _count = 0,
                        id = id, name = name }, Barrier)
end

local function barrier_break(self)
  self._state = -2
  cond_notify(self._cond, #self._cond._waiters)
end

-- Waits while the barrier drains or resets.
local function barrier_enter(self)
  while self._state == -1 or self._state == 1 do cond_wait(self._cond) end
  if self._state < 0 then error(BrokenBarrierError(), 0) end
end

-- The last one out lets the next round in.
local function barrier_exit(self)
  if self._count == 0 and (self._state == -1 or self._state == 1) then
    self._state = 0
    cond_notify(self._cond, #self._cond._waiters)
  end
end

local function barrier_pass(self, index, timeout)
  if index + 1 == self.parties then
    self._releaser = tid()
    if self._action ~= nil then
      local ok, e = pcall(self._action)
      if not ok then
        barrier_break(self)
        error(e, 0)
      end
    end
    self._state = 1
    cond_notify(self._cond, #self._cond._waiters)
    return
  end
  local endtime, waittime = nil, timeout
  while self._state == 0 do
    if waittime ~= nil then
      if endtime == nil then
        endtime = now() + waittime
      else
        waittime = endtime - now()
        if waittime <= 0 then break end
      end
    end
    cond_wait(self._cond, waittime)
  end
  if self._state == 0 then
    barrier_break(self)
    error(BrokenBarrierError(), 0)
  end
  if self._state < 0 then error(BrokenBarrierError(), 0) end
end

local function barrier_wait(self, timeout)
  barrier_enter(self)
  local index = self._count
  self._count = index + 1
  emit(K.BARRIER_WAIT, self.id, index)
  local ok, e = pcall(barrier_pass, self, index, timeout)
  self._count = self._count - 1
  barrier_exit(self)
  emit(K.BARRIER_PASS, self.id, ok and self._releaser or 0, ok and 0 or 1)
  if not ok then error(e, 0) end
  return index
end

-- wait([timeout]) -> this thread's index, 0 .. parties-1, all different
function Barrier:wait(timeout)
  if timeout == nil then timeout = self._timeout end
  check_timeout("Barrier.wait", timeout)
  return locked(self._cond._lock, barrier_wait, self, timeout)
end

local function barrier_reset(self)
  if self._count > 0 then
    if self._state == 0 or self._state == -2 then self._state = -1 end
  else
    self._state = 0
  end
  cond_notify(self._cond, #self._cond._waiters)
end

function Barrier:reset() locked(self._cond._lock, barrier_reset, self) end
function Barrier:abort() locked(self._cond._lock, barrier_break, self) end

function Barrier.__tostring(b)
  if b._state == -2 then return ("<threading.Barrier %s: broken>"):format(b.name) end
  return ("<threading.Barrier %s: waiters=%d/%d>"):format(b.name, b.n_waiting, b.parties)
end

------------------------------------------------------------------------------
-- Timer: a thread that calls fn after interval seconds, unless cancelled

local Thread = threading.Thread
local Timer = setmetatable({ __name = "Timer" }, { __index = Thread })
threading._property_class(Timer)
Timer.__tostring = Thread.__tostring

-- threading.Timer(interval, fn, [args]) or
-- threading.Timer{interval=, fn=, args=, name=, daemon=}
function threading.Timer(interval, fn, args)
  local kw = {}
  if is_kw(interval) then
    kw = interval
    kwargs("Timer", kw, "interval", "fn", "function", "args", "name", "daemon")
    interval, fn, args = kw.interval, kw.fn or kw["function"], kw.args
  end
  if type(interval) ~= "number" then
    error(TypeError("interval must be a number, not " .. type(interval)), 2)
  end
  check_timeout("Timer", interval, "interval")
  if not callable(fn) then error(TypeError("function must be callable, not " .. type(fn)), 2) end
  if args ~= nil and type(args) ~= "table" then
    error(TypeError("args must be a table, not " .. type(args)), 2)
  end
  local self = Thread{ name = kw.name, daemon = kw.daemon, args = args or {} }
  self.interval = interval
  self.fn = fn
  self["function"] = fn
  self.finished = threading.Event()
  return setmetatable(self, Timer)
end

function Timer:cancel() self.finished:set() end

function Timer:run()
  self.finished:wait(self.interval)
  if not self.finished:is_set() then
    local a = self.args
    self.fn(table.unpack(a, 1, a.n or #a))
  end
  self.finished:set()
end

------------------------------------------------------------------------------
-- local: attributes of its own in every thread

-- threading.local_() (also threading["local"]); threading.local_{init=fn,
-- ...}: fn(self) runs at once in the creating thread, then in each other
-- thread on its first touch, as a Python subclass's __init__ does; other
-- fields are defaults every thread sees.
function threading.local_(kw)
  if kw ~= nil and not is_kw(kw) then
    error(TypeError("local_ takes a table of fields, not " .. type(kw)), 2)
  end
  local init = kw and kw.init
  -- Fields beside init make a subclass body; without one, local() as in
  -- Python takes no arguments.
  if kw and init == nil then kwargs("local_", kw) end
  if init ~= nil and not callable(init) then argerror("local_", "init", "a function", init) end
  local store = setmetatable({}, { __mode = "k" }) -- thread object -> its fields
  local obj = {}
  local function data()
    local th = threading.current_thread()
    local d = store[th]
    if d == nil then
      d = {}
      store[th] = d
      if init then init(obj) end
    end
    return d
  end
  setmetatable(obj, {
    __index = function(_, k)
      local v = data()[k]
      if v == nil and kw then v = kw[k] end
      return v
    end,
    __newindex = function(_, k, v) data()[k] = v end,
    __tostring = function() return "<threading.local>" end,
    __name = "local",
  })
  if init then data() end
  return obj
end
threading["local"] = threading.local_

return {
  prim = prim,
  new_object = new_object,
  new_cond = new_cond,
  cond_wait = cond_wait,
  cond_notify = cond_notify,
  locked = locked,
  is_kw = is_kw,
  now = now,
}
