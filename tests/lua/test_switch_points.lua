-- Lost updates: with instruction switch points a switch can fall between the
-- read and the write of g = g + 1 (CPython <= 3.9); with statement switch
-- points it cannot (CPython 3.10+). That none are lost holds on any clock;
-- that some are depends, on the real clock, on the machine handing the GIL
-- over in time (py2 on a loaded machine may not: one thread then counts
-- alone), so it is checked on the virtual clock, where a seed replays it.
local check = dofile("tests/lua/check.lua")

local function race(n)
  g = 0
  local ts = {}
  for i = 1, 2 do
    ts[i] = threading.Thread{target = function() for _ = 1, n do g = g + 1 end end}
    ts[i]:start()
  end
  for i = 1, 2 do ts[i]:join() end
  return g
end

lab.gil{switch_interval = 0.2, switch_points = "statement"}
check.eq(race(1000000), 2000000, "statement switch points lose none")

lab.gil{policy = "py2", switch_points = "statement"}
check.eq(race(1000000), 2000000, "py2 with statement switch points loses none")

lab.gil{policy = "py2", switch_points = "instruction"}
race(10000)
-- py2 counts ticks only while a thread waits for the GIL: a lone thread
-- runs with no hook (a count hook sends every Lua instruction down the
-- VM's slow path) (a TSan build
-- polls for signals with a count hook: not there).
if os.getenv("TL_SANITIZER") ~= "tsan" then
  for _ = 1, 10000 do end -- a tick left from the race above sees nobody waits
  check.eq(debug.gethook(), nil, "py2: a lone thread runs with no hook")
end

local s = lab.gil()
check.eq(s.policy, "py2", "settings read back")

lab.clock{clock = "virtual", speed = 0}
lab.gil{policy = "py3", switch_interval = 0.2, switch_points = "instruction"}
local lost = race(100000)
check.truthy(lost < 200000, "instruction switch points lose updates (got " .. lost .. ")")
check.truthy(lab.count("gil-drop-request") > 2, "switches were requested")
lab.gil{switch_points = "statement"}
check.eq(race(100000), 200000, "statement switch points lose none (virtual clock)")
lab.gil{policy = "py2", switch_points = "instruction"}
lost = race(100000)
check.truthy(lost < 200000, "py2 ticks lose updates too (got " .. lost .. ")")
check.raises("ValueError", lab.gil, {switch_interval = -1})
print("ok")
