-- greenlet on Lua coroutines: greenlet(fn, parent), g:switch(...) with
-- values passed both ways, getcurrent(), .parent, .dead, GreenletExit,
-- g:throw(e), greenlet.error. Lua's coroutines are asymmetric, greenlets
-- are symmetric: the thread's main greenlet runs a trampoline that resumes
-- whichever greenlet was switched to, so any greenlet can switch to any
-- other of its thread. The trace shows the switches as the user made them
-- (gr1 -> gr2 directly), the trampoline being no part of the lesson.
local parts = ...
local errors, green, gen = parts.errors, parts.green_core, parts.generator

local M = {}
local GreenletExit = errors.class("GreenletExit", errors.BaseException)
M.GreenletExit = GreenletExit
M.error = errors.class("greenlet.error", errors.Exception)
_G.GreenletExit = GreenletExit

local gl_of = setmetatable({}, { __mode = "k" }) -- coroutine -> greenlet
local mains = setmetatable({}, { __mode = "k" }) -- root coroutine -> main greenlet
local SWITCH = {}

local methods = {}
local GL = { __index = methods, __name = "greenlet" }
M.methods, M.GL = methods, GL
function GL.__tostring(g)
  return ("<greenlet %s%s>"):format(g.name, g.dead and " (dead)" or "")
end

-- The greenlet running now; a thread's first call makes its main greenlet.
function M.getcurrent()
  local co = coroutine.running()
  local g = gl_of[co]
  if g then return g end
  g = mains[co]
  if not g then
    g = setmetatable({ main = true, root = co, lane = 0, name = "main",
                       started = true, dead = false }, GL)
    mains[co] = g
  end
  return g
end

local function isgreenlet(x)
  local mt = getmetatable(x)
  return mt ~= nil and type(mt) == "table" and mt.__greenlet == true
end
GL.__greenlet = true
M.isgreenlet = isgreenlet

-- greenlet(run, parent) or greenlet{run=, parent=, name=}; mt lets gevent
-- make its Greenlet class on the same machinery.
function M.new(run, parent, mt, name, kind)
  local cur = M.getcurrent()
  parent = parent or cur
  if not isgreenlet(parent) then
    error(errors.TypeError("parent must be a greenlet"), 3)
  end
  local g = setmetatable({ run = run, parent = parent, root = parent.root,
                           started = false, dead = false }, mt or GL)
  g.name = name or (type(run) == "function" and gen.name(run) or "greenlet")
  g.co = coroutine.create(function(throw, ...)
    if throw then error(..., 0) end
    if type(g.run) ~= "function" then
      error(errors.TypeError("greenlet has no run function"), 0)
    end
    return g.run(...)
  end)
  gl_of[g.co] = g
  g.lane = green.new(kind or "greenlet", g.name)
  return g
end

local function alive_parent(g)
  local p = g.parent
  while p.dead do p = p.parent end
  return p
end

-- What ends a greenlet goes to its parent: a return value as the switch's
-- result, an error raised in it (GreenletExit is a quiet return).
local function ended(g, ok, ...)
  g.dead = true
  green.finish(g.lane)
  if ok then return false, ... end
  local e = ...
  if type(e) == "table" and e.type == "GreenletExit" then return false, e end
  return true, e
end

-- The main greenlet's trampoline: runs target with (throw, ...) and then
-- whichever greenlet it switches to, until one switches back to main.
-- shown is the lane the trace last switched to. (Varargs and tail calls,
-- not tables: every switch goes through here.)
local co_resume, co_status, co_yield = coroutine.resume, coroutine.status, coroutine.yield
local stepped

local function trampoline(main, shown, target, throw, ...)
  if target == main then
    green.switch(0, shown)
    if throw then error((...), 0) end
    return ...
  end
  if target ~= nil and target.lane ~= shown then
    green.switch(target.lane, shown)
    shown = target.lane
  end
  if not target.started and throw then
    target.started = true
    coroutine.close(target.co)
    return trampoline(main, shown, alive_parent(target), ended(target, false, (...)))
  end
  target.started = true
  return stepped(main, shown, target, co_resume(target.co, throw, ...))
end

function stepped(main, shown, target, ok, ...)
  if not ok then
    return trampoline(main, shown, alive_parent(target), ended(target, false, (...)))
  elseif co_status(target.co) == "dead" then
    return trampoline(main, shown, alive_parent(target), ended(target, true, ...))
  elseif (...) == SWITCH then
    return trampoline(main, shown, select(2, ...))
  end
  -- a bare coroutine.yield in a greenlet: there is no one to give it to;
  -- greenlet has no such thing, so it is an error in it.
  return trampoline(main, shown, target, true, errors.RuntimeError(
    "coroutine.yield inside a greenlet: use switch"))
end

local function switched(throw, ...)
  if throw then error((...), 0) end
  return ...
end

local function switch_to(target, throw, ...)
  local cur = M.getcurrent()
  if target.root ~= cur.root then
    error(M.error("cannot switch to a different thread"), 3)
  end
  while target.dead do target = target.parent end
  if target == cur then
    if throw then error(..., 3) end
    return ...
  end
  if cur.main then return trampoline(cur, 0, target, throw, ...) end
  return switched(co_yield(SWITCH, target, throw, ...))
end
M.switch_to = switch_to

function methods:switch(...)
  if not isgreenlet(self) then error(errors.TypeError("switch needs a greenlet"), 2) end
  return switch_to(self, false, ...)
end

function methods:throw(e)
  if not isgreenlet(self) then error(errors.TypeError("throw needs a greenlet"), 2) end
  return switch_to(self, true, e or GreenletExit())
end

-- True while started and not dead (Python's bool(g)).
function methods:active() return self.started and not self.dead end

M.getcurrent = M.getcurrent
return setmetatable(M, {
  __call = function(_, run, parent)
    if type(run) == "table" and not isgreenlet(run) then
      return M.new(run.run, run.parent, nil, run.name)
    end
    return M.new(run, parent)
  end,
})
