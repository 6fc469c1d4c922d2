-- multiprocessing's Lock family between processes: Lock, RLock,
-- Semaphore, BoundedSemaphore, Condition, Event and Barrier, as CPython
-- builds them: semaphores in shared memory (ipc.c holds them), and on top
-- of them CPython's algorithms for Condition, Event and Barrier.
local parts = ...
local mp, ipc, errors = parts.multiprocessing, parts.ipc, parts.errors

local sync = parts.sync
local prim = sync.prim
local emit, tid, K, T = prim.emit, prim.tid, prim.kinds, prim.types

local SEMAPHORE, RECURSIVE = 0, 1
local SEM_VALUE_MAX = 2147483647

-- acquire(block, timeout) or acquire{block=, timeout=}, as threading's.
local function block_args(block, timeout)
  if type(block) == "table" then
    local kw = block
    block = kw.block
    if block == nil then block = kw.blocking end
    timeout = kw.timeout
  end
  if block == nil then block = true end
  if timeout ~= nil and timeout < 0 then timeout = nil end
  return block, timeout
end

---------------------------------------------------------------- SemLock --
local SemLock = {}
SemLock.__index = SemLock

local function semlock(kind, value, maxvalue, typename)
  return setmetatable({ _sem = ipc.semlock(kind, value, maxvalue), _type = typename }, SemLock)
end

-- A Lock or RLock the program made: traced, named, and in the wait-for
-- graph every process shares (mpgraph.c), so a cycle across processes is
-- found as threads' are. mp.Lock{name = "L1"} names it, as threading.Lock.
local function graph_lock(kind, typename, kw)
  local name
  if kw ~= nil then
    if not sync.is_kw(kw) then
      error(TypeError(("%s() takes a table of keywords {name=...}, not %s"):format(typename, type(kw))), 3)
    end
    errors.kwargs(typename, kw, "name")
    name = kw.name
    if name ~= nil and type(name) ~= "string" then
      error(TypeError(("%s() name must be a string, not %s"):format(typename, type(name))), 3)
    end
  end
  local sem, shown = ipc.semlock(kind, 1, 1, true, name)
  return setmetatable({ _sem = sem, _type = typename, _name = shown, name = shown }, SemLock)
end

function SemLock:acquire(block, timeout)
  block, timeout = block_args(block, timeout)
  return ipc.sem_acquire(self._sem, block, timeout, self._name or self._type)
end
function SemLock:release() ipc.sem_release(self._sem) end
function SemLock:get_value() return ipc.sem_value(self._sem) end
function SemLock:_is_mine() return ipc.sem_mine(self._sem) end
function SemLock:_count() return ipc.sem_count(self._sem) end
function SemLock:locked() return ipc.sem_value(self._sem) == 0 end
-- `local _ <close> = lock:held()`, as threading's
function SemLock:held()
  self:acquire()
  return setmetatable({}, { __close = function() self:release() end })
end
function SemLock.__tostring(self)
  if self._type == "Lock" or self._type == "RLock" then
    return ("<%s(owner=%s)%s>"):format(self._type, self:_is_mine() and "MainThread" or
                                       (self:get_value() == 0 and "SomeOtherThread" or "None"),
                                       self._name and " " .. self._name or "")
  end
  return ("<%s(value=%d)>"):format(self._type, self:get_value())
end

function mp.Lock(kw) return graph_lock(SEMAPHORE, "Lock", kw) end
function mp.RLock(kw) return graph_lock(RECURSIVE, "RLock", kw) end
-- the machinery's own locks (queues, pools, Event, Barrier): out of the
-- trace and the graph, as threading's primitives' internal locks are
function mp._lock() return semlock(SEMAPHORE, 1, 1, "Lock") end
function mp.Semaphore(value)
  value = value or 1
  if value < 0 then error(ValueError("semaphore initial value must be >= 0"), 2) end
  return semlock(SEMAPHORE, value, SEM_VALUE_MAX, "Semaphore")
end
function mp.BoundedSemaphore(value)
  value = value or 1
  if value < 0 then error(ValueError("semaphore initial value must be >= 0"), 2) end
  return semlock(SEMAPHORE, value, value, "BoundedSemaphore")
end

-------------------------------------------------------------- Condition --
-- CPython's algorithm over four semaphores, so it works across processes.
local Condition = {}
Condition.__index = Condition

function mp.Condition(lock)
  return setmetatable({ _lock = lock or mp.RLock(), _sleeping = mp.Semaphore(0),
                        _woken = mp.Semaphore(0), _wait = mp.Semaphore(0) }, Condition)
end
function Condition:acquire(...) return self._lock:acquire(...) end
function Condition:release() return self._lock:release() end
function Condition:held() return self._lock:held() end

function Condition:wait(timeout)
  if not self._lock:_is_mine() and self._lock._type == "RLock" then
    error(AssertionError("must acquire() condition before using wait()"), 2)
  end
  self._sleeping:release()
  local count = self._lock._type == "RLock" and self._lock:_count() or 1
  for _ = 1, count do self._lock:release() end
  local ok, got = pcall(self._wait.acquire, self._wait, true, timeout)
  self._woken:release()
  for _ = 1, count do self._lock:acquire() end
  if not ok then error(got, 0) end
  return got
end

function Condition:notify(n)
  n = n or 1
  while self._woken:acquire(false) do self._sleeping:acquire(false) end
  local sleepers = 0
  while sleepers < n and self._sleeping:acquire(false) do
    self._wait:release()
    sleepers = sleepers + 1
  end
  if sleepers > 0 then
    for _ = 1, sleepers do self._woken:acquire() end
    while self._wait:acquire(false) do end
  end
end
function Condition:notify_all() self:notify(SEM_VALUE_MAX) end

function Condition:wait_for(pred, timeout)
  local r = pred()
  if r then return r end
  local deadline = timeout and time.monotonic() + timeout
  while not r do
    local left
    if deadline then
      left = deadline - time.monotonic()
      if left <= 0 then break end
    end
    self:wait(left)
    r = pred()
  end
  return r
end

------------------------------------------------------------------ Event --
local Event = {}
Event.__index = Event
function mp.Event()
  return setmetatable({ _cond = mp.Condition(mp._lock()), _flag = mp.Semaphore(0) }, Event)
end
function Event:is_set()
  local _ <close> = self._cond:held()
  if self._flag:acquire(false) then self._flag:release(); return true end
  return false
end
function Event:set()
  local _ <close> = self._cond:held()
  self._flag:acquire(false)
  self._flag:release()
  self._cond:notify_all()
end
function Event:clear()
  local _ <close> = self._cond:held()
  self._flag:acquire(false)
end
function Event:wait(timeout)
  local _ <close> = self._cond:held()
  if self._flag:acquire(false) then self._flag:release()
  else self._cond:wait(timeout) end
  if self._flag:acquire(false) then self._flag:release(); return true end
  return false
end

---------------------------------------------------------------- Barrier --
-- threading.Barrier's algorithm, as CPython's multiprocessing Barrier runs
-- it: the state lives in shared memory (state, count, releaser), the
-- waiting goes through the process-shared Condition. State: 0 filling,
-- 1 draining, -1 resetting, -2 broken. The action runs in the process
-- that arrives last.
local Barrier = {}
local ST, CNT, REL = 0, 1, 2
local function bget(b, i) return ipc.shm_get(rawget(b, "_shm"), i) end
local function bset(b, i, v) ipc.shm_set(rawget(b, "_shm"), i, v) end
Barrier.__index = function(b, k)
  if k == "broken" then return bget(b, ST) == -2 end
  if k == "n_waiting" then return bget(b, ST) == 0 and bget(b, CNT) or 0 end
  return Barrier[k]
end

-- mp.Barrier(parties, [action], [timeout]) or mp.Barrier{parties=, action=, timeout=}
function mp.Barrier(parties, action, timeout)
  if sync.is_kw(parties) then
    local kw = parties
    errors.kwargs("Barrier", kw, "parties", "action", "timeout", "name")
    parties, action, timeout = kw.parties, kw.action, kw.timeout
  end
  parties = errors.whole("Barrier", "parties", parties)
  if parties < 1 then error(ValueError("parties must be >= 1"), 2) end
  if action ~= nil and type(action) ~= "function" and not (getmetatable(action) or {}).__call then
    error(TypeError("action must be callable, not " .. type(action)), 2)
  end
  errors.timeout("Barrier", timeout)
  local id, name = sync.new_object(T.BARRIER, "Barrier")
  return setmetatable({ _cond = mp.Condition(mp._lock()), _shm = ipc.shm(3, false),
                        _action = action, _timeout = timeout, parties = parties,
                        id = id, name = name }, Barrier)
end

local function barrier_break(self)
  bset(self, ST, -2)
  self._cond:notify_all()
end

local function barrier_pass(self, index, timeout)
  if index + 1 == self.parties then
    bset(self, REL, tid())
    if self._action ~= nil then
      local ok, e = pcall(self._action)
      if not ok then barrier_break(self); error(e, 0) end
    end
    bset(self, ST, 1)
    self._cond:notify_all()
    return
  end
  local deadline = timeout and time.monotonic() + timeout
  while bget(self, ST) == 0 do
    local left
    if deadline then
      left = deadline - time.monotonic()
      if left <= 0 then break end
    end
    self._cond:wait(left)
  end
  if bget(self, ST) == 0 then barrier_break(self); error(BrokenBarrierError(), 0) end
  if bget(self, ST) < 0 then error(BrokenBarrierError(), 0) end
end

local function barrier_wait(self, timeout)
  while bget(self, ST) == -1 or bget(self, ST) == 1 do self._cond:wait() end
  if bget(self, ST) < 0 then error(BrokenBarrierError(), 0) end
  local index = bget(self, CNT)
  bset(self, CNT, index + 1)
  emit(K.BARRIER_WAIT, self.id, index)
  local ok, e = pcall(barrier_pass, self, index, timeout)
  bset(self, CNT, bget(self, CNT) - 1)
  local st = bget(self, ST)
  if bget(self, CNT) == 0 and (st == -1 or st == 1) then
    bset(self, ST, 0)
    self._cond:notify_all()
  end
  emit(K.BARRIER_PASS, self.id, ok and bget(self, REL) or 0, ok and 0 or 1)
  if not ok then error(e, 0) end
  return index
end

local function locked(self, fn, ...)
  self._cond:acquire()
  local r = table.pack(pcall(fn, self, ...))
  self._cond:release()
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- wait([timeout]) -> this process's index, 0 .. parties-1, all different
function Barrier:wait(timeout)
  if timeout == nil then timeout = self._timeout end
  errors.timeout("Barrier.wait", timeout)
  return locked(self, barrier_wait, timeout)
end
function Barrier:reset()
  locked(self, function()
    if bget(self, CNT) > 0 then
      local st = bget(self, ST)
      if st == 0 or st == -2 then bset(self, ST, -1) end
    else
      bset(self, ST, 0)
    end
    self._cond:notify_all()
  end)
end
function Barrier:abort() locked(self, barrier_break) end
Barrier.__tostring = function(b)
  if b.broken then return ("<multiprocessing.Barrier %s: broken>"):format(b.name) end
  return ("<multiprocessing.Barrier %s: waiters=%d/%d>"):format(b.name, b.n_waiting, b.parties)
end

-- for mp_ipc: its queues block and time out as these locks do
mp._block_args, mp._SEM_VALUE_MAX = block_args, SEM_VALUE_MAX
-- a spawned child gets them as CPython's does while spawning
mp._spawnable("SemLock", SemLock)
mp._spawnable("Condition", Condition)
mp._spawnable("Event", Event)
mp._spawnable("Barrier", Barrier)

return mp
