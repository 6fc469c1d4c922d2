lesson{
  title = { en = "Deadlock", zh = "死锁" },
  source = "000 §2.2, 003 死锁",
}

say{
  en = [[
    A deadlock: two threads each hold one lock and wait for the other's.
    Neither lets go, so neither can go on: without help from outside, they wait for ever.
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
    Thread-1 (f1) holds lock A and waits for lock B, which Thread-2 (f2) holds;
    Thread-2 (f2) holds lock B and waits for lock A, which Thread-1 (f1) holds. That is a cycle.
    On the timeline both lanes turn red after one second.
    Neither thread will let go. But a plain Lock has no owner in Python:
    any thread may release it, even one that never acquired it. That is help from outside.]],
  zh = [[
    报告说明了谁在等什么。把它们连起来：
    Thread-1 (f1) 拿着锁 A，在等锁 B，而锁 B 在 Thread-2 (f2) 手里；
    Thread-2 (f2) 拿着锁 B，在等锁 A，而锁 A 在 Thread-1 (f1) 手里。这就是一个环。
    时间线上，一秒之后两条线都变成了红色。
    这两个线程谁也不会放手。可是在 Python 里，普通的 Lock 没有主人：
    任何线程都可以释放它，哪怕它从没拿过这把锁。这就是“外力”。]],
}

step{ en = "Help from outside: the main thread releases lock A", zh = "外力：主线程释放锁 A" }

time.sleep(1)
lockA:release()              -- held by Thread-1 (f1), released by MainThread
t1:join(2); t2:join(2)
print("both ended:", not t1:is_alive() and not t2:is_alive())

expect{ printed = { "f2: A locked", "f1: B locked" }, en = "f2 got A, then f1 got B: the deadlock is broken",
        zh = "f2 拿到了 A，接着 f1 拿到了 B：死锁解开了" }
expect{ ok = not t1:is_alive() and not t2:is_alive(), en = "both threads ran to their end",
        zh = "两个线程都跑到了最后" }

say{
  en = [[
    The deadlock is broken, and something is wrong: f2 worked under lock A while f1
    still believed it held A. Then f1's own lockA:release() found A unlocked:
    RuntimeError, on stderr above. Releasing someone else's lock breaks the mutual exclusion
    the lock was there for. An RLock refuses it: only its owner may release it (lesson 21).
    The cure is in the design: every thread takes the locks in the same order.
    If everyone takes A before B, nobody can hold B while waiting for A.]],
  zh = [[
    死锁解开了，可是出了问题：f2 在锁 A 的保护下干活的时候，f1 还以为 A 在自己手里。
    后来 f1 自己调用 lockA:release()，发现 A 根本没锁上：抛出 RuntimeError（见上面 stderr 的输出）。
    释放别人的锁，破坏了这把锁本来要保证的互斥。RLock 不允许这样做：只有主人能释放它（见第 21 课）。
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
    Other cures: acquire(timeout=...) gives up after a time (in threadlab lock:acquire(true, seconds));
    holding one lock at a time avoids the question.
    004 defines deadlock another way: a resource taken again by the one who holds it.
    One thread and one Lock are enough for that; lesson 21 shows it, and RLock, the cure.]],
  zh = [[
    现在一个线程要等另一个，但只是等一会儿。
    别的办法：acquire(timeout=...) 等够时间就放弃（threadlab 里写 lock:acquire(true, 秒数)）；
    一次只拿一把锁，问题就不存在了。
    004 对死锁的定义是另一种情形：资源被占着它的一方再次申请。
    一个线程、一把 Lock 就够了；第 21 课演示这种死锁，以及解决它的 RLock。]],
}
