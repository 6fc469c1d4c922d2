lesson{
  title = { en = "Deadlock across processes", zh = "跨进程的死锁" },
  source = "003 死锁 (the threads' example, with processes and multiprocessing.Lock)",
}

say{
  en = [[
    Lesson 11 showed two threads deadlocked on two locks. Processes can do the same
    with the locks of multiprocessing: mp.Lock works between processes, so a parent
    and its child can each hold one lock and wait for the other's.
    The rule is the one for threads: nobody lets go, so nobody goes on.
    CPython has no deadlock detector: there both processes wait for ever, and only
    Ctrl-C or kill ends them. threadlab keeps one wait-for graph that every
    process of the run shares, and sees the cycle close.]],
  zh = [[
    第 11 课讲了两个线程在两把锁上死锁。进程用 multiprocessing 的锁也会这样：
    mp.Lock 在进程之间起作用，所以父进程和子进程可以各拿一把锁，又都等对方那把。
    道理和线程一样：谁都不放手，谁都走不下去。
    CPython 没有死锁检测：两个进程会永远等下去，只有 Ctrl-C 或 kill 才能结束它们。
    threadlab 有一张所有进程共享的等待图（wait-for graph），环一闭合就能看到。]],
}

step{ en = "Parent and child, two locks, opposite order", zh = "父进程和子进程，两把锁，顺序相反" }

L1 = mp.Lock{name = "L1"}
L2 = mp.Lock{name = "L2"}
child_has_L2 = mp.Event()

function child()
  L2:acquire()
  print("child: L2 locked")
  child_has_L2:set()
  time.sleep(0.3)
  local ok, err = pcall(L1.acquire, L1)   -- the parent holds L1
  time.sleep(0.2)                         -- (its line clear of the red arrows)
  print("child: " .. (ok and "L1 locked" or err.type))
end

L1:acquire()
print("parent: L1 locked")
p = mp.Process{target = child, name = "Child"}
p:start()
child_has_L2:wait()
ok, err = pcall(L2.acquire, L2)           -- the child holds L2
time.sleep(0.4)
print("parent: " .. (ok and "L2 locked" or err.type))
p:join()
print(err)

expect{ printed = { "parent: L1 locked", "child: L2 locked" },
        en = "each process got its first lock", zh = "两个进程都拿到了第一把锁" }
expect{ ok = not ok and type(err) == "table" and err.type == "DeadlockError",
        en = "the parent's acquire raised DeadlockError instead of hanging",
        zh = "父进程的 acquire 抛出了 DeadlockError，而不是永远卡住" }
expect{ printed = { "child: DeadlockError" },
        en = "the child learned of it too, in its own process", zh = "子进程也在自己的进程里知道了" }
expect{ deadlock = { "MainProcess/MainThread", "Child/MainThread" },
        en = "the report names both processes and their threads", zh = "报告点出了两个进程和它们的线程" }
expect{ deadlock_cycle = { "MainProcess/MainThread", "Child/MainThread", "mp.Lock L1", "mp.Lock L2" },
        en = "the report names the cycle: both threads and both locks",
        zh = "报告指出了整个环：两个线程和两把锁" }

say{
  en = [[
    A thread is now named with its process: MainProcess/MainThread and
    Child/MainThread are two different MainThreads. Put the report together:
    the parent holds L1 and waits for L2, which the child holds;
    the child holds L2 and waits for L1, which the parent holds. A cycle.
    Each mp.Lock writes who holds it into memory both processes share, and a
    process that starts to wait writes what it waits for; the last one to wait
    follows the arrows and comes back to itself. On the timeline, the red
    arrows go from one process's lane to the other's; below, the wait-for graph
    is one loop through both processes. On the terminal, :locks lists every
    process's mp locks, and :threads every process's threads.]],
  zh = [[
    现在线程的名字带上了进程：MainProcess/MainThread 和 Child/MainThread 是两个不同的 MainThread。
    把报告连起来：父进程拿着 L1，等 L2，而 L2 在子进程手里；
    子进程拿着 L2，等 L1，而 L1 在父进程手里。这就是一个环。
    每把 mp.Lock 都把“谁拿着我”写进两个进程共享的内存，开始等待的进程也写下“我在等什么”；
    最后一个开始等的进程顺着箭头走一圈，又回到了自己。
    时间线上，红色箭头从一个进程的线连到另一个进程的线；下方的等待图是穿过两个进程的一个环。
    在终端里，:locks 列出所有进程的 mp 锁，:threads 列出所有进程的线程。]],
}

step{ en = "The fix: one order for everyone", zh = "解决：大家用同一个顺序" }

M1 = mp.Lock{name = "M1"}
M2 = mp.Lock{name = "M2"}

function child_fixed()
  M1:acquire()              -- M1 first, as the parent does
  M2:acquire()
  print("child: M1 and M2 locked")
  M2:release()
  M1:release()
end

M1:acquire()
q = mp.Process{target = child_fixed, name = "Child2"}
q:start()
time.sleep(0.2)
M2:acquire()
print("parent: M1 and M2 locked")
M2:release()
M1:release()
q:join()
print("child exit code " .. q.exitcode)

expect{ printed = { "parent: M1 and M2 locked", "child: M1 and M2 locked", "child exit code 0" },
        en = "both took M1 before M2: the child waited, then went on", zh = "两边都先拿 M1 再拿 M2：子进程等了一会儿，然后继续" }

say{
  en = [[
    The child waited for M1 while the parent held it, but it held nothing the parent
    wanted: a wait, not a cycle. Taking locks in one order for everyone works across
    processes exactly as it does across threads.]],
  zh = [[
    父进程拿着 M1 的时候，子进程在等它；但子进程手里没有父进程要的东西：这只是等待，不是环。
    大家按同一个顺序拿锁，这个办法在进程之间和在线程之间一样管用。]],
}
