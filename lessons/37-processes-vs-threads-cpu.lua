lesson{
  title = { en = "Processes vs threads for CPU work", zh = "CPU 密集的任务：多进程对多线程" },
  source = "002 §7.1; 004 GIL, 互斥锁 (购票)",
}

say{
  en = [[
    Threads of one process share one GIL: only one of them runs Lua at a time,
    so four CPU-bound threads take as long as doing the work four times in a row.
    Each process has its own GIL (note 004: "each process has its own GIL").
    Four CPU-bound processes run side by side on as many cores as the machine has:
    here 4 virtual cores (lab.clock{cores = 4}, or --cores 4), so the same work
    in processes takes about a quarter of the time.
    That is why 002 §7.1 says: processes for CPU-bound work, threads for I/O.]],
  zh = [[
    同一个进程的线程共用一个 GIL：同一时刻只有一个线程在运行 Lua，
    所以四个 CPU 密集的线程，和把活连着干四遍一样久。
    每个进程有自己的 GIL（笔记 004：“每个进程有各自独立的GIL互不干扰”）。
    四个 CPU 密集的进程，在机器有几个核就能并排跑几个：
    这里是 4 个虚拟核（lab.clock{cores = 4}，或 --cores 4），
    所以同样的活用进程做，大约只要四分之一的时间。
    所以 002 §7.1 说：CPU 密集用多进程，I/O 密集用多线程。]],
}

step{ en = "The same work in 4 threads, then in 4 processes", zh = "同样的活：4 个线程，然后 4 个进程" }

lab.clock{ cores = 4 }

function work()
  local s = 0
  for i = 1, 1000000 do s = s + i % 7 end
  return s
end

drops0 = lab.count("gil-drop-request")
t0 = time.perf_counter()
ts = {}
for i = 1, 4 do ts[i] = threading.Thread{ target = work }; ts[i]:start() end
for i = 1, 4 do ts[i]:join() end
threads_s = time.perf_counter() - t0
drops1 = lab.count("gil-drop-request")

t0 = time.perf_counter()
ps = {}
for i = 1, 4 do ps[i] = mp.Process{ target = work }; ps[i]:start() end
for i = 1, 4 do ps[i]:join() end
procs_s = time.perf_counter() - t0
drops2 = lab.count("gil-drop-request")

print(("4 threads: %.3f s, 4 processes: %.3f s, on %d virtual cores"):format(threads_s, procs_s,
  lab.clock().cores))
print(("the threads asked for the GIL %s; the processes asked %d times"):format(
  drops1 - drops0 > 10 and "over and over" or "rarely", drops2 - drops1))

expect{ printed = { "the threads asked for the GIL over and over; the processes asked 0 times" },
        en = "the threads fought over one GIL; each process had its own, uncontested",
        zh = "线程争抢同一个 GIL；每个进程有自己的 GIL，没人跟它抢" }
expect{ ok = procs_s <= 0.35 * threads_s,
        en = "on 4 cores, the 4 processes took at most 0.35 of the threads' time",
        zh = "在 4 个核上，4 个进程用的时间不超过线程的 0.35" }
-- (on the real clock the times depend on the machine and its load; see
-- make bench, cpu-4proc-vs-4threads)

step{ en = "Who is who: os.getpid() in threads and in processes", zh = "谁是谁：线程里和进程里的 os.getpid()" }

say{
  en = [[
    Note 004's ticket example (互斥锁) runs its buyers as threads and prints
    os.getpid() as if it told them apart. It cannot: threads are one process.]],
  zh = [[
    笔记 004 的买票例子（互斥锁）用线程当买票人，却打印 os.getpid()，
    好像它能区分它们。它不能：线程都在同一个进程里。]],
}

pids = {}
function buyer() pids[#pids + 1] = os.getpid() end
for i = 1, 3 do local t = threading.Thread{ target = buyer }; t:start(); t:join() end
distinct = {}
for _, p in ipairs(pids) do distinct[p] = true end
n = 0; for _ in pairs(distinct) do n = n + 1 end
print(("3 threads printed %d distinct pid(s)"):format(n))
seen = {}
for i = 1, 3 do
  local p = mp.Process{ target = function() print("a buyer in a process of its own") end }
  p:start(); p:join()
  seen[p.pid] = true
end
m = 0; for _ in pairs(seen) do m = m + 1 end
print(("3 processes had %d distinct pids"):format(m))

expect{ printed = { "3 threads printed 1 distinct pid(s)", "3 processes had 3 distinct pids" },
        en = "threads share one pid; processes have their own",
        zh = "线程共用一个 pid；进程各有自己的 pid" }

say{
  en = [[
    On the timeline, the four threads take turns on one GIL row (the orange triangles
    are their drop requests: "let me have it"); the four processes
    each have their own GIL row, busy at the same time.
    To tell threads apart, print threading.current_thread().name, not the pid.]],
  zh = [[
    时间线上，四个线程轮流占用同一行 GIL（橙色三角是它们的“让给我”请求）；
    四个进程各有自己的 GIL 行，同时在忙。
    要区分线程，请打印 threading.current_thread().name，而不是 pid。]],
}
