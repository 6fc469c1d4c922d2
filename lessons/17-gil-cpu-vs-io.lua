lesson{
  title = { en = "The GIL: CPU-bound and I/O-bound threads, py2 and py3", zh = "GIL：计算密集与 I/O 密集，py2 与 py3" },
  source = "000 concepts, 004 GIL",
}

say{
  en = [[
    CPython runs Python code in one thread at a time. The Global Interpreter Lock,
    the GIL, makes sure of it: a thread must hold it to run Python code.
    Each process has its own GIL. So what do threads buy us?
    First, CPU-bound work: pure computation, no waiting.]],
  zh = [[
    CPython 同一时刻只让一个线程执行 Python 代码。全局解释器锁 GIL 保证这一点：
    线程必须拿着 GIL 才能执行 Python 代码。
    每个进程有自己的 GIL。那多线程到底有什么用？
    先看计算密集型的工作：纯计算，不等待。]],
}

step{ en = "CPU-bound: two threads are no faster", zh = "计算密集：两个线程并不更快" }

function count(n)                  -- pure computation
  local x = 0
  for i = 1, n do x = x + i end
end

function two_threads(f, ...)
  local a = threading.Thread{target = f, args = {...}, name = "A"}
  local b = threading.Thread{target = f, args = {...}, name = "B"}
  a:start(); b:start(); a:join(); b:join()
end

beg = time.perf_counter()
count(4000000)
one = time.perf_counter() - beg

beg = time.perf_counter()
two_threads(count, 2000000)
two = time.perf_counter() - beg
print(("one thread: %.3f s, two threads: %.3f s"):format(one, two))

expect{ ok = two >= one * 0.95, en = "the same work takes as long on two threads",
        zh = "同样的工作，两个线程用的时间一样多" }

say{
  en = [[
    No gain. The GIL passes between A and B about every 5 ms (Python 3's
    switch interval): look at the GIL row. They take turns; they never overlap.
    With real CPython it is often a little slower, because switching costs.
    Now I/O-bound work: a thread that waits for a disk or a network lets go of the GIL.]],
  zh = [[
    没有提速。GIL 大约每 5 毫秒在 A 和 B 之间交换一次（Python 3 的切换间隔）：
    看 GIL 那一行。它们轮流执行，从不重叠。
    在真实的 CPython 上往往还会慢一点，因为切换本身有开销。
    再看 I/O 密集型：线程等磁盘、等网络的时候，会放开 GIL。]],
}

step{ en = "I/O-bound: waiting overlaps", zh = "I/O 密集：等待可以重叠" }

function download(n)               -- n requests, each waits 20 ms for the network
  for i = 1, n do time.sleep(0.02) end
end

beg = time.perf_counter()
download(8)
one = time.perf_counter() - beg

beg = time.perf_counter()
two_threads(download, 4)
two = time.perf_counter() - beg
print(("one thread: %.2f s, two threads: %.2f s"):format(one, two))

expect{ value = two, is = one / 2, near = 0.001, en = "two threads wait at the same time: half the time",
        zh = "两个线程同时等：时间减半" }

say{
  en = [[
    Half the time. While one thread waits, the other runs.
    So in Python, threads help I/O-bound programs and not CPU-bound ones.
    There is a third case: C code that lets go of the GIL while it computes,
    as numpy, hashlib and zlib do. lab.compute(ms, {gil = false}) is such code.]],
  zh = [[
    时间减半。一个线程等待的时候，另一个在跑。
    所以在 Python 里，多线程对 I/O 密集型程序有用，对计算密集型没用。
    还有第三种情况：计算时会放开 GIL 的 C 代码，
    比如 numpy、hashlib、zlib。lab.compute(ms, {gil = false}) 就模拟这样的代码。]],
}

step{ en = "C code with and without the GIL", zh = "拿着与放开 GIL 的 C 代码" }

beg = time.perf_counter()
two_threads(lab.compute, 100)                  -- holds the GIL: one after the other
holding = time.perf_counter() - beg

beg = time.perf_counter()
two_threads(lab.compute, 100, {gil = false})   -- lets it go: at the same time
releasing = time.perf_counter() - beg
print(("holding the GIL: %.2f s, letting it go: %.2f s"):format(holding, releasing))

expect{ value = holding, is = 0.2, near = 0.001, en = "holding the GIL: 0.2 s", zh = "拿着 GIL：0.2 秒" }
expect{ value = releasing, is = 0.1, near = 0.001, en = "letting it go: 0.1 s, in parallel", zh = "放开 GIL：0.1 秒，并行" }

say{
  en = [[
    When to let go of the GIL is the C code's choice. This is how Python
    programs use several cores: the heavy loops live in C.
    Last: how the GIL changes hands. 004 describes two designs.
    Python 2: every 100 "ticks" the holder releases the GIL and at once asks for it again.
    Python 3.2 and later: a waiting thread waits 5 ms, then asks the holder to drop it,
    and the holder hands it over.]],
  zh = [[
    什么时候放开 GIL，由 C 代码决定。Python 程序就是这样用上多核的：
    繁重的循环放在 C 里。
    最后看 GIL 是怎么换手的。004 讲了两种设计。
    Python 2：每 100 个 “ticks”，持有者释放 GIL，又马上重新去抢。
    Python 3.2 以后：等待的线程先等 5 毫秒，再请求持有者放手，
    持有者把 GIL 交出来。]],
}

step{ en = "py2 ticks and py3 switch requests", zh = "py2 的 ticks 与 py3 的切换请求" }

function gil_events(policy)
  lab.gil{policy = policy}
  local failed, asked = lab.count("gil-failed-wakeup"), lab.count("gil-drop-request")
  two_threads(count, 2000000)
  return lab.count("gil-failed-wakeup") - failed, lab.count("gil-drop-request") - asked
end

py2_failed, py2_asked = gil_events("py2")
py3_failed, py3_asked = gil_events("py3")
print(("py2: %d failed wake-ups; py3: %d drop requests, %d failed wake-ups"):format(
  py2_failed, py3_asked, py3_failed))

expect{ value = py2_failed, min = 10, en = "py2: the releaser keeps winning the GIL back",
        zh = "py2：释放者总是又把 GIL 抢了回去" }
expect{ value = py3_failed, is = 0, en = "py3: a requested switch always hands over",
        zh = "py3：请求切换时一定会交出去" }

say{
  en = [[
    Under py2 the holder lets go and grabs the GIL again before the woken thread
    can run: a failed wake-up, marked on the GIL row. On two cores this happens
    again and again; David Beazley called it the GIL battle.
    Python 3 counts time instead of ticks, and a requested switch is a real handoff.
    The GIL protects the interpreter, not your data. Why you still need locks: next.]],
  zh = [[
    在 py2 下，持有者放开 GIL 后，被唤醒的线程还没来得及运行，它就又抢了回去：
    这叫一次“唤醒失败”，在 GIL 那一行有标记。在双核上这会一再发生；
    David Beazley 把它叫做 GIL 之争。
    Python 3 按时间而不是 ticks 来切换，请求切换时会真正交出 GIL。
    GIL 保护的是解释器，不是你的数据。为什么仍然需要锁：下一课。]],
}
