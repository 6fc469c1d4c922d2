-- multiprocessing.Manager, as CPython's SyncManager: a server process
-- holds the real dict, list, Queue, Value and Namespace; every other
-- process holds proxies, which carry only the server's address and the
-- object's id, so they pickle (into Pool tasks too). Each proxy call is a
-- request over a Unix socket, one connection per thread per process, and
-- the server serves each connection in a thread of its own (a lane of its
-- own under the server's process). Requests and replies are drawn as
-- arrows between the lanes, and the server marks each request it serves.
local parts = ...
local mp, ipc, threading, queue = parts.multiprocessing, parts.ipc, parts.threading, parts.queue
local prim = parts.sync.prim
local tid, T = prim.tid, prim.types
local mark = parts.lab.mark

local managers = {}      -- address -> its request and reply channels (a child inherits it, or is handed it)
local conns, conns_pid = {}, nil -- "address/thread" -> fd, in this process
local made = 0           -- managers this process started (their names)

--------------------------------------------------------------- repr --
-- What Python's repr() would print, for a proxy's str(): None, True,
-- 'text', [1, 2], {'k': 1}.
local function pyrepr(v, depth)
  local t = type(v)
  depth = depth or 0
  if v == nil then return "None" end
  if t == "boolean" then return v and "True" or "False" end
  if t == "string" then return "'" .. v:gsub("\\", "\\\\"):gsub("'", "\\'") .. "'" end
  if t == "number" then
    if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 1e16 then
      return ("%.1f"):format(v)
    end
    return tostring(v)
  end
  if t ~= "table" or depth > 20 then return tostring(v) end
  local out = {}
  if #v > 0 or next(v) == nil then
    for i = 1, #v do out[i] = pyrepr(v[i], depth + 1) end
    return "[" .. table.concat(out, ", ") .. "]"
  end
  for k, x in pairs(v) do out[#out + 1] = pyrepr(k, depth + 1) .. ": " .. pyrepr(x, depth + 1) end
  table.sort(out)
  return "{" .. table.concat(out, ", ") .. "}"
end

------------------------------------------------- the server's objects --
-- A kind is its state's constructor and the methods the server runs on
-- it by name. A dict keeps its keys' order, as Python's does.
local NONE = {}          -- nil on a server-side queue
local kinds = {}

local function dict_find(o, k)
  for i, key in ipairs(o.keys) do if key == k then return i end end
end
local function dict_set(o, k, v)
  if k == nil then error(TypeError("a dict key cannot be None"), 0) end
  if v == nil then
    local i = dict_find(o, k)
    if i then table.remove(o.keys, i); o.map[k] = nil end
    return
  end
  if o.map[k] == nil then o.keys[#o.keys + 1] = k end
  o.map[k] = v
end
-- A Lua table has no order of its own: its keys go in sorted, so a dict
-- made from one lists them the same way every run.
local function dict_update(o, t)
  for _, k in ipairs(prim.keys_in_order(t)) do dict_set(o, k, t[k]) end
end
local function dict_items(o)
  local out = {}
  for i, k in ipairs(o.keys) do out[i] = { k, o.map[k] } end
  return out
end

kinds.dict = {
  new = function(init)
    local o = { keys = {}, map = {} }
    if init then dict_update(o, init) end
    return o
  end,
  __getitem__ = function(o, k)
    local v = o.map[k]
    if v == nil then error(KeyError(pyrepr(k)), 0) end
    return v
  end,
  __setitem__ = dict_set,
  __delitem__ = function(o, k)
    if o.map[k] == nil then error(KeyError(pyrepr(k)), 0) end
    dict_set(o, k, nil)
  end,
  get = function(o, k, default) local v = o.map[k]; if v == nil then return default end; return v end,
  keys = function(o) return { table.unpack(o.keys) } end,
  values = function(o)
    local out = {}
    for i, k in ipairs(o.keys) do out[i] = o.map[k] end
    return out
  end,
  items = dict_items,
  update = function(o, t) dict_update(o, t) end,
  pop = function(o, k, ...)
    local v = o.map[k]
    if v == nil then
      if select("#", ...) == 0 then error(KeyError(pyrepr(k)), 0) end
      return (...)
    end
    dict_set(o, k, nil)
    return v
  end,
  setdefault = function(o, k, default)
    if o.map[k] == nil then dict_set(o, k, default) end
    return o.map[k]
  end,
  clear = function(o) o.keys, o.map = {}, {} end,
  copy = function(o) local t = {}; for k, v in pairs(o.map) do t[k] = v end; return t end,
  __len__ = function(o) return #o.keys end,
  __repr__ = function(o)
    local out = {}
    for i, k in ipairs(o.keys) do out[i] = pyrepr(k) .. ": " .. pyrepr(o.map[k]) end
    return "{" .. table.concat(out, ", ") .. "}"
  end,
}
kinds.dict.__pairs__ = dict_items

-- A list is indexed from 1, as Lua's tables (and mp.Array) are.
local function list_index(o, i)
  if math.type(i) ~= "integer" then error(TypeError("list indices must be integers"), 0) end
  if i < 1 or i > #o then error(IndexError("list index out of range"), 0) end
  return i
end
kinds.list = {
  new = function(init) return { table.unpack(init or {}) } end,
  __getitem__ = function(o, i) return o[list_index(o, i)] end,
  __setitem__ = function(o, i, v) o[list_index(o, i)] = v end,
  append = function(o, v) o[#o + 1] = v end,
  extend = function(o, t) for _, v in ipairs(t) do o[#o + 1] = v end end,
  insert = function(o, i, v) table.insert(o, math.max(1, math.min(i, #o + 1)), v) end,
  pop = function(o, i)
    if #o == 0 then error(IndexError("pop from empty list"), 0) end
    return table.remove(o, i and list_index(o, i) or #o)
  end,
  remove = function(o, v)
    for i = 1, #o do if o[i] == v then table.remove(o, i); return end end
    error(ValueError("list.remove(x): x not in list"), 0)
  end,
  index = function(o, v)
    for i = 1, #o do if o[i] == v then return i end end
    error(ValueError(pyrepr(v) .. " is not in list"), 0)
  end,
  count = function(o, v)
    local n = 0
    for i = 1, #o do if o[i] == v then n = n + 1 end end
    return n
  end,
  reverse = function(o)
    for i = 1, #o // 2 do o[i], o[#o - i + 1] = o[#o - i + 1], o[i] end
  end,
  sort = function(o) table.sort(o) end,
  copy = function(o) return { table.unpack(o) } end,
  __len__ = function(o) return #o end,
  __repr__ = function(o)
    local out = {}
    for i = 1, #o do out[i] = pyrepr(o[i]) end
    return "[" .. table.concat(out, ", ") .. "]"
  end,
}

kinds.Queue = {
  new = function(maxsize) return queue.Queue(maxsize or 0) end,
  put = function(q, v, block, timeout) q:put(v == nil and NONE or v, block, timeout) end,
  get = function(q, block, timeout)
    local v = q:get(block, timeout)
    if v == NONE then return nil end
    return v
  end,
  qsize = function(q) return q:qsize() end,
  empty = function(q) return q:empty() end,
  full = function(q) return q:full() end,
  task_done = function(q) q:task_done() end,
  join = function(q) q:join() end,
  __repr__ = function(q) return tostring(q) end,
}

kinds.Value = {
  new = function(tc, v) return { tc = tc, v = v } end,
  get = function(o) return o.v end,
  set = function(o, v) o.v = v end,
  __repr__ = function(o) return ("Value(%s, %s)"):format(pyrepr(o.tc), pyrepr(o.v)) end,
}

kinds.Namespace = {
  new = function(init) local o = {}; for k, v in pairs(init or {}) do o[k] = v end; return o end,
  __getattr__ = function(o, k)
    local v = o[k]
    if v == nil then error(AttributeError("'Namespace' object has no attribute " .. pyrepr(k)), 0) end
    return v
  end,
  __setattr__ = function(o, k, v) o[k] = v end,
  __repr__ = function(o)
    local out = {}
    for k, v in pairs(o) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then out[#out + 1] = k .. "=" .. pyrepr(v) end
    end
    table.sort(out)
    return "Namespace(" .. table.concat(out, ", ") .. ")"
  end,
}

------------------------------------------------------------- server --
-- One thread per connection serves its requests, in order: a blocking
-- Queue get holds up only the caller that made it, as in CPython.
local function serve_client(srv, fd)
  local ch = managers[srv.addr]
  while true do
    local s, tag = ipc.recv(fd)
    if not s then break end
    ipc.received(ch.req, tag)
    local req = ipc.loads(s)
    local id, method, args = req[1], req[2], req[3]
    local reply
    if id == 0 and method == "create" then
      local ok, state = pcall(kinds[args[1]].new, table.unpack(args, 2, args.n))
      if ok then
        srv.last = srv.last + 1
        srv.objects[srv.last] = { kind = args[1], state = state }
        reply = { true, srv.last }
      else
        reply = { false, type(state) == "table" and { type = state.type, message = state.message } or
                         { type = "TypeError", message = tostring(state) } }
      end
    elseif id == 0 and method == "shutdown" then
      srv.stopping = true
      reply = { true }
    else
      local o = srv.objects[id]
      local fn = o and kinds[o.kind][method]
      mark(o and (o.kind .. "." .. method) or method)
      if not fn then
        reply = { false, { type = "AttributeError", message = "no method " .. tostring(method) } }
      else
        local r = table.pack(pcall(fn, o.state, table.unpack(args, 1, args.n)))
        if r[1] then reply = { true, r[2] }
        else
          local e = r[2]
          reply = { false, type(e) == "table" and { type = e.type, message = e.message } or
                           { type = "RuntimeError", message = tostring(e) } }
        end
      end
    end
    local ok, bytes = pcall(ipc.dumps, reply, "result")
    if not ok then
      bytes = ipc.dumps({ false, { type = "PicklingError", message = tostring(bytes.message or bytes) } })
    end
    ipc.send(fd, bytes, ipc.sent(ch.rep))
    if srv.stopping then
      -- wake the accepting thread, so the server's main code ends
      pcall(function() ipc.close(ipc.connect(srv.addr)) end)
    end
  end
  ipc.close(fd)
end

-- The server process's main code: accept connections on the listening
-- socket the Manager made (l.fd, at l.addr) until shutdown.
local function serve(l)
  local srv = { addr = l.addr, objects = {}, last = 0 }
  local n = 0
  while not srv.stopping do
    local fd = ipc.accept(l.fd)
    if srv.stopping then ipc.close(fd); break end
    n = n + 1
    threading.Thread{ target = serve_client, args = { srv, fd }, daemon = true,
                      name = "Thread-" .. n .. " (serve_client)" }:start()
  end
  ipc.close(l.fd)
end
-- Under spawn the server is a fresh threadlab: it finds serve by this
-- name, its listening socket is kept open across the exec, and it is
-- handed every manager's channels, as a spawned client is (so both draw
-- their arrows).
mp._manager_serve = serve
local Listener = {}
mp._spawnable("ManagerListener", Listener, { fds = { "fd" } })
-- (Handed only when there is one.)
mp._spawn_inherit.managers = { get = function() return next(managers) and managers or nil end,
                               set = function(t) managers = t end }

------------------------------------------------------------- client --
local function connection(addr)
  local pid = os.getpid()
  if conns_pid ~= pid then conns, conns_pid = {}, pid end -- a fork's copies are its parent's
  local key = addr .. "/" .. tid()
  local fd = conns[key]
  if not fd then
    fd = ipc.connect(addr)
    conns[key] = fd
  end
  return fd
end

-- One request and its reply; the server's error re-raised here.
local function request(addr, id, method, ...)
  local fd = connection(addr)
  local ch = managers[addr] -- (a process forked before the manager draws no arrows)
  local ok, bytes = pcall(ipc.dumps, { id, method, table.pack(...) }, "request")
  if not ok then
    -- name the argument as the caller sees it: args[2], not request[3][2]
    if type(bytes) == "table" and bytes.message then
      bytes.message = bytes.message:gsub("request%[3%]", "args")
    end
    error(bytes, 3)
  end
  ipc.send(fd, bytes, ch and ipc.sent(ch.req) or 0)
  local s, tag = ipc.recv(fd, nil, "the manager at " .. addr)
  if not s then error(EOFError("the manager has shut down"), 3) end
  if ch then ipc.received(ch.rep, tag) end
  local r = ipc.loads(s)
  if r[1] then return r[2] end
  error(mp._rebuild_error(r[2]), 3)
end

local function call(p, method, ...) return request(rawget(p, "_addr"), rawget(p, "_id"), method, ...) end
local function method_of(name) return function(p, ...) return call(p, name, ...) end end

-- Each proxy type is a global (mp.DictProxy ...), so a proxy pickles by
-- name and works in whatever process loads it.
local function proxy_type(name, kind, index, newindex)
  local mt = { __name = name }
  for m in pairs(kinds[kind]) do
    if m ~= "new" and not m:find("^__") then mt[m] = method_of(m) end
  end
  mt.__index = function(p, k)
    local m = mt[k]
    if m ~= nil and type(k) == "string" and not k:find("^__") then return m end
    return index(p, k)
  end
  mt.__newindex = newindex
  mt.__tostring = function(p) return call(p, "__repr__") end
  if kinds[kind].__len__ then mt.__len = function(p) return call(p, "__len__") end end
  mp[name] = mt
  return mt
end

local no_field = function(p, k)
  error(AttributeError(("'%s' object has no attribute '%s'"):format(getmetatable(p).__name, tostring(k))), 2)
end

-- d[k] reads, d[k] = v writes, d[k] = nil deletes; a key named as a
-- method (d.keys) is the method: use d:get("keys") for such a key.
local DictProxy = proxy_type("DictProxy", "dict",
  function(p, k) return call(p, "__getitem__", k) end,
  function(p, k, v) call(p, "__setitem__", k, v) end)
DictProxy.__pairs = function(p)
  local items, i = call(p, "__pairs__"), 0
  return function()
    i = i + 1
    local it = items[i]
    if it then return it[1], it[2] end
  end
end
proxy_type("ListProxy", "list",
  function(p, k) return call(p, "__getitem__", k) end,
  function(p, k, v) call(p, "__setitem__", k, v) end)
proxy_type("AutoProxyQueue", "Queue", no_field, no_field)
local ValueProxy = proxy_type("ValueProxy", "Value",
  function(p, k) if k == "value" then return call(p, "get") end; return no_field(p, k) end,
  function(p, k, v) if k == "value" then return call(p, "set", v) end; no_field(p, k) end)
ValueProxy.__tostring = function(p) return call(p, "__repr__") end
local Queue = mp.AutoProxyQueue
function Queue.put_nowait(p, v) return call(p, "put", v, false) end
function Queue.get_nowait(p) return call(p, "get", false) end
proxy_type("NamespaceProxy", "Namespace",
  function(p, k) return call(p, "__getattr__", k) end,
  function(p, k, v) call(p, "__setattr__", k, v) end)

------------------------------------------------------------ Manager --
local Manager = {}
Manager.__index = Manager

local function make(self, kind, mt, ...)
  if self._state ~= "STARTED" then error(ValueError("Manager has shut down"), 3) end
  local init = ...
  if (kind == "dict" or kind == "list" or kind == "Namespace") and init ~= nil and type(init) ~= "table" then
    error(TypeError(("%s() takes a table, not %s"):format(kind, type(init))), 3)
  end
  local id = request(self.address, 0, "create", kind, ...)
  return setmetatable({ _addr = self.address, _id = id }, mt)
end
function Manager:dict(t) return make(self, "dict", mp.DictProxy, t) end
function Manager:list(t) return make(self, "list", mp.ListProxy, t) end
function Manager:Queue(maxsize) return make(self, "Queue", mp.AutoProxyQueue, maxsize) end
function Manager:Value(tc, v) return make(self, "Value", mp.ValueProxy, tc, v) end
function Manager:Namespace(t) return make(self, "Namespace", mp.NamespaceProxy, t) end

local live = {} -- (strong: `mp.Manager():Queue()` drops the manager at once, as 003 does)

function Manager:shutdown()
  if self._state ~= "STARTED" then return end
  self._state = "SHUTDOWN"
  live[self] = nil
  pcall(request, self.address, 0, "shutdown")
  self._process:join()
end
-- `with Manager() as m:` is `mp.Manager():with(function(m) ... end)` or
-- `local m <close> = mp.Manager()`: shut down at the end.
function Manager:with(fn) return mp._with(self, fn, Manager.shutdown) end
Manager.__close = Manager.shutdown
Manager.__tostring = function(self)
  return ("<multiprocessing.managers.SyncManager address=%s state=%s>"):format(self.address, self._state)
end

function mp.Manager()
  local method = mp._helpers_method()
  local lfd, addr = ipc.listen()
  managers[addr] = { req = ipc.channel(T.QUEUE, "Manager requests"),
                     rep = ipc.channel(T.QUEUE, "Manager replies") }
  made = made + 1
  local p = mp.Process{ target = serve, args = { setmetatable({ addr = addr, fd = lfd }, Listener) },
                        name = "SyncManager-" .. made }
  rawset(p, "_start_method", method)
  p:start()
  ipc.close(lfd)
  local self = setmetatable({ address = addr, _process = p, _state = "STARTED",
                              _opid = os.getpid() }, Manager)
  live[self] = true
  return self
end

-- At the end of a process, as CPython's finalizer: its managers shut down
-- first, so joining the children does not wait on their servers.
local exit_function = mp._exit_function
function mp._exit_function()
  for _, m in ipairs(prim.in_order(live, function(m) return managers[m.address].req.id end)) do
    if m._opid == os.getpid() then m:shutdown() end
  end
  exit_function()
end

return mp
