-- bench counter-1x20M: 1 thread x N (default 20,000,000) `g = g + 1` on a
-- global; start it, join it, print g.  The same total work as counter-2x10M
-- with nobody to compete with for the GIL.
-- Python twin: counter_1x20M.py.  Usage: threadlab --headless counter_1x20M.lua [N]
N = tonumber(arg and arg[1]) or 20000000
g = 0

function work()
  for i = 1, N do
    g = g + 1
  end
end

t1 = threading.Thread{target=work}
t1:start()
t1:join()
print(g)
