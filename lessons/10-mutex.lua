lesson{
  title = { en = "The mutex: one thread at a time", zh = "互斥锁：一次只让一个线程进来" },
  source = "000 §2.1, 003 互斥锁, 002 §6.3",
}

say{
  en = [[
    Ten threads share a global count. Each prints it, waits a moment, adds 1.
    The wait stands for real work: a file, a network call.
    While a thread waits it lets go of the GIL, and the others run.
    First without any lock.]],
  zh = [[
    十个线程共用一个全局变量 count。每个线程先打印它，稍等片刻，再加 1。
    这个“稍等”代表真实的工作：读文件、访问网络。
    线程等待时会放开 GIL，别的线程就跑起来了。
    先不加锁。]],
}

step{ en = "No lock", zh = "不加锁" }

count = 0

function f1()
  print("Count is " .. count)
  time.sleep(0.01)
  count = count + 1
end

tasks = {}
for i = 1, 10 do tasks[i] = threading.Thread{target = f1, name = "t-" .. i} end
for _, t in ipairs(tasks) do t:start() end
for _, t in ipairs(tasks) do t:join() end

expect{ count = { "^Count is 0$", 10 }, en = "all ten saw count = 0", zh = "十个线程看到的都是 0" }

say{
  en = [[
    Every thread read count before any thread wrote it.
    The notes' run shows "Count is 0" twice and "Count is 5" twice: the same problem, less extreme.
    The notes call this "not thread safe": the threads trample on shared data.
    The cure is a mutex: threading.Lock. It has two states, locked and unlocked.
    acquire() locks it; if it is already locked, the caller blocks until release().]],
  zh = [[
    所有线程都在有人写 count 之前读到了它。
    笔记里的运行结果有两个 “Count is 0”、两个 “Count is 5”：同样的问题，只是没这么极端。
    笔记管这叫“线程不安全”：多个线程把共享数据弄乱了。
    办法是互斥锁 threading.Lock。它有两个状态：锁定和未锁定。
    acquire() 上锁；如果已经锁上了，调用者就阻塞，直到有人 release()。]],
}

step{ en = "With a lock, as in 000 §2.1", zh = "加锁，同 000 §2.1" }

count = 0
lock = threading.Lock()

function f1()
  lock:acquire()
  print("Count is " .. count)
  time.sleep(0.01)
  count = count + 1
  lock:release()
end

tasks = {}
for i = 1, 10 do tasks[i] = threading.Thread{target = f1, name = "t-" .. i} end
beg = time.time()
for _, t in ipairs(tasks) do t:start() end
print(("main: started all ten after %.4f s"):format(time.time() - beg))
for _, t in ipairs(tasks) do t:join() end

expect{ printed = { "Count is 0", "Count is 1", "Count is 2", "Count is 3", "Count is 4",
                    "Count is 5", "Count is 6", "Count is 7", "Count is 8", "Count is 9" },
        en = "Count is 0 to 9, in order", zh = "Count is 0 到 9，按顺序" }
expect{ value = count, is = 10, en = "count is 10", zh = "count 是 10" }

say{
  en = [[
    0 to 9, in order. Only the thread that holds the lock reads and writes count.
    The main thread's line comes early: it did not wait for the workers.
    In the notes, too, the elapsed time sits in the middle of the output.
    On the timeline you can see the threads queue up at the lock (red),
    and the lock pass from one to the next (blue arrows).
    With Python's with statement: with lock: ... In threadlab: threading.with(lock, fn).]],
  zh = [[
    0 到 9，按顺序。只有拿着锁的线程才能读写 count。
    主线程那一行出现得很早：它没有等工作线程。
    笔记里也一样，耗时那一行夹在输出中间。
    在时间线上可以看到线程在锁前排队（红色），
    锁从一个线程交给下一个（蓝色箭头）。
    Python 里常写 with lock: ...；threadlab 里写 threading.with(lock, fn)。]],
}

step{ en = "003: two threads, many additions each", zh = "003：两个线程，各加很多次" }

lab.gil{switch_points = "instruction"}   -- the worst case, where the last lesson lost updates

g_num = 0
mutex = threading.Lock()

function test()
  for i = 1, 100000 do           -- 003 does a million; this is enough to see it
    -- True: block until the lock is ours. False would return at once.
    local got = mutex:acquire(true)
    if got then
      g_num = g_num + 1
      mutex:release()
    end
  end
end

p1 = threading.Thread{target = test}
p2 = threading.Thread{target = test}
p1:start(); p2:start()
p1:join(); p2:join()
print("g_num = " .. g_num)

expect{ value = g_num, is = 200000, en = "exactly 200,000, even switching at any instruction",
        zh = "正好 200,000，即使在任意指令处切换" }

say{
  en = [[
    Exactly 200,000 (with 003's million each, two million). The lock makes read-add-write one indivisible piece.
    003 sums it up. The good: a critical section runs whole, by one thread.
    The bad: that part runs one thread at a time, so it is slower,
    and with several locks, threads can deadlock. More on that soon.]],
  zh = [[
    正好 200,000（按 003 各加一百万次，就是两百万）。锁把“读-加-写”变成了不可分割的一整块。
    003 的总结：好处是关键代码只由一个线程从头到尾完整执行；
    坏处是这一段只能单线程执行，效率下降；
    而且锁一多，线程之间可能死锁。后面会讲到。]],
}

step{ en = "002 §6.3: many threads, one lock, used as with lock:", zh = "002 §6.3：很多线程，一把锁，用 with lock: 的写法" }

lab.gil{switch_points = "statement"}
num = 0
lock = threading.Lock{name = "num"}

function run(n)
  threading.with(lock, function()          -- with lock:
    local v = num
    time.sleep(0.005)                      -- a little real work between the read and the write
    if n == "t-7" then error(ValueError("bad luck in " .. n)) end
    num = v + 1
  end)
end

t_obj = {}
for i = 1, 10 do              -- the notes start 20000
  local t = threading.Thread{target = run, args = {"t-" .. i}, name = "t-" .. i}
  t:start()
  t_obj[#t_obj + 1] = t
end
for _, t in ipairs(t_obj) do t:join() end
print("num:", num, "lock held:", lock:locked())

expect{ value = num, is = 9, en = "9: every thread but t-7 added one, none lost",
        zh = "9：除了 t-7，每个线程都加了 1，一个也没丢" }
expect{ ok = not lock:locked(), en = "t-7 failed inside the lock, and the lock was released anyway",
        zh = "t-7 在锁里面出了错，锁照样被释放了" }

say{
  en = [[
    9, every time: t-7 raised an error in the middle, and the other 9 updates all count.
    Take the lock away and the sleep lets the threads read before anyone writes:
    num ends at 1, in threadlab and in CPython 3.11 alike.
    with lock: (threading.with here) is try/finally around acquire and release:
    the lock is released however the block ends, error or not. With a bare acquire() ... release(),
    t-7's error would have left the lock held, and every thread still waiting for it would wait for ever.
    If you cannot use with, write the finally yourself; acquire(timeout=...) bounds the wait.
    The notes' version is Python 2 (print "num:", num); in Python 3, print("num:", num).]],
  zh = [[
    每次都是 9：t-7 在中途出了错，其余 9 次加法全都算数。
    把锁拿掉，中间那次 sleep 会让线程们在有人写之前都先读了：
    num 最后只有 1，threadlab 和 CPython 3.11 都是这样。
    with lock:（这里是 threading.with）就是在 acquire 和 release 外面包了一层 try/finally：
    不管代码块怎么结束，出错也好，不出错也好，锁都会被释放。要是直接写 acquire() ... release()，
    t-7 出错后锁就一直被占着，还在等这把锁的线程会永远等下去。
    用不了 with 的地方，就自己写 finally；acquire(timeout=...) 可以给等待设个上限。
    笔记里是 Python 2 的写法（print "num:", num）；Python 3 里写 print("num:", num)。]],
}
