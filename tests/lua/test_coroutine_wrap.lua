-- coroutine.resume and coroutine.wrap keep Lua's meaning (they are the
-- engine's own, in C, so that the thread's hooks follow the coroutine that
-- runs); checked against a stock Lua 5.4.
local check = dofile("tests/lua/check.lua")
local f = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
check.eq(f(1), 2, "the first resume gives what yield passes")
check.eq(f(10), 20, "the second what the body returns")
local ok, e = pcall(f)
check.eq(ok, false, "a finished wrap raises") check.eq(e, "cannot resume dead coroutine", "Lua's message")
-- an error in the body ends the coroutine, closing its to-be-closed variables
local closed = false
local g = coroutine.wrap(function()
  local x <close> = setmetatable({}, { __close = function() closed = true end })
  coroutine.yield(1)
  error({ code = 7 })
end)
check.eq(g(), 1, "yielded")
ok, e = pcall(g)
check.eq(ok, false, "raised") check.eq(e.code, 7, "the error object, untouched")
check.truthy(closed, "the pending <close> variable was closed")
-- a wrap calling itself: Lua's message, not an error from inside the engine
local self_call
self_call = coroutine.wrap(function() return self_call() end)
ok, e = pcall(self_call)
check.eq(e, "cannot resume non-suspended coroutine", "resuming a running coroutine")
check.raises("TypeError", coroutine.wrap, 42)
-- resume: every value both ways, nils kept
local co = coroutine.create(function(...) return select("#", ...), coroutine.yield(...) end)
local r = table.pack(coroutine.resume(co, 1, nil, 3))
check.eq(r.n, 4, "true and three values") check.eq(r[4], 3, "the third after a nil")
r = table.pack(coroutine.resume(co, "a", "b"))
check.eq(r.n, 4, "true, the count and the two values") check.eq(r[2], 3, "three arguments seen")
r = table.pack(coroutine.resume(co))
check.eq(r[1], false, "dead") check.eq(r[2], "cannot resume dead coroutine", "Lua's message")
check.raises("TypeError", coroutine.resume, 42)
print("ok")
