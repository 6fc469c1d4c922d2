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
    线程活在进程里面。同一个进程的所有线程共享这个进程的内存。
    所以线程之间共享数据很方便，把数据弄乱也同样方便。]],
}

step{ en = "Threads share one memory", zh = "线程共享同一块内存" }

shared = {}

function worker(name)
  for i = 1, 3 do
    shared[#shared + 1] = name .. i    -- the same table for every thread
    time.sleep(0.1)
  end
end

a = threading.Thread{target = worker, args = {"a"}, name = "A"}
b = threading.Thread{target = worker, args = {"b"}, name = "B"}
a:start(); b:start()
a:join(); b:join()
print("shared:", table.concat(shared, " "))

expect{ value = #shared, is = 6, en = "both threads wrote into the one table", zh = "两个线程写进了同一张表" }

say{
  en = [[
    Both threads wrote into the same table, taking turns.
    Two processes could not do this: each would have its own copy.
    Now a coroutine. It is a function that can stop in the middle (yield)
    and be resumed later. Switching is up to your code, not the system.
    There is one thread, so nothing switches behind your back, and no lock is needed.]],
  zh = [[
    两个线程轮流往同一张表里写。
    两个进程做不到这一点：每个进程都有自己的一份拷贝。
    再看协程。协程是一个能在中途停下（yield）、之后再接着运行的函数。
    什么时候切换由你的代码决定，而不是由系统决定。
    自始至终只有一个线程，没有谁会在背后切走你，也就不需要锁。]],
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
    Next: concurrency and parallelism.
    Concurrency: a system can handle many tasks, switching between them.
    Parallelism: it really does many at the same moment, on several cores.
    Under the GIL, Python threads run Python code concurrently, never in parallel.]],
  zh = [[
    ping、pong、ping、pong：永远是这个顺序，因为代码就是这么写的。
    Python 里的生成器（yield）、greenlet、asyncio 都是这个思路。
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
    Coroutines: one thread, switching where the code says; very cheap, no locks.]],
  zh = [[
    0.2 秒的工作用了 0.1 秒：这才是真正的并行，用了两个核。
    小结。进程：内存各自独立，能真正并行，通信代价大。
    线程：共享内存，开销小；在 Python 里只有放开 GIL 的部分才能并行。
    协程：只有一个线程，在代码指定的地方切换；开销极小，不用加锁。]],
}
