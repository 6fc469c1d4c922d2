-- A long loop inside a coroutine (a generator, a greenlet, an asyncio
-- task) still lets the other threads in: the GIL's switch request reaches
-- the coroutine that runs, not only the thread's own state. Before the fix
-- the other thread waited for the whole loop (real clock: the request hook
-- went to a state that was not running).
local check = dofile("tests/lua/check.lua")

local function starved(make_and_run)
  local b_ran = false
  local b = threading.Thread{target = function() b_ran = true end}
  local seen
  local a = threading.Thread{target = function()
    make_and_run(function()
      local n = 0
      while not b_ran and n < 200000000 do n = n + 1 end
      seen = b_ran
    end)
  end}
  a:start() b:start() a:join() b:join()
  return seen
end

check.truthy(starved(function(body) next(generator(function() body() yield(1) end)) end),
             "the other thread ran during a generator's loop")
check.truthy(starved(function(body) greenlet(body):switch() end),
             "the other thread ran during a greenlet's loop")
check.truthy(starved(function(body) asyncio.run(body) end),
             "the other thread ran during an asyncio task's loop")
local co = coroutine.wrap(function() return 5 end)
check.eq(co(), 5, "coroutine.wrap still works")
check.eq(select(2, coroutine.resume(coroutine.create(function() return 7 end))), 7, "coroutine.resume still works")
print("ok")
