-- bench counter-2x10M: 2 threads x N (default 10,000,000) `g = g + 1` on a
-- shared global, no lock; start both, join both, print g.
-- Python twin: counter_2x10M.py.  Usage: threadlab --headless counter_2x10M.lua [N]
N = tonumber(arg and arg[1]) or 10000000
g = 0

function work()
  for i = 1, N do
    g = g + 1
  end
end

t1 = threading.Thread{target=work}
t2 = threading.Thread{target=work}
t1:start()
t2:start()
t1:join()
t2:join()
print(g)
