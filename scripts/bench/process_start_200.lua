-- bench process-start-200: start and join 200 processes one after another
-- (multiprocessing.Process, fork), print how many ran.
-- Python twin: process_start_200.py.
local n = tonumber(arg and arg[1]) or 200
local ran = 0
for _ = 1, n do
  local p = mp.Process{ target = function() end }
  p:start()
  p:join()
  if p.exitcode == 0 then ran = ran + 1 end
end
print(ran)
