-- Pool.join while the result-handler thread takes the last results out of
-- the pool's cache: join must not trip over an entry that went between
-- two of its looks (it raised "attempt to index a nil value"). The old
-- GIL with a check every tick, next to a thread that computes, switches
-- threads every few instructions, so over 300 small pools the handler
-- empties the cache at every point of join's loop: without the fix this
-- failed within two seconds in each of 8 runs, with it 10 of 10 passed.
local check = dofile("tests/lua/check.lua")

function work(i) return i end

lab.gil{ policy = "py2", check_interval = 1 }
-- a thread that computes keeps the GIL contended; it sleeps now and then,
-- or the old GIL's failed wake-ups could starve the main thread for long
local stop = false
local spinner = threading.Thread{ daemon = true, name = "spinner", target = function()
  local x = 0
  while not stop do
    x = x + 1
    if x % 500 == 0 then time.sleep(0.0001) end
  end
end }
spinner:start()

local t0 = time.monotonic()
for round = 1, 300 do
  local p = mp.Pool(2)
  local rs = {}
  for i = 1, 4 do rs[i] = p:apply_async(work, { i }) end
  p:close()
  p:join()
  for i = 1, 4 do check.eq(rs[i]:get(0), i, "round " .. round .. ", task " .. i) end
  if time.monotonic() - t0 > 20 then break end -- a slow build: fewer rounds
end
stop = true
spinner:join()
print("ok")
