lesson{
  title = { en = "Semaphore: at most N at a time", zh = "信号量：最多 N 个同时进行" },
  source = "004 信号量",
}

say{
  en = [[
    A lock lets one thread in. A semaphore lets up to N in.
    It keeps a counter: acquire() takes one, and blocks while the counter is 0;
    release() gives one back and wakes a waiter.
    004: twenty threads, each works one second, at most five at a time.]],
  zh = [[
    锁只放一个线程进来，信号量最多放 N 个。
    它内部有个计数器：acquire() 减一，计数器为 0 时就阻塞；
    release() 加一，并唤醒一个等待的线程。
    004 的例子：二十个线程，每个干一秒，最多五个同时进行。]],
}

step{ en = "Twenty threads, five at a time", zh = "二十个线程，每次五个" }

semaphore = threading.BoundedSemaphore(5)   -- at most 5 threads at once
inside, most = 0, 0

function run(n)
  semaphore:acquire()
  inside = inside + 1
  if inside > most then most = inside end
  time.sleep(1)
  print("run the thread: " .. n)
  inside = inside - 1
  semaphore:release()
end

beg = time.time()
threads = {}
for i = 0, 19 do
  threads[#threads + 1] = threading.Thread{target = run, args = {i}}
  threads[#threads]:start()
end
for _, t in ipairs(threads) do t:join() end
cost = time.time() - beg
print(("over: %.1f s, at most %d inside at once"):format(cost, most))

expect{ value = most, is = 5, en = "never more than five inside", zh = "同时在里面的从没超过五个" }
expect{ value = cost, is = 4.0, near = 0.001, en = "four rounds of five: 4 s", zh = "分四轮，每轮五个：4 秒" }

say{
  en = [[
    Four rounds of five, 4 seconds. On the timeline the threads come in waves.
    004's code ends with a loop that spins while active_count() != 1,
    printing the count again and again. That keeps a CPU core busy for nothing,
    and the spinner is always ready for the GIL: it does not hold it for good
    (every 5 ms it must hand it to a thread that asks), but each worker that wakes
    from its sleep now waits for that hand-off. join() each thread instead:
    it waits without using the CPU or asking for the GIL.
    Why Bounded? A plain Semaphore lets you release more than you took,
    and the limit quietly grows. A BoundedSemaphore refuses.]],
  zh = [[
    五个一轮，共四轮，4 秒。时间线上线程一波一波地进来。
    004 的代码最后有个循环：只要 active_count() != 1 就一直转，
    一遍遍打印线程数。这样白白占着一个 CPU 核，
    而且这个空转的线程总在抢 GIL：它并不会一直霸占 GIL（有别的线程要，每 5 毫秒就得交出来），
    但每个睡醒的工作线程都得等这次交接。应该逐个 join()：
    等待时既不占 CPU，也不要 GIL。
    为什么用 Bounded？普通的 Semaphore 允许释放的次数比获取的多，
    上限就悄悄变大了。BoundedSemaphore 会拒绝。]],
}

step{ en = "Releasing once too often", zh = "多释放一次" }

plain = threading.Semaphore(2)
plain:release()                          -- no error: now 3 may enter
entered = 0
while plain:acquire(false) do entered = entered + 1 end   -- acquire(blocking=False) until refused
print("the plain Semaphore(2) let in " .. entered)
bounded = threading.BoundedSemaphore(2)
ok, err = pcall(bounded.release, bounded)
print(err)

expect{ value = entered, is = 3, en = "the plain Semaphore(2) grew: three got in",
        zh = "普通的 Semaphore(2) 变大了：放进去了三个" }
expect{ ok = not ok and type(err) == "table" and err.type == "ValueError",
        en = "the bounded one raises ValueError", zh = "有界信号量抛出了 ValueError" }

say{
  en = [[
    ValueError: a bug found at once, instead of a limit that silently grew.
    Semaphores guard a pool of things: five database connections, two printers,
    ten downloads at a time.]],
  zh = [[
    ValueError：问题当场暴露，而不是让上限悄悄变大。
    信号量用来守护一组资源：五个数据库连接、两台打印机、
    同时最多十个下载。]],
}
