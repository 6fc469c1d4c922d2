lesson{
  title = { en = "Processes, threads, coroutines; concurrency and parallelism",
            zh = "进程、线程、协程；并发与并行" },
  source = "000 concepts",
}

say{
  en = [[
    A program on disk is just data. Run it, and it becomes a process:
    the program, its own memory, and a record of where it is.
    Processes do not share memory. To talk, they need pipes, queues, sockets.
    A thread lives inside a process. All threads of a process share its memory.
    So threads can share data easily, and just as easily break it.]],
  zh = [[
    磁盘上的程序只是一堆数据。运行起来，它就成了进程：
    程序本身、它自己的一块内存，还有记录它运行到哪里的信息。
    进程之间不共享内存。要通信，得靠管道、队列、套接字这类办法。
    线程在进程内部运行，同一进程里的所有线程共用这个进程的内存。
    所以线程之间共享数据很方便，把数据弄乱也同样方便。]],
}

step{ en = "Threads share one memory", zh = "线程共享同一块内存" }

shared = {}
seen = {}

function worker(name)
  for i = 1, 3 do
    shared[#shared + 1] = name .. i    -- the same table for every thread
    time.sleep(0.1)
  end
  seen[name] = table.concat(shared, " ")  -- what this thread finds in it at the end
end

a = threading.Thread{target = worker, args = {"a"}, name = "A"}
b = threading.Thread{target = worker, args = {"b"}, name = "B"}
a:start(); b:start()
a:join(); b:join()
print("shared:", table.concat(shared, " "))

expect{ ok = seen.a:find("b3") and seen.b:find("a3") and #shared == 6,
        en = "each thread found the other's writes in the one table", zh = "每个线程都在同一张表里看到了对方写的东西" }

say{
  en = [[
    Both threads wrote into the same table, taking turns, and each found the other's entries.
    Two processes could not do this: each would have its own copy.
    Now a coroutine. It is a function that can stop in the middle (yield)
    and be resumed later. Switching is up to your code, not the system.
    There is one thread, so nothing switches behind your back.]],
  zh = [[
    两个线程轮流往同一张表里写，而且都看到了对方写进去的内容。
    两个进程做不到这一点：每个进程都有自己的一份拷贝。
    再看协程。协程是一个能在中途停下（yield）、之后再接着运行的函数。
    什么时候切换由你的代码决定，而不是由系统决定。
    自始至终只有一个线程，没有谁会在背后把你切走。]],
}

step{ en = "Coroutines switch where you say", zh = "协程在你指定的地方切换" }

function task(name)
  return coroutine.create(function()
    for i = 1, 3 do
      print(name .. " step " .. i)
      coroutine.yield()        -- give the turn away, here and only here
    end
  end)
end

ping, pong = task("ping"), task("pong")
for round = 1, 3 do
  coroutine.resume(ping)
  coroutine.resume(pong)
end

expect{ printed = { "ping step 1", "pong step 1", "ping step 2", "pong step 2", "ping step 3", "pong step 3" },
        en = "they take turns exactly where they yield", zh = "它们恰好在 yield 处轮流" }

say{
  en = [[
    ping, pong, ping, pong: always this order, because the code says so.
    Python has the same idea in generators (yield), greenlet and asyncio.
    002 §7.2 concludes that coroutines need no locks. That holds only while a piece of
    work that must stay whole does not yield in the middle. Put a yield (in asyncio, an await)
    between a read and a write, and another coroutine runs right there.]],
  zh = [[
    ping、pong、ping、pong：永远是这个顺序，因为代码就是这么写的。
    Python 里的生成器（yield）、greenlet、asyncio 都是这个思路。
    002 §7.2 的结论是协程不需要加锁。这只在一种前提下成立：必须一气呵成的那段代码，
    中途没有 yield。要是在读和写之间 yield 一下（asyncio 里就是 await），
    别的协程就正好在这里插进来。]],
}

step{ en = "A yield between a read and a write", zh = "读和写之间有一次 yield" }

count = 0

function adder()
  return coroutine.create(function()
    local v = count            -- read
    coroutine.yield()          -- Python: await asyncio.sleep(0)
    count = v + 1              -- write, from a stale read
  end)
end

x, y = adder(), adder()
coroutine.resume(x); coroutine.resume(y)   -- both read 0
coroutine.resume(x); coroutine.resume(y)   -- both write 1
print("count:", count)

expect{ value = count, is = 1, en = "two additions, one lost: one thread, no preemption, still a race",
        zh = "加了两次，丢了一次：只有一个线程、没有抢占，照样有竞争" }

say{
  en = [[
    1, not 2, with one thread and no preemption. The same program in asyncio,
    with await asyncio.sleep(0) between the read and the write, prints 1 too.
    So coroutines need a lock (asyncio.Lock) when a critical section spans an await;
    they need none when it does not, and that is easy to see: the awaits are written in the code.
    Next: concurrency and parallelism.
    Concurrency: a system can handle many tasks, switching between them.
    Parallelism: it really does many at the same moment, on several cores.
    Under the GIL, Python threads run Python code concurrently, never in parallel.]],
  zh = [[
    是 1，不是 2：只有一个线程，也没有抢占。用 asyncio 写同样的程序，
    在读和写之间 await asyncio.sleep(0)，打印的也是 1。
    所以，临界区里有 await 时，协程也要加锁（asyncio.Lock）；
    没有 await 时就不用，而且一眼就能看出来：await 都明明白白写在代码里。
    下面说并发和并行。
    并发：系统能处理多个任务，靠在它们之间来回切换。
    并行：系统真的在同一时刻做多件事，用的是多个核。
    有 GIL 在，Python 线程跑 Python 代码只能并发，不能并行。]],
}

step{ en = "Concurrency: two threads take turns on the GIL", zh = "并发：两个线程轮流拿 GIL" }

function spin()                 -- pure Python-style CPU work
  local x = 0
  for i = 1, 2000000 do x = x + i end
end

beg = time.perf_counter()
spin(); spin()
alone = time.perf_counter() - beg

beg = time.perf_counter()
a = threading.Thread{target = spin, name = "A"}
b = threading.Thread{target = spin, name = "B"}
a:start(); b:start(); a:join(); b:join()
together = time.perf_counter() - beg
print(("one after the other: %.3f s, two threads: %.3f s"):format(alone, together))

expect{ ok = together >= alone * 0.95, en = "two threads are no faster: they take turns",
        zh = "两个线程并没有更快：它们在轮流" }

say{
  en = [[
    No faster. On the timeline the two lanes take turns, about every 5 ms:
    only the thread that holds the GIL runs.
    Work done in C that lets go of the GIL (numpy, hashing, compression)
    can run in parallel. lab.compute(ms, {gil=false}) stands for such work.]],
  zh = [[
    并没有更快。时间线上两条线大约每 5 毫秒轮换一次：
    只有拿着 GIL 的线程在运行。
    用 C 写、并且会放开 GIL 的工作（numpy、哈希、压缩）可以并行。
    lab.compute(ms, {gil=false}) 就代表这样的工作。]],
}

step{ en = "Parallelism: C code without the GIL", zh = "并行：不拿 GIL 的 C 代码" }

function crunch() lab.compute(100, {gil = false}) end  -- 100 ms of C work

beg = time.perf_counter()
a = threading.Thread{target = crunch, name = "A"}
b = threading.Thread{target = crunch, name = "B"}
a:start(); b:start(); a:join(); b:join()
parallel = time.perf_counter() - beg
print(("two threads, 100 ms of C work each: %.3f s"):format(parallel))

expect{ value = parallel, max = 0.11, en = "both ran at the same time: about 0.1 s, not 0.2",
        zh = "两个同时在跑：大约 0.1 秒，而不是 0.2 秒" }

say{
  en = [[
    0.1 s for 0.2 s of work: true parallelism, on two cores.
    To sum up. Processes: separate memory, real parallelism, costly to talk.
    Threads: shared memory, cheap; in Python, parallel only outside the GIL.
    Coroutines: one thread, switching where the code says; very cheap,
    and locks only where a critical section spans a yield or an await.]],
  zh = [[
    0.2 秒的工作用了 0.1 秒：这才是真正的并行，用了两个核。
    小结。进程：内存各自独立，能真正并行，通信代价大。
    线程：共享内存，开销小；在 Python 里只有放开 GIL 的部分才能并行。
    协程：只有一个线程，在代码指定的地方切换；开销极小，
    只有临界区里跨着 yield 或 await 时才需要加锁。]],
}
