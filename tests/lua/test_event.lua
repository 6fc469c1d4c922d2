-- threading.Event, for the cases CPython's lock_tests.py checks (EventTests).
local check = dofile("tests/lua/check.lua")
local H = dofile("tests/lua/bunch.lua")

local evt = threading.Event()
check.eq(evt:is_set(), false, "a new event is clear")
evt:set()
check.eq(evt:is_set(), true, "set")
evt:set()
check.eq(evt:is_set(), true, "set twice")
evt:clear()
check.eq(evt:is_set(), false, "clear")
evt:clear()
check.eq(evt:isSet(), false, "clear twice (isSet spelling)")

-- every waiter is woken, and wait returns true
local function check_notify(e)
  local N = 5
  local results1, results2 = {}, {}
  local b = H.bunch(function()
    table.insert(results1, e:wait())
    table.insert(results2, e:wait())
  end, N)
  b:wait_for_started()
  H.pause()
  check.eq(#results1, 0, "waiters wait")
  e:set()
  b:wait_for_finished()
  check.eq(H.sorted(results1), "true,true,true,true,true", "first waits")
  check.eq(H.sorted(results2), "true,true,true,true,true", "second waits")
end
evt = threading.Event()
check_notify(evt)
evt:set()
evt:clear()
check_notify(evt)

-- timeouts: false while clear, true once set
evt = threading.Event()
local results1, results2 = {}, {}
local function f()
  table.insert(results1, evt:wait(0))
  local dt, r = H.timed(evt.wait, evt, 0.05)
  table.insert(results2, { r, dt })
end
H.bunch(f, 5):wait_for_finished()
check.eq(H.sorted(results1), "false,false,false,false,false", "wait(0) on a clear event")
for _, r in ipairs(results2) do
  check.eq(r[1], false, "timed out")
  H.at_least(r[2], 0.05, "Event.wait(0.05)")
end
results1, results2 = {}, {}
evt:set()
H.bunch(f, 5):wait_for_finished()
check.eq(H.sorted(results1), "true,true,true,true,true", "wait(0) on a set event")
for _, r in ipairs(results2) do check.eq(r[1], true, "set event") end

-- set then clear at once: the waiters still return true
evt = threading.Event()
local results = {}
local b = H.bunch(function() table.insert(results, evt:wait(5)) end, 5)
b:wait_for_started()
H.wait_until(function() return #evt._cond._waiters == 5 end, "five waiters")
evt:set()
evt:clear()
b:wait_for_finished()
check.eq(H.sorted(results), "true,true,true,true,true", "set and clear")

check.truthy(tostring(threading.Event{name = "E"}):find("E: unset"), "repr")
check.raises("TypeError", function() threading.Event():wait("x") end)
print("ok")
