-- The notes' Event example (000, §3.3): the light is red, the car waits,
-- the light turns green (event:set()), the car goes.
local check = dofile("tests/lua/check.lua")

local out = {}
local function say(s)
  print(s)
  table.insert(out, s)
end

local event = threading.Event()

local function light()
  say("红灯正亮着")
  time.sleep(0.05)
  event:set() -- 绿灯亮
end

local function car(name)
  say(("车%s正在等绿灯"):format(name))
  event:wait()
  say(("车%s通行"):format(name))
end

local t1 = threading.Thread{target = light}
t1:start()
local t = threading.Thread{target = car, args = {1}}
t:start()
t1:join(); t:join()
check.eq(table.concat(out, "|"), "红灯正亮着|车1正在等绿灯|车1通行", "red, the car waits, the car goes")
check.eq(event:is_set(), true, "green")
check.eq(lab.count("event-set"), 1, "one set")
check.eq(lab.count("event-wait"), 1, "the car waited")
check.eq(lab.count("event-wake"), 1, "and was woken")
print("ok")
