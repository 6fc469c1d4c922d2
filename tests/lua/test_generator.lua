-- Generators in Python's terms; each case was checked against python3.
local check = dofile("tests/lua/check.lua")

-- next / send / StopIteration carrying the return value
local g = generator(function(a)
  local x = yield(a)
  yield(x * 2)
  return "done"
end, 5)
check.eq(next(g), 5, "first next runs to the first yield")
check.eq(g:send(10), 20, "send's value is what yield returns")
local e = check.raises("StopIteration", next, g)
check.eq(e.value, "done", "StopIteration.value is the return value")
check.raises("StopIteration", next, g) -- a finished generator stays finished
check.eq(next(g, "dflt"), "dflt", "next(g, default) on an exhausted generator")

-- next keeps Lua's meaning on tables
local k, v = next({ a = 1 })
check.eq(k, "a", "next(t) is Lua's") check.eq(v, 1, "next(t) value")
check.eq(next({}), nil, "next of an empty table")

-- sending a value to a just-started generator is a TypeError, as in Python
local g2 = generator(function() yield(1) end)
check.raises("TypeError", g2.send, g2, 1)

-- for loops end at StopIteration
local function count(n) for i = 1, n do yield(i) end end
local seen = {}
for i in generator(count, 4) do seen[#seen + 1] = i end
check.eq(table.concat(seen, ","), "1,2,3,4", "for over a generator")

-- close raises GeneratorExit at the yield; finally-style cleanup runs
local cleaned = false
local g3 = generator(function()
  local ok, err = pcall(yield, 1)
  cleaned = true
  error(err, 0)
end)
next(g3)
g3:close()
check.truthy(cleaned, "close raised GeneratorExit inside the body")
check.raises("StopIteration", next, g3)
-- a body that yields after GeneratorExit: RuntimeError
local g4 = generator(function() pcall(yield, 1) yield(2) end)
next(g4)
check.raises("RuntimeError", g4.close, g4)
-- ... and stays suspended there: next resumes it (python3 prints 1 here)
local g4b = generator(function() while true do pcall(yield, 1) end end)
next(g4b)
check.raises("RuntimeError", g4b.close, g4b)
check.eq(next(g4b), 1, "a generator that ignored GeneratorExit goes on")
-- a generator sending to itself: ValueError, as in Python
local self_send
self_send = generator(function() yield(self_send:send(nil)) end)
local se = check.raises("ValueError", next, self_send)
check.truthy(tostring(se.message or se):find("already executing"), "the message says why")
-- many values through one send (more than a C function's free stack)
local many = generator(function()
  local v = yield()
  while true do v = yield(table.unpack(v, 1, 60)) end
end)
next(many)
local list = {}
for i = 1, 60 do list[i] = i end
check.eq(select("#", many:send(list)), 60, "sixty values come back from one send")
check.eq(select(60, many:send(list)), 60, "the last of them")

-- throw raises at the suspension point; the body may catch and go on
local g5 = generator(function()
  local ok, err = pcall(yield, 1)
  yield(ok and "no" or err.type)
end)
next(g5)
check.eq(g5:throw(ValueError("x")), "ValueError", "throw raised inside")

-- yield_from passes values out and sends in, and returns the sub's value
local function inner() local x = yield("i1") yield("i2:" .. tostring(x)) return "inner-ret" end
local got
local outer = generator(function() got = yield_from(generator(inner)) yield("after") end)
check.eq(next(outer), "i1", "delegated first value")
check.eq(outer:send("S"), "i2:S", "send goes to the sub-generator")
check.eq(next(outer), "after", "outer resumes after the sub returns")
check.eq(got, "inner-ret", "yield_from returns the sub's return value")
local lst = generator(function() yield_from({ 7, 8 }) end)
check.eq(next(lst) + next(lst), 15, "yield_from a list")

-- PEP 479: StopIteration inside a body becomes RuntimeError
local g6 = generator(function() error(StopIteration("x")) end)
check.raises("RuntimeError", next, g6)
-- throw into a body suspended in a bare coroutine.yield (not yield()):
-- nothing there raises it, so it ends the generator and comes straight back;
-- one suspended in yield() via yield_from's pcall still catches it
local g7 = generator(function() coroutine.yield(1) return "unreached" end)
check.eq(next(g7), 1, "bare coroutine.yield gives its value")
check.raises("ValueError", g7.throw, g7, ValueError("y"))
check.raises("StopIteration", next, g7)
local caught
local inner = generator(function()
  local ok, e = pcall(yield, 1)
  caught = not ok and e.type
  yield(2)
end)
local outer = generator(function() return yield_from(inner) end)
check.eq(next(outer), 1, "yield_from passes the first value")
check.eq(outer:throw(ValueError("z")), 2, "the throw reached the inner body, which went on")
check.eq(caught, "ValueError", "inner body caught the thrown error")
-- send on something that is not a generator
check.raises("TypeError", getmetatable(outer).__index.send, 42, 1)
-- bad input
check.raises("TypeError", generator, 42)

print("ok")
