lesson{
  title = { en = "One I/O workload: threads, processes, gevent, asyncio",
            zh = "同一份 I/O 任务：线程、进程、gevent、asyncio" },
  source = "002 ch.11 (concurrentOpt / concurrentOptGevent)",
}

say{
  en = [[
    002 ch.11 downloads a list of URLs with threads, with processes and with gevent,
    and compares the times. Here the "download" is a 50 ms wait for I/O (a sleep
    stands in for the network, so every run is the same), 6 jobs. Done one after
    another they take 300 ms; each way of doing them concurrently overlaps the waits.
    The notes find coroutines fastest "in a threaded program". The real lesson:
    for waiting, all four overlap; what differs is the cost of a worker: a thread,
    a whole process, or a coroutine inside one thread.]],
  zh = [[
    002 第 11 章分别用线程、进程和 gevent 下载一组 URL，比较耗时。
    这里的“下载”是 50 毫秒的 I/O 等待（用 sleep 代替网络，每次运行都一样），共 6 个任务。
    一个接一个做要 300 毫秒；每一种并发方式都会让这些等待重叠。
    笔记说协程“在线程程序中是最快的”。真正要学的是：对于等待，四种方式都能重叠；
    不同的是一个“工人”的代价：一个线程、一整个进程，还是一个线程里的一个协程。]],
}

step{ en = "One after another", zh = "一个接一个" }

JOBS, WAIT = 6, 0.05

function fetch(i) time.sleep(WAIT) return i end

function timed(fn)
  local t0 = time.time()
  fn()
  return time.time() - t0       -- (time.time() is a float near 1.8e9: its last digits round)
end

seq = timed(function() for i = 1, JOBS do fetch(i) end end)
print(("sequential: %.0f ms"):format(seq * 1000))
expect{ value = seq, min = 0.2999, max = 0.31, en = "6 waits of 50 ms in a row: 300 ms", zh = "6 次 50 毫秒依次等待：300 毫秒" }

step{ en = "Threads and processes", zh = "线程与进程" }

thr = timed(function()
  local ts = {}
  for i = 1, JOBS do ts[i] = threading.Thread{target = fetch, args = {i}} ts[i]:start() end
  for i = 1, JOBS do ts[i]:join() end
end)
print(("threads: %.0f ms"):format(thr * 1000))

procs = timed(function()
  local ps = {}
  for i = 1, JOBS do ps[i] = mp.Process{target = fetch, args = {i}} ps[i]:start() end
  for i = 1, JOBS do ps[i]:join() end
end)
print(("processes: %.0f ms"):format(procs * 1000))

expect{ value = thr, min = 0.0499, max = 0.07, en = "threads overlap the waits: about 50 ms",
        zh = "线程让等待重叠：大约 50 毫秒" }
expect{ value = procs, min = 0.0499, max = 0.1, en = "so do processes", zh = "进程也一样" }

step{ en = "gevent and asyncio: one thread", zh = "gevent 与 asyncio：只用一个线程" }

gev = timed(function()
  local gs = {}
  for i = 1, JOBS do gs[i] = gevent.spawn(function() gevent.sleep(WAIT) return i end) end
  gevent.joinall(gs)
end)
print(("gevent: %.0f ms"):format(gev * 1000))

aio = timed(function()
  asyncio.run(function()
    local fs = {}
    for i = 1, JOBS do fs[i] = function() asyncio.sleep(WAIT) return i end end
    asyncio.gather(table.unpack(fs))
  end)
end)
print(("asyncio: %.0f ms"):format(aio * 1000))

expect{ value = gev, min = 0.0499, max = 0.055, en = "gevent overlaps them in one thread", zh = "gevent 在一个线程里让它们重叠" }
expect{ value = aio, min = 0.0499, max = 0.055, en = "asyncio too", zh = "asyncio 也一样" }
expect{ ok = threading.active_count() == 1, en = "no thread is left", zh = "没有留下任何线程" }

say{
  en = [[
    All four take about 50 ms instead of 300. The timeline shows the difference in
    cost: six thread lanes, six processes, or six green lanes under MainThread.]],
  zh = [[
    四种方式都只要大约 50 毫秒，而不是 300 毫秒。时间线上看得出代价的差别：
    六条线程、六个进程，或者 MainThread 下面的六条绿色的线。]],
}
