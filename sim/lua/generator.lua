-- Python's generators on Lua coroutines: generator(fn, ...) is the object
-- calling a generator function makes; next(g), g:send(v), g:throw(e),
-- g:close(), StopIteration carrying the return value, and yield_from(sub)
-- for `yield from`. The body yields with yield(v) (or coroutine.yield(v);
-- only yield(v) lets close/throw raise at the suspension point, as Python
-- does). Every resume and every yield is a switch between two green lanes
-- of the thread that runs them, written to the trace.
local parts = ...
local errors, green = parts.errors, parts.green_core

local StopIteration = errors.class("StopIteration", errors.Exception)
local GeneratorExit = errors.class("GeneratorExit", errors.BaseException)
_G.StopIteration, _G.GeneratorExit = StopIteration, GeneratorExit

local M = {}
local lane_of = setmetatable({}, { __mode = "k" })  -- coroutine -> lane id
local THROW = setmetatable({}, { __tostring = function() return "<throw>" end })
M.lane_of, M.THROW = lane_of, THROW

-- A readable, unique lane name: the global a function is known by, else
-- its source line; a second lane of one name gets "-2", and so on.
local used = {}
function M.unique(name)
  local n = (used[name] or 0) + 1
  used[name] = n
  return n == 1 and name or (name .. "-" .. n)
end

-- The scan reads all of _G and takes the least name (sorted in C): pairs()
-- order over string keys changes run to run (Lua seeds its string hash),
-- and neither the name (a function under two globals) nor the Lua
-- instructions spent, which the virtual clock charges, may depend on it.
function M.name(fn, fallback)
  local names = {}
  for k, v in pairs(_G) do
    if v == fn and type(k) == "string" then names[#names + 1] = k end
  end
  table.sort(names)
  local name = names[1]
  if not name then
    local info = debug.getinfo(fn, "S")
    name = fallback or ("fn@" .. info.short_src:match("[^/]*$") .. ":" .. info.linedefined)
  end
  local n = (used[name] or 0) + 1
  used[name] = n
  return n == 1 and name or (name .. "-" .. n)
end

-- Resumes co from whatever runs now, writing both switches (and the end of
-- the lane if it finished).
function M.resume(co, ...)
  local from = lane_of[coroutine.running()] or 0
  local to = lane_of[co] or 0
  green.switch(to, from)
  local r = table.pack(coroutine.resume(co, ...))
  if coroutine.status(co) == "dead" then green.finish(to) end
  green.switch(from, to)
  return r
end

local co_running, co_status =
  coroutine.running, coroutine.status

-- yield(v): gives v to whoever resumed; returns what send passed. A value
-- thrown in (throw, close) is raised here. (In C: a send round trip is the
-- hot path of every generator.)
local yield = green.yielder(THROW)
_G.yield = yield

-- Whether the body of co is suspended in yield() (which raises what throw
-- and close send in), not in a bare coroutine.yield: asked on throw and
-- close only, so that a yield costs no bookkeeping.
local getinfo = debug.getinfo
local function in_yield(co)
  local at = getinfo(co, 0, "f")
  return at ~= nil and at.func == yield
end

local Gen = {}
Gen.__index = Gen
Gen.__name = "generator"

function Gen.__tostring(g) return "<generator object " .. g.name .. ">" end

local function check(g, what)
  if getmetatable(g) ~= Gen then
    error(errors.TypeError(what .. " needs a generator, got " .. type(g)), 3)
  end
end

-- generator(fn, ...): a generator object that runs fn(...) on first next.
local function new(fn, ...)
  if type(fn) ~= "function" then
    error(errors.TypeError("generator() needs a function, got " .. type(fn)), 2)
  end
  local args = table.pack(...)
  local co = coroutine.create(function() return fn(table.unpack(args, 1, args.n)) end)
  local name = M.name(fn)
  local lane = green.new("generator", name)
  lane_of[co] = lane
  green.set_lane(co, lane)
  -- g[1]: the coroutine while g is open, for send's C half (green.sender);
  -- send in g itself: g:send(v) finds it without the metatable's __index
  return setmetatable({ co, co = co, lane = lane, name = name, started = false, closed = false,
                        send = Gen.send }, Gen)
end

local function shut(g)
  g.closed, g[1] = true, nil
end

-- The one step every operation shares: resume with args (green.step, one
-- C call: both switches and the resume), and turn the outcome into
-- Python's (a value, StopIteration(value), or the body's error).
local YIELDED, RAISED = 1, 3
local g_step = green.step
local function stepped(g, how, ...)
  if how == YIELDED then return ... end
  shut(g)
  if how == RAISED then
    local e = ...
    -- PEP 479: a StopIteration escaping a body is a RuntimeError.
    if type(e) == "table" and e.type == "StopIteration" then
      e = errors.RuntimeError("generator raised StopIteration")
    end
    error(e, 0)
  end
  local stop = StopIteration((...))
  stop.value = (...)
  error(stop, 0)
end

local function step(g, ...)
  if g.closed then error(StopIteration(), 3) end
  local now = co_status(g.co)
  if now == "running" or now == "normal" then
    error(errors.ValueError("generator already executing"), 3)
  end
  g.started = true
  return stepped(g, g_step(g.co, g.lane, lane_of[co_running()] or 0, ...))
end

-- send and next: a suspended generator is resumed by green.sender in one
-- C call; these take every other case.
local function send(self, v)
  if type(self) ~= "table" or self.co == nil then check(self, "send") end
  if not self.started and v ~= nil then
    error(errors.TypeError("can't send non-None value to a just-started generator"), 2)
  end
  return step(self, v)
end
Gen.send = green.sender(send, stepped)

Gen.next = green.sender(function(self) check(self, "next") return step(self) end, stepped)
Gen.__next = Gen.next

-- g:throw(e): raises e where the body is suspended.
function Gen:throw(e)
  check(self, "throw")
  if not self.started or not in_yield(self.co) then
    -- nothing to raise it in: it ends the generator and comes straight back
    shut(self)
    coroutine.close(self.co)
    error(e, 2)
  end
  return step(self, THROW, e)
end

-- g:close(): GeneratorExit at the suspension point; the body may clean up
-- but must not yield again.
function Gen:close()
  check(self, "close")
  if self.closed then return end
  if not self.started or not in_yield(self.co) then
    shut(self)
    coroutine.close(self.co) -- runs pending <close> variables, as finally
    return
  end
  local ok, e = pcall(step, self, THROW, GeneratorExit())
  if ok then -- (it stays suspended where it yielded, as in Python)
    error(errors.RuntimeError("generator ignored GeneratorExit"), 2)
  end
  if type(e) == "table" and (e.type == "GeneratorExit" or e.type == "StopIteration") then return end
  error(e, 2)
end

-- for v in g do ... end: ends on StopIteration.
function Gen.__call(g)
  if g.closed then return nil end
  local ok, v = pcall(step, g)
  if ok then return v end
  if type(v) == "table" and v.type == "StopIteration" then return nil end
  error(v, 2)
end

function Gen:__close() self:close() end

-- yield_from(sub): `yield from sub` inside a body. Passes every value out
-- and every send in; returns sub's return value. sub may be a generator or
-- a list.
function _G.yield_from(sub)
  if getmetatable(sub) ~= Gen then
    if type(sub) ~= "table" then
      error(errors.TypeError("yield_from needs a generator or a list, got " .. type(sub)), 2)
    end
    for _, v in ipairs(sub) do yield(v) end
    return nil
  end
  local ok, v = pcall(step, sub)
  while true do
    if not ok then
      if type(v) == "table" and v.type == "StopIteration" then return v.value end
      error(v, 0)
    end
    local got = table.pack(pcall(yield, v))
    if got[1] then
      ok, v = pcall(step, sub, got[2])
    elseif type(got[2]) == "table" and got[2].type == "GeneratorExit" then
      sub:close()
      error(got[2], 0)
    else
      ok, v = pcall(step, sub, THROW, got[2])
    end
  end
end

-- next(g [, default]) advances a generator; next(t [, k]) is Lua's.
local lua_next = next
function _G.next(x, ...)
  if getmetatable(x) == Gen then
    if select("#", ...) == 0 then return Gen.next(x) end
    local default = ...
    local ok, v = pcall(step, x)
    if ok then return v end
    if type(v) == "table" and v.type == "StopIteration" then return default end
    error(v, 2)
  end
  return lua_next(x, ...)
end

-- For the loops built on generators (gevent's hub, asyncio's event loop):
-- waits (select, the thread's I/O wait, and the loop's lane's) on the
-- descriptors in io, entries {fd=, mode="r"|"w", wake=}, at most timeout;
-- wakes the ready ones and returns the entries still waiting
-- (green.poll_io(io, timeout, lane), in C: no table a pass).
M._poll_io = green.poll_io

M.Generator = Gen
M.isgenerator = function(x) return getmetatable(x) == Gen end
return setmetatable(M, { __call = function(_, ...) return new(...) end })
