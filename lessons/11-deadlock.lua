lesson{
  title = { en = "Deadlock", zh = "死锁" },
  source = "000 §2.2, 003 死锁",
}

say{
  en = [[
    A deadlock: two threads each hold one lock and wait for the other's.
    Neither lets go, so neither can go on. Nothing from outside helps.
    003 puts it this way: two people, each waiting for the other to say sorry first.
    Here is the notes' example: f1 takes A, then B; f2 takes B, then A.
    Each sleeps one second in between, so both hold their first lock in time.]],
  zh = [[
    死锁：两个线程各拿着一把锁，又都在等对方手里的那把。
    谁也不放手，谁也走不下去。没有外力，就永远卡在那里。
    003 里的比喻：两个人都在等对方先道歉。
    笔记里的例子：f1 先拿 A 再拿 B；f2 先拿 B 再拿 A。
    中间各睡一秒，保证两人都先拿到了第一把锁。]],
}

step{ en = "Two threads, two locks, opposite order", zh = "两个线程，两把锁，顺序相反" }

lockA = threading.Lock{name = "A"}
lockB = threading.Lock{name = "B"}

function f1()
  lockA:acquire()
  print("f1: A locked")
  time.sleep(1)
  lockB:acquire()            -- waits for f2 to let go of B
  print("f1: B locked")
  lockB:release()
  lockA:release()
end

function f2()
  lockB:acquire()
  print("f2: B locked")
  time.sleep(1)
  lockA:acquire()            -- waits for f1 to let go of A
  print("f2: A locked")
  lockA:release()
  lockB:release()
end

t1 = threading.Thread{target = f1}
t2 = threading.Thread{target = f2}
t1:start()
t2:start()
-- Python would wait here forever. threadlab sees that no thread can ever
-- move again and raises DeadlockError in the thread that waits.
ok, err = pcall(t1.join, t1)
print(err)

expect{ printed = { "f1: A locked", "f2: B locked" },
        en = "each thread got its first lock", zh = "两个线程都拿到了第一把锁" }
expect{ not_printed = { "f1: B locked", "f2: A locked" },
        en = "neither got its second lock", zh = "谁也没拿到第二把锁" }
expect{ ok = not ok and type(err) == "table" and err.type == "DeadlockError",
        en = "join raised DeadlockError instead of hanging", zh = "join 抛出了 DeadlockError，而不是永远卡住" }
expect{ deadlock = { "Thread-1 (f1)", "Thread-2 (f2)" },
        en = "the report names both threads", zh = "报告点出了两个线程" }
expect{ deadlock_cycle = { "Thread-1 (f1)", "Thread-2 (f2)", "Lock A", "Lock B" },
        en = "the report names the cycle: both threads and both locks",
        zh = "报告指出了整个环：两个线程和两把锁" }

say{
  en = [[
    The report says who waits for what. Put it together:
    Thread-1 holds lock A and waits for lock B, which Thread-2 holds;
    Thread-2 holds lock B and waits for lock A, which Thread-1 holds. That is a cycle.
    On the timeline both lanes turn red after one second and stay red.]],
  zh = [[
    报告说明了谁在等什么。把它们连起来：
    Thread-1 拿着锁 A，在等锁 B，而锁 B 在 Thread-2 手里；
    Thread-2 拿着锁 B，在等锁 A，而锁 A 在 Thread-1 手里。这就是一个环。
    时间线上，一秒之后两条线都变成红色，而且一直红下去。]],
}

step{ en = "They stay stuck", zh = "它们一直卡着" }

time.sleep(1)
print("after one more second:", t1:is_alive(), t2:is_alive())

expect{ ok = t1:is_alive() and t2:is_alive(),
        en = "both threads are still alive, still waiting", zh = "两个线程都还活着，还在等" }

say{
  en = [[
    A deadlock does not fix itself. Python has no way to take a lock away.
    The cure is in the design: every thread takes the locks in the same order.
    If everyone takes A before B, nobody can hold B while waiting for A.]],
  zh = [[
    死锁不会自己解开。Python 也没法把锁从线程手里抢走。
    办法在设计上：所有线程都按同一个顺序拿锁。
    大家都先拿 A 再拿 B，就不会有人拿着 B 去等 A。]],
}

step{ en = "The fix: one order for everyone", zh = "解决：大家用同一个顺序" }

lockA = threading.Lock{name = "A2"}
lockB = threading.Lock{name = "B2"}

function f2_fixed()
  lockA:acquire()            -- A first, as f1 does
  print("f2: A locked")
  time.sleep(1)
  lockB:acquire()
  print("f2: B locked")
  lockB:release()
  lockA:release()
end

beg = time.time()
t3 = threading.Thread{target = f1}
t4 = threading.Thread{target = f2_fixed}
t3:start()
t4:start()
t3:join()
t4:join()
print(("both done after %.1f s"):format(time.time() - beg))

expect{ printed = { "f1: A locked", "f1: B locked", "f2: A locked", "f2: B locked", "both done after 2.0 s" },
        en = "one after the other, both finish in 2 s", zh = "一个接一个，两秒都完成了" }

say{
  en = [[
    One thread waits for the other now, but only for a while.
    Other cures: acquire(true, timeout) gives up after a time;
    holding one lock at a time avoids the question.]],
  zh = [[
    现在一个线程要等另一个，但只是等一会儿。
    别的办法：acquire(True, timeout) 等够时间就放弃；
    一次只拿一把锁，问题就不存在了。]],
}
