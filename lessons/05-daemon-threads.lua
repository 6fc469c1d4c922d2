lesson{
  title = { en = "Daemon threads", zh = "守护线程与非守护线程" },
  source = "000 §1.3, 004 多线程",
}

say{
  en = [[
    When the main program is done, Python waits for its threads before it exits.
    Unless a thread is a daemon: then Python does not wait, and the thread dies with the program.
    A daemon is a thread you call unimportant: a background helper.
    Set it before start(): daemon = true. The notes use t.setDaemon(True);
    since Python 3.10 that is deprecated, write t.daemon = True.]],
  zh = [[
    主程序结束时，Python 会先等所有子线程结束，然后才退出。
    除非这个线程是守护线程：Python 不等它，程序退出它就跟着结束。
    把线程设成守护线程，等于说它“不重要”，是个后台帮手。
    要在 start() 之前设置：daemon = true。笔记里用 t.setDaemon(True)；
    从 Python 3.10 起这个写法已经不推荐了，应写 t.daemon = True。]],
}

step{ en = "Two daemons; the main thread sleeps one second", zh = "两个守护线程；主线程睡一秒" }

function f1(sec)
  local current = threading.current_thread().name
  print(("Task start, thread is %s value is %s"):format(current, sec))
  time.sleep(sec)
  print(("Task End, thread is %s value is %s"):format(current, sec))
end

tasks = {}
for _, j in ipairs{2, 5} do
  local t = threading.Thread{target = f1, args = {j}}
  t.daemon = true
  tasks[#tasks + 1] = t
end
beg = time.time()
print("Main Thread start..")
for _, t in ipairs(tasks) do t:start() end
time.sleep(1)
print("Main Thread end..")
print(time.time() - beg)

expect{ printed = { "Main Thread start..", "Task start, thread is Thread-1 (f1) value is 2",
                    "Task start, thread is Thread-2 (f1) value is 5", "Main Thread end..", "1.0" },
        en = "the main thread is done after 1 s", zh = "主线程 1 秒后就结束了" }
expect{ count = { "^Task End", 0 }, en = "no daemon has finished", zh = "没有一个守护线程做完" }

ok, err = pcall(function() tasks[1].daemon = false end)   -- too late: it has started
print(err)

expect{ ok = not ok and err.type == "RuntimeError" and tasks[1].daemon == true,
        en = "daemon cannot change after start(): RuntimeError", zh = "start() 之后不能再改 daemon：RuntimeError" }

say{
  en = [[
    If the program ended here, neither daemon would ever print "Task End".
    Python 3.10+ names them Thread-1 (f1) and Thread-2 (f1); the notes, older, print Thread-1.
    And daemon is fixed by start(): changing it afterwards raises RuntimeError.
    The notes' output shows "Task End ... value is 2" before "Main Thread end..":
    that cannot happen after a 1-second sleep. That run must have slept longer.
    Section 1.4 describes the main thread ending at 3 s. Let us sleep two seconds more.]],
  zh = [[
    如果程序在这里结束，两个守护线程都不会打印 “Task End”。
    Python 3.10 以后它们叫 Thread-1 (f1) 和 Thread-2 (f1)；笔记用的是老版本，打印的是 Thread-1。
    另外，start() 之后 daemon 就定下来了，再改会抛出 RuntimeError。
    笔记的输出里，“Task End ... value is 2” 出现在 “Main Thread end..” 之前：
    主线程只睡 1 秒，这是不可能的，那次运行一定睡得更久。
    1.4 节说的是主线程 3 秒结束。我们再睡两秒。]],
}

step{ en = "The main thread ends at 3 s", zh = "主线程在第 3 秒结束" }

time.sleep(2)
print(("main: %.1f s, Thread-1 alive: %s, Thread-2 alive: %s"):format(
  time.time() - beg, tostring(tasks[1]:is_alive()), tostring(tasks[2]:is_alive())))

expect{ printed = { "Task End, thread is Thread-1 (f1) value is 2", "main: 3.0 s, Thread-1 alive: false, Thread-2 alive: true" },
        en = "the 2 s daemon finished; the 5 s one still sleeps", zh = "2 秒的守护线程做完了；5 秒的还在睡" }

say{
  en = [[
    The 2-second daemon finished in time. The 5-second one is still asleep.
    This lesson's program ends at 4 s, after one more step. It will not wait for it:
    "Task End ... value is 5" will never be printed. Watch its lane stop short.
    What does Python do for threads that are not daemons? At exit it joins them.]],
  zh = [[
    2 秒的守护线程及时做完了。5 秒的那个还在睡。
    本课的程序再过一步、在第 4 秒结束，不会等它：
    “Task End ... value is 5” 永远不会打印。看它那条线是怎么戛然而止的。
    对非守护线程，Python 怎么做？退出之前，它会一个个 join 它们。]],
}

step{ en = "What Python does at exit", zh = "Python 退出时做了什么" }

worker = threading.Thread{target = f1, args = {1}, name = "worker"}           -- not a daemon
helper = threading.Thread{target = f1, args = {4}, name = "helper", daemon = true}
worker:start(); helper:start()

-- The end of the main program, as threading._shutdown does it:
-- join every thread that is alive and not a daemon.
for _, t in ipairs(threading.enumerate()) do
  if not t.daemon and t ~= threading.current_thread() then t:join() end
end
print(("exiting at %.1f s"):format(time.time() - beg))

expect{ printed = { "Task End, thread is worker value is 1", "exiting at 4.0 s" },
        en = "Python waits for the non-daemon worker", zh = "Python 等非守护线程 worker 做完" }
expect{ ok = helper:is_alive() and tasks[2]:is_alive(),
        en = "and not for the daemons: both are still asleep as it exits", zh = "但不等守护线程：退出时它们都还在睡" }

say{
  en = [[
    The program waits for "worker" and not for "helper" or Thread-2.
    Daemons suit background jobs whose work may be lost: a heartbeat, a cache cleaner.
    Anything that must finish, such as writing a file, should not be a daemon,
    or should be joined.]],
  zh = [[
    程序等了 worker，没有等 helper 和 Thread-2。
    守护线程适合那些丢了也无妨的后台工作：心跳、清理缓存。
    必须做完的事，比如写文件，不要放在守护线程里，
    要么就 join 它。]],
}
