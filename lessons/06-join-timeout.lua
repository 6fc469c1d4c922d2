lesson{
  title = { en = "join() and join(timeout)", zh = "join() 与 join(timeout)" },
  source = "000 §1.4, 004 join()",
}

say{
  en = [[
    t.join() blocks the calling thread until t has finished.
    It is how the main thread waits for a daemon it still needs.
    Same two daemons as before: 2 s and 5 s. The main thread sleeps 3 s, then joins both.]],
  zh = [[
    t.join() 会阻塞调用它的线程，直到 t 结束。
    主线程要等一个还用得着的守护线程，就用它。
    还是那两个守护线程：2 秒和 5 秒。主线程先睡 3 秒，再 join 两个线程。]],
}

step{ en = "join() waits as long as it takes", zh = "join() 一直等到线程结束" }

function f1(sec)
  local current = threading.current_thread().name
  print(("Task start, thread is %s value is %s"):format(current, sec))
  time.sleep(sec)
  print(("Task End,  thread is %s value is %s"):format(current, sec))
end

function daemons()
  local tasks = {}
  for _, j in ipairs{2, 5} do
    tasks[#tasks + 1] = threading.Thread{target = f1, args = {j}, daemon = true}
  end
  return tasks
end

tasks = daemons()
beg = time.time()
print("Main Thread start..")
for _, t in ipairs(tasks) do t:start() end
time.sleep(3)
for _, t in ipairs(tasks) do t:join() end
print("Main Thread end..")
print(time.time() - beg)

expect{ printed = { "Task End,  thread is Thread-1 (f1) value is 2", "Task End,  thread is Thread-2 (f1) value is 5",
                    "Main Thread end..", "5.0" },
        en = "both daemons finished; main ended at 5 s", zh = "两个守护线程都做完了；主线程 5 秒结束" }

say{
  en = [[
    Main ended at 5 s, after the slower daemon. Joining a finished thread returns at once.
    join takes a timeout in seconds: wait at most that long.
    It returns either way, and says nothing: ask t.is_alive() afterwards.]],
  zh = [[
    主线程在 5 秒结束，等到了慢的那个守护线程。join 一个已经结束的线程会马上返回。
    join 可以带超时（秒）：最多等这么久。
    不管等没等到，它都会返回，而且不告诉你结果：之后要问 t.is_alive()。]],
}

step{ en = "join(timeout): wait at most that long", zh = "join(timeout)：最多等这么久" }

tasks = daemons()
beg = time.time()
print("Main Thread start..")
for _, t in ipairs(tasks) do t:start() end
for _, t in ipairs(tasks) do
  t:join(2.5)
  print(("%.1f s: %s alive: %s"):format(time.time() - beg, t.name, tostring(t:is_alive())))
end
print("Main Thread end..")

expect{ printed = { "2.0 s: Thread-3 (f1) alive: false", "4.5 s: Thread-4 (f1) alive: true", "Main Thread end.." },
        en = "the first join got its thread; the second gave up at 4.5 s",
        zh = "第一次 join 等到了；第二次在第 4.5 秒放弃" }

say{
  en = [[
    Thread-3 (f1) finished at 2 s, well within its 2.5-second join.
    The second join started at 2 s and gave up at 4.5 s; Thread-4 (f1) needs until 5 s.
    (The counter goes on across the program: these are the third and fourth unnamed threads.)
    Two joins with a timeout can take up to twice the timeout: each starts when the last ended.
    The notes use join(3): the second join then gives up at 2 + 3 = 5 s,
    the very moment its 5-second thread wakes. Which comes first is luck. In their run, main won.]],
  zh = [[
    Thread-3 (f1) 在 2 秒结束，没有超出它那次 2.5 秒的 join。
    第二次 join 从 2 秒开始，到 4.5 秒放弃；Thread-4 (f1) 要到 5 秒才结束。
    （编号在整个程序里一直往上数：这是第三个、第四个没起名字的线程。）
    两次带超时的 join，最多会等两倍的超时：每一次都从上一次结束时开始计时。
    笔记里用的是 join(3)：第二次 join 会在 2 + 3 = 5 秒放弃，
    恰好是那个睡 5 秒的线程醒来的那一刻。谁先谁后全凭运气。笔记那次运行，主线程赢了。]],
}

step{ en = "A timeout does not stop a thread", zh = "超时并不会停止线程" }

worker = threading.Thread{target = f1, args = {3}, name = "worker"}     -- not a daemon
beg = time.time()
worker:start()
worker:join(1)
print(("after join(1): %.1f s, worker alive: %s"):format(time.time() - beg, tostring(worker:is_alive())))
worker:join()
print(("after join(): %.1f s, worker alive: %s"):format(time.time() - beg, tostring(worker:is_alive())))

expect{ printed = { "after join(1): 1.0 s, worker alive: true", "Task End,  thread is worker value is 3",
                    "after join(): 3.0 s, worker alive: false" },
        en = "join(1) returned; the worker went on to the end", zh = "join(1) 返回了；worker 照样做到了最后" }

say{
  en = [[
    join(1) gave up after one second, but the worker ran on to its end.
    A timeout only limits how long you wait. It never stops the other thread.
    004 says the timeout has no effect on a thread that is not a daemon. Not quite:
    join returns after the timeout either way. It is the exit of the program
    that still waits for every thread that is not a daemon.]],
  zh = [[
    join(1) 一秒后放弃了，可 worker 照样跑到了最后。
    超时只限制你等多久，从来不会停掉另一个线程。
    004 说：非守护线程的 join 超时参数无效。这不准确：
    超时到了，join 都会返回。是程序退出的时候，
    仍然要等所有非守护线程结束。]],
}
