-- bench lock-loop-2x3M: 2 threads x N (default 3,000,000) rounds of
-- acquire / `g = g + 1` / release on one shared Lock; start both, join
-- both, print g and how many events the trace recorded.
-- Python twin: lock_loop_2x3M.py.  Usage: threadlab --headless lock_loop_2x3M.lua [N]
N = tonumber(arg and arg[1]) or 3000000
g = 0
lock = threading.Lock()

function work()
  for i = 1, N do
    lock:acquire()
    g = g + 1
    lock:release()
  end
end

t1 = threading.Thread{target=work}
t2 = threading.Thread{target=work}
t1:start()
t2:start()
t1:join()
t2:join()
local ev, lost = lab.trace_stats()
io.stderr:write(("events=%d\n"):format(ev + lost))
print(g)
