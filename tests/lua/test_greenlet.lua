-- greenlet in the real greenlet's terms (checked with Debian's
-- python3-greenlet under /usr/bin/python3).
local check = dofile("tests/lua/check.lua")

-- the greenlet documentation example: 12 56 34, never 78
local out = {}
local gr1, gr2
gr1 = greenlet(function() out[#out + 1] = 12; gr2:switch(); out[#out + 1] = 34 end)
gr2 = greenlet(function() out[#out + 1] = 56; gr1:switch(); out[#out + 1] = 78 end)
gr1:switch()
check.eq(table.concat(out, " "), "12 56 34", "the documented order")
check.eq(gr1.dead, true, "gr1 ended") check.eq(gr2.dead, false, "gr2 never resumed")

-- values pass both ways; the return value goes to the parent
local g = greenlet(function(a)
  local b = greenlet.getcurrent().parent:switch(a + 1)
  return b * 2
end)
check.eq(g:switch(1), 2, "value out") check.eq(g:switch(10), 20, "return value to parent")
check.eq(g.dead, true, "dead after return")
check.eq(greenlet.getcurrent().parent, nil, "the main greenlet has no parent")
check.eq(g.parent, greenlet.getcurrent(), "parent defaults to the creator")

-- throw: into an unstarted greenlet GreenletExit comes back as the value
local u = greenlet(function() return 1 end)
check.eq(u:throw().type, "GreenletExit", "GreenletExit returned")
check.eq(u.dead, true, "killed before starting")
-- into a suspended one, the error is raised there and reaches the parent
local s = greenlet(function() greenlet.getcurrent().parent:switch(5) end)
s:switch()
check.raises("ValueError", s.throw, s, ValueError("x"))
check.eq(s.dead, true, "died of the thrown error")
-- an error in a greenlet is raised in its parent
local bad = greenlet(function() error(RuntimeError("boom")) end)
check.raises("RuntimeError", bad.switch, bad)
-- switching to a dead greenlet goes to its parent
check.eq(select("#", gr1:switch()), 0, "a dead greenlet's switch returns to us")

-- a greenlet of another thread: greenlet.error
local other = greenlet(function() return 1 end)
local msg
local t = threading.Thread{target = function()
  local ok, e = pcall(other.switch, other)
  msg = not ok and e.type .. ": " .. e.message
end}
t:start() t:join()
check.eq(msg, "greenlet.error: cannot switch to a different thread", "cross-thread switch")
check.raises("TypeError", greenlet, function() end, 42)

-- 002 §6.14 style ping-pong, bounded: A and B alternate
local log = {}
local ga, gb
ga = greenlet(function() for i = 1, 3 do log[#log + 1] = "A" gb:switch() end end)
gb = greenlet(function() for i = 1, 3 do log[#log + 1] = "B" ga:switch() end end)
ga:switch()
check.eq(table.concat(log), "ABABAB", "alternating")
print("ok")
