-- bench cpu-4proc-vs-4threads: the same CPU-bound work (N iterations of
-- s = s + i % 7) in 4 threads, then in 4 processes; prints both wall times
-- and their ratio (processes / threads), then "ok".
-- Python twin: cpu_4proc_vs_4threads.py.
local N = tonumber(arg and arg[1]) or 5000000
local function work()
  local s = 0
  for i = 1, N do s = s + i % 7 end
  return s
end
local t0 = time.perf_counter()
local ts = {}
for i = 1, 4 do ts[i] = threading.Thread{ target = work }; ts[i]:start() end
for i = 1, 4 do ts[i]:join() end
local th = time.perf_counter() - t0
t0 = time.perf_counter()
local ps = {}
for i = 1, 4 do ps[i] = mp.Process{ target = work }; ps[i]:start() end
for i = 1, 4 do ps[i]:join() end
local pr = time.perf_counter() - t0
print(("threads=%.3f procs=%.3f ratio=%.3f ok"):format(th, pr, pr / th))
