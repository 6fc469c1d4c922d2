-- multiprocessing between processes: Pipe, Queue, JoinableQueue, Value and
-- Array, as CPython builds them: a pipe plus semaphores in shared memory
-- (the Lock family: mp_sync), and a feeder thread per queue. The C half
-- (ipc.c) pickles, frames messages and holds the semaphores.
local parts = ...
local mp, ipc, proc = parts.multiprocessing, parts.ipc, parts.proc
local threading, queue = parts.threading, parts.queue

local sync = parts.sync
local prim = sync.prim
local emit, tid, K, T = prim.emit, prim.tid, prim.kinds, prim.types

local block_args, SEM_VALUE_MAX = mp._block_args, mp._SEM_VALUE_MAX

--------------------------------------------------------------- channels --
-- What a view needs to draw every message as an arrow from sender to
-- receiver across processes: an object id made before the fork (so every
-- process knows it), and a serial per message from a counter in shared
-- memory, sent along in the message's tag with the sender's thread id.
local function channel(type_code, prefix)
  local id, name = sync.new_object(type_code, prefix)
  return { id = id, name = name, serials = ipc.shm(1, false) }
end
ipc.channel = channel

-- The tag of the next message; QUEUE_PUT drawn at the sender
function ipc.sent(ch, size)
  local serial = ipc.shm_add(ch.serials, 0, 1) + 1
  emit(K.QUEUE_PUT, ch.id, (size or 0) | serial << 32)
  return tid() | serial << 32
end
function ipc.received(ch, tag)
  emit(K.QUEUE_GET, ch.id, tag or 0)
end
-- A wait about to start (dir 1: a full put, 0: an empty get), and one that
-- timed out
function ipc.blocked(ch, dir) emit(K.QUEUE_BLOCK, ch.id, 0, dir) end
function ipc.timed_out(ch) emit(K.COND_WAKE, ch.id, 0, 1) end

------------------------------------------------------------------- Pipe --
local Connection = {}
Connection.__index = Connection
Connection.__pickle_error = "a Connection cannot reach a spawned child in threadlab yet"

local function conn(fd, readable, writable, ch)
  return setmetatable({ _fd = fd, readable = readable, writable = writable, _ch = ch }, Connection)
end

local function check_open(self)
  if self.closed then error(OSError("handle is closed"), 3) end
end

function Connection:send(obj)
  check_open(self)
  if not self.writable then error(OSError("connection is read-only"), 2) end
  ipc.send_obj(self._fd, obj, ipc.sent(self._ch), "obj")
end
function Connection:send_bytes(s)
  check_open(self)
  ipc.send(self._fd, s, ipc.sent(self._ch))
end
function Connection:recv_bytes()
  check_open(self)
  if not self.readable then error(OSError("connection is write-only"), 2) end
  local s, tag = ipc.recv(self._fd, nil, self._ch.name, self._ch.id)
  if s == nil then ipc.timed_out(self._ch); error(EOFError(""), 2) end
  ipc.received(self._ch, tag)
  return s
end
function Connection:recv()
  return ipc.loads(self:recv_bytes())
end
-- poll() answers at once; poll(t) waits up to t seconds; poll(-1) forever
function Connection:poll(timeout)
  check_open(self)
  return ipc.poll(self._fd, timeout or 0)
end
function Connection:close()
  if not self.closed then
    ipc.close(self._fd)
    rawset(self, "closed", true)
  end
end
function Connection:fileno() return self._fd end
Connection.__close = Connection.close
Connection.__tostring = function(self) return ("<Connection fd=%d>"):format(self._fd) end

function mp.Pipe(duplex)
  local ch = channel(T.SIMPLE_QUEUE, "Pipe")
  if duplex == nil or duplex then
    local a, b = ipc.socketpair()
    return conn(a, true, true, ch), conn(b, true, true, ch)
  end
  local r, w = ipc.pipe()
  return conn(r, true, false, ch), conn(w, false, true, ch)
end

------------------------------------------------------------------ Queue --
local Queue = {}
Queue.__index = Queue
-- as CPython: a queue reaches another process by fork, not in a message
Queue.__pickle_error = "Queue objects should only be shared between processes through inheritance"
local live_queues = setmetatable({}, { __mode = "k" })

local function reset_after_fork(self)
  -- a forked child has the parent's buffer but no feeder thread
  self._opid = os.getpid()
  self._buffer, self._tags, self._head, self._tail = {}, {}, 1, 0
  self._plock = prim.internal_lock()
  self._notempty = threading.Condition(self._plock)
  self._sleeping = false
  self._thread = nil
  self._closed = false
end

local function new_queue(maxsize, mt)
  maxsize = maxsize or 0
  if math.type(maxsize) ~= "integer" then error(TypeError("maxsize must be an integer"), 3) end
  if maxsize <= 0 then maxsize = SEM_VALUE_MAX end
  local r, w = ipc.pipe()
  local self = setmetatable({ _maxsize = maxsize, _reader = r, _writer = w,
                              _ch = channel(T.QUEUE, "mp.Queue"),
                              _rlock = mp._lock(), _wlock = mp._lock(),
                              _sem = mp.BoundedSemaphore(maxsize) }, mt)
  reset_after_fork(self)
  return self
end
function mp.Queue(maxsize) return new_queue(maxsize, Queue) end

local STOP = {}

-- The feeder: pickles each item and writes it to the pipe. An item that
-- cannot be pickled is reported here, in the feeder, and lost. As
-- CPython's _feed, it takes the condition only to sleep when the buffer
-- is empty, and drains the buffer without it: put stores an item before it
-- moves the tail (under its lock), and only the feeder moves the head, so
-- under the GIL neither can see the other half done.
local function feed(self)
  local buffer, tags, wlock, writer = self._buffer, self._tags, self._wlock._sem, self._writer
  local cv = self._notempty
  while true do
    if self._head > self._tail then
      cv:acquire()
      self._sleeping = true
      while self._head > self._tail do cv:wait() end
      self._sleeping = false
      cv:release()
    end
    while self._head <= self._tail do
      local h = self._head
      local obj, tag = buffer[h], tags[h]
      buffer[h], tags[h] = nil, nil
      self._head = h + 1
      if obj == STOP then return end
      if obj == ipc.NONE then obj = nil end
      ipc.sem_acquire(wlock, true)
      local sent, ok = pcall(ipc.send_obj, writer, obj, tag, "obj", true)
      ipc.sem_release(wlock)
      if not sent then error(ok, 0) end
      if not ok then
        -- again, for the traceback CPython prints; the item is lost
        local _, e = xpcall(ipc.dumps, proc.msgh, obj, "obj")
        self._sem:release()
        proc.report(e, "Exception in " .. threading.current_thread().name ..
                           " (the item is lost):\n")
      end
    end
  end
end

local function start_feeder(self)
  self._thread = threading.Thread{ target = feed, args = { self }, daemon = true,
                                   name = "QueueFeederThread" }
  self._thread:start()
  live_queues[self] = true
end

-- Hands one item (and its trace tag) to the feeder, waking it if it
-- sleeps; the lock keeps this process's putting threads apart.
local function append(self, obj, tag)
  local lk = self._plock
  lk:acquire()
  local t = self._tail + 1
  self._buffer[t], self._tags[t] = obj, tag
  self._tail = t
  if self._sleeping then self._notempty:notify() end
  lk:release()
end

local function check_pid(self)
  if self._opid ~= os.getpid() then reset_after_fork(self) end
end

function Queue:put(obj, block, timeout)
  check_pid(self)
  if self._closed then error(ValueError("Queue is closed"), 2) end
  local sem = self._sem._sem
  if not ipc.sem_acquire(sem, false) then
    block, timeout = block_args(block, timeout)
    if block then ipc.blocked(self._ch, 1) end
    if not block or not ipc.sem_acquire(sem, true, timeout) then
      if block then ipc.timed_out(self._ch) end
      error(queue.Full(""), 2)
    end
  end
  local tag = ipc.sent(self._ch, self._maxsize - ipc.sem_value(sem))
  if not self._thread then start_feeder(self) end
  append(self, obj == nil and ipc.NONE or obj, tag)
end
function Queue:put_nowait(obj) return self:put(obj, false) end

-- The reader's lock first (another process may be reading), then one
-- message; a get that must wait for either traces one blocked get.
function Queue:get(block, timeout)
  check_pid(self)
  if self._closed then error(ValueError("Queue is closed"), 2) end
  if block ~= nil or timeout ~= nil then block, timeout = block_args(block, timeout) else block = true end
  if not block then timeout = 0 end
  local deadline = timeout and timeout > 0 and time.monotonic() + timeout
  local rlock, ch, waits = self._rlock, self._ch, false
  if not ipc.sem_acquire(rlock._sem, false) then
    if block then waits = true; ipc.blocked(ch, 0) end
    if not ipc.sem_acquire(rlock._sem, true, timeout, ch.name) then
      if waits then ipc.timed_out(ch) end
      error(queue.Empty(""), 2)
    end
  end
  local left = timeout and (deadline and math.max(0, deadline - time.monotonic()) or 0)
  local ok, s, tag = pcall(ipc.recv, self._reader, left, ch.name, block and not waits and ch.id or nil)
  ipc.sem_release(rlock._sem)
  if not ok then error(s, 0) end
  if s == false then
    if waits or (block and left ~= 0) then ipc.timed_out(ch) end
    error(queue.Empty(""), 2)
  end
  if s == nil then error(EOFError(""), 2) end
  ipc.received(ch, tag)
  ipc.sem_release(self._sem._sem)
  return ipc.loads(s)
end
function Queue:get_nowait() return self:get(false) end

function Queue:qsize() return self._maxsize - self._sem:get_value() end
function Queue:empty() return not ipc.poll(self._reader, 0) end
function Queue:full() return self._sem:get_value() == 0 end

function Queue:close()
  check_pid(self)
  if self._closed then return end
  self._closed = true
  if self._thread then append(self, STOP) end
end
function Queue:join_thread()
  if not self._closed then error(AssertionError("Queue.join_thread() before close()"), 2) end
  if self._thread and self._opid == os.getpid() then self._thread:join() end
end
function Queue:cancel_join_thread() self._thread = nil end
Queue.__tostring = function() return "<multiprocessing.queues.Queue object>" end

--------------------------------------------------------- JoinableQueue --
local JoinableQueue = setmetatable({}, { __index = Queue })
JoinableQueue.__index = JoinableQueue
JoinableQueue.__pickle_error = Queue.__pickle_error
function mp.JoinableQueue(maxsize)
  local self = new_queue(maxsize, JoinableQueue)
  self._unfinished = mp.Semaphore(0)
  self._cond = mp.Condition(mp._lock())
  return self
end
function JoinableQueue:put(obj, block, timeout)
  check_pid(self)
  if self._closed then error(ValueError("Queue is closed"), 2) end
  local b, t = block_args(block, timeout)
  if not self._sem:acquire(b, t) then error(queue.Full(""), 2) end
  self._sem:release() -- Queue.put takes it again, under the condition
  local _ <close> = self._cond:held()
  Queue.put(self, obj, b, t)
  self._unfinished:release()
end
function JoinableQueue:task_done()
  local _ <close> = self._cond:held()
  if not self._unfinished:acquire(false) then
    error(ValueError("task_done() called too many times"), 2)
  end
  if self._unfinished:get_value() == 0 then self._cond:notify_all() end
end
function JoinableQueue:join()
  local _ <close> = self._cond:held()
  if self._unfinished:get_value() ~= 0 then self._cond:wait() end
end

-- None crosses a queue as nil: the buffer cannot hold a nil
ipc.NONE = setmetatable({}, { __name = "None" })

-- At the end of a process, as CPython's finalizers: children first, then
-- every queue this process put to is flushed by its feeder.
local exit_function = mp._exit_function
function mp._exit_function()
  exit_function()
  for _, q in ipairs(prim.in_order(live_queues, function(q) return q._ch.id end)) do
    if q._opid == os.getpid() and q._thread then
      q:close()
      q._thread:join()
    end
  end
end

--------------------------------------------------------- Value and Array --
local INT = { b = true, B = true, h = true, H = true, i = true, I = true, l = true, L = true,
              q = true, Q = true }
local FLOAT = { f = true, d = true }

local function typecode_of(tc)
  if INT[tc] then return false end
  if FLOAT[tc] then return true end
  error(TypeError("bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f or d): " .. tostring(tc)), 3)
end

local function make_lock(kw)
  local lock = kw and kw.lock
  if lock == nil or lock == true then return mp.RLock() end
  if lock == false then return nil end
  return lock
end

local Value = {}
Value.__index = function(self, k)
  if k == "value" then return ipc.shm_get(rawget(self, "_shm"), 0) end
  return Value[k]
end
Value.__newindex = function(self, k, v)
  if k ~= "value" then error(AttributeError("'Synchronized' object has no attribute '" .. tostring(k) .. "'"), 2) end
  ipc.shm_set(rawget(self, "_shm"), 0, v)
end
function Value:get_lock()
  local l = rawget(self, "_lock")
  if not l then error(AttributeError("'c_long' object has no attribute 'get_lock'"), 2) end
  return l
end
function Value:acquire(...) return self:get_lock():acquire(...) end
function Value:release() return self:get_lock():release() end
function Value:held() return self:get_lock():held() end
Value.__tostring = function(self)
  return ("<Synchronized wrapper for c_%s(%s)>"):format(rawget(self, "_tc"), tostring(self.value))
end

function mp.Value(tc, v, kw)
  local isfloat = typecode_of(tc)
  local self = setmetatable({}, Value)
  rawset(self, "_shm", ipc.shm(1, isfloat))
  rawset(self, "_tc", tc)
  rawset(self, "_lock", make_lock(kw))
  if v ~= nil then ipc.shm_set(self._shm, 0, isfloat and v + 0.0 or v) end
  return self
end

-- Array: indexed from 1, as Lua tables are
local Array = {}
Array.__index = function(self, k)
  if math.type(k) == "integer" then return ipc.shm_get(rawget(self, "_shm"), k - 1) end
  return Array[k]
end
Array.__newindex = function(self, k, v)
  if math.type(k) ~= "integer" then error(TypeError("array indices must be integers"), 2) end
  ipc.shm_set(rawget(self, "_shm"), k - 1, v)
end
Array.__len = function(self) return rawget(self, "_n") end
Array.get_lock, Array.acquire, Array.release, Array.held =
  Value.get_lock, Value.acquire, Value.release, Value.held
function Array:tolist()
  local t = {}
  for i = 1, #self do t[i] = self[i] end
  return t
end

function mp.Array(tc, init, kw)
  local isfloat = typecode_of(tc)
  local n = type(init) == "table" and #init or init
  if math.type(n) ~= "integer" then error(TypeError("size must be an integer or a table"), 2) end
  local self = setmetatable({}, Array)
  rawset(self, "_shm", ipc.shm(n, isfloat))
  rawset(self, "_n", n)
  rawset(self, "_lock", make_lock(kw))
  if type(init) == "table" then
    for i = 1, n do ipc.shm_set(self._shm, i - 1, isfloat and init[i] + 0.0 or init[i]) end
  end
  return self
end

-- pickle.dumps(v) / pickle.loads(s): what crosses between processes
pickle = { dumps = function(v) return ipc.dumps(v, "obj") end, loads = ipc.loads,
           PicklingError = PicklingError, UnpicklingError = UnpicklingError }
-- a spawned child gets them as CPython's does while spawning: a queue
-- without this process's buffer and feeder, its pipes kept open
local QUEUE_LOCAL = { "_buffer", "_tags", "_head", "_tail", "_plock", "_notempty", "_sleeping",
                      "_thread", "_closed", "_opid" }
mp._spawnable("Queue", Queue, { fds = { "_reader", "_writer" }, skip = QUEUE_LOCAL,
                                after = reset_after_fork })
mp._spawnable("JoinableQueue", JoinableQueue, { fds = { "_reader", "_writer" }, skip = QUEUE_LOCAL,
                                                after = reset_after_fork })
mp._spawnable("Connection", Connection, { fds = { "_fd" } })
mp._spawnable("Value", Value)
mp._spawnable("Array", Array)

return mp
