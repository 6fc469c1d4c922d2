-- The notes' Condition example (000, §2.5): go1 takes the condition first
-- (Thread:start() returns once the thread runs), prints 0..5, waits; go2
-- prints 0..6 and notifies; go1 goes on with 6 and 7. The notes sleep 1 s a
-- line; 0.01 s keeps the test short.
local check = dofile("tests/lua/check.lua")

local out = {}
local function say(...)
  print(...)
  table.insert(out, table.concat({...}, " "))
end

local cond
local function go1()
  threading.with(cond, function()
    for i = 0, 7 do
      time.sleep(0.01)
      say(threading.current_thread().name, i, "go11")
      if i == 5 then cond:wait() end
    end
  end)
end

local function go2()
  threading.with(cond, function()
    for i = 0, 6 do
      time.sleep(0.01)
      say(threading.current_thread().name, i)
    end
    cond:notify()
  end)
end

cond = threading.Condition()
local a = threading.Thread{target = go1}
a:start() -- this one must take the condition first
local b = threading.Thread{target = go2}
b:start()
a:join(); b:join()

local want = {}
for i = 0, 5 do want[#want + 1] = a.name .. " " .. i .. " go11" end
for i = 0, 6 do want[#want + 1] = b.name .. " " .. i end
for i = 6, 7 do want[#want + 1] = a.name .. " " .. i .. " go11" end
check.eq(table.concat(out, "\n"), table.concat(want, "\n"), "the notes' order")
print("ok")
