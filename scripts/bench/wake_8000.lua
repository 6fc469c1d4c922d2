-- bench wake-8000: 8,000 threads wait on one Event; set() wakes them all.
-- Measured inside the program, from set() until the last waiter runs, the
-- same way as wake_8000.py. Prints the seconds as its last word.
N = tonumber(arg and arg[1]) or 8000
ev = threading.Event()
left = N
t_last = nil

function waiter()
  ev:wait()
  left = left - 1
  if left == 0 then t_last = time.perf_counter() end
end

threads = {}
for i = 1, N do
  threads[i] = threading.Thread{target = waiter}
  threads[i]:start()
end
-- The clock starts with every waiter parked in wait() (the Event's own
-- list of waiters, as CPython's _cond._waiters).
while #ev._cond._waiters < N do time.sleep(0.001) end
t_set = time.perf_counter()
ev:set()
for i = 1, N do threads[i]:join() end
print(("woke %d in %.4f"):format(N, t_last - t_set))
