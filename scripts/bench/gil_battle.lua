-- bench gil-py2/py3-threaded-vs-seq: Beazley's GIL experiment (Inside the
-- Python GIL, 2009): count(n) twice in a row, then in two threads at once;
-- prints both wall times and their ratio (threaded / sequential).
-- Python twin: gil_battle.py.  Usage: threadlab --headless [--gil py2] gil_battle.lua [N]
N = tonumber(arg and arg[1]) or 20000000

function count(n)
  while n > 0 do n = n - 1 end
end

local t0 = time.perf_counter()
count(N)
count(N)
local seq = time.perf_counter() - t0

t0 = time.perf_counter()
t1 = threading.Thread{target = count, args = {N}}
t2 = threading.Thread{target = count, args = {N}}
t1:start(); t2:start()
t1:join(); t2:join()
local thr = time.perf_counter() - t0
print(("seq %.3f threaded %.3f ratio %.3f"):format(seq, thr, thr / seq))
