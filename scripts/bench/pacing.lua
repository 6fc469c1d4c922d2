-- bench pacing: --clock virtual --speed 1 should take about the virtual
-- duration in wall time. Two threads share 2 s of virtual time: one sleeps
-- in steps, one computes in Lua (its instructions cost virtual time).
local t0 = time.perf_counter()
local sleeper = threading.Thread{target = function()
  for _ = 1, 20 do time.sleep(0.1) end
end}
local worker = threading.Thread{target = function()
  local x = 0
  while time.perf_counter() - t0 < 1.5 do x = x + 1 end
end}
sleeper:start(); worker:start(); sleeper:join(); worker:join()
print(string.format("%.6f", time.perf_counter() - t0))
