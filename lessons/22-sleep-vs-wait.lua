lesson{
  title = { en = "sleep() keeps the lock, wait() lets go of it", zh = "sleep() 不放锁，wait() 放锁" },
  source = "002 §12.6",
}

say{
  en = [[
    002 §12.6: a thread that sleeps or waits gives up the CPU, and gets no time slice
    until its sleep ends or it is woken. On the timeline such a lane is not running,
    and the GIL row shows someone else, or nobody.
    The notes add: sleep() does not release the lock, wait() does.
    Let us test both halves. The sleeper holds a Condition's lock and sleeps 2 s;
    0.1 s later a visitor asks for the same lock.]],
  zh = [[
    002 §12.6：线程睡眠或等待时会让出 CPU，在睡醒或被唤醒之前分不到时间片。
    时间线上，这样的线不是“运行”，GIL 那一行上是别的线程，或者谁也没有。
    笔记接着说：sleep() 不释放锁，wait() 释放锁。
    两句话都来验证一下。sleeper 拿着一个 Condition 的锁，睡 2 秒；
    0.1 秒后，visitor 来要同一把锁。]],
}

step{ en = "Sleeping with the lock held", zh = "拿着锁睡觉" }

cond = threading.Condition{name = "cond"}

function sleeper()
  threading.with(cond, function()            -- with cond:
    print("sleeper: holds the lock, sleeps 2 s")
    time.sleep(2)
  end)
end

function visitor(lock, what)
  local t0 = time.time()
  threading.with(lock, function()
    got_after = time.time() - t0
    print(("visitor: got %s after %.1f s"):format(what, got_after))
  end)
end

function visit(n, holder, target, lock, what) -- the holder first, the visitor 0.1 s later
  local a = threading.Thread{target = target, name = holder}
  a:start()
  time.sleep(0.1)
  local b = threading.Thread{target = visitor, args = {lock, what}, name = "visitor-" .. n}
  b:start()
  a:join(); b:join()
end

visit(1, "sleeper", sleeper, cond, "the lock")

expect{ value = got_after, is = 1.9, near = 0.001, en = "the visitor waited until the sleeper let go: 1.9 s",
        zh = "visitor 一直等到 sleeper 放手：1.9 秒" }

say{
  en = [[
    1.9 s: the whole rest of the sleep. The sleeper gave up the CPU and the GIL, not the lock.
    Now the same, but the holder calls cond:wait(2), which may also end after 2 s.]],
  zh = [[
    1.9 秒：整段剩下的睡眠时间。sleeper 让出了 CPU 和 GIL，却没有让出锁。
    再来一次，这回拿锁的线程调用 cond:wait(2)，它同样可能 2 秒后才回来。]],
}

step{ en = "Waiting lets go of the lock", zh = "等待时放开锁" }

function waiter()
  threading.with(cond, function()
    print("waiter: holds the lock, waits up to 2 s")
    cond:wait(2)                               -- lets go of cond's lock while it waits
    print("waiter: back, holds the lock again")
  end)
end

visit(2, "waiter", waiter, cond, "the lock")

expect{ value = got_after, is = 0, near = 0.001, en = "the visitor got the lock at once",
        zh = "visitor 立刻拿到了锁" }
expect{ printed = { "waiter: holds the lock, waits up to 2 s", "visitor: got the lock after 0.0 s",
                    "waiter: back, holds the lock again" },
        en = "and the waiter took it back before it returned", zh = "waiter 返回之前又把锁拿了回来" }

say{
  en = [[
    At once. wait() released the Condition's lock, slept, and re-acquired it before returning:
    that is what lets another thread change the state and notify.
    The notes' sentence is the classic Java interview answer; in Java every object carries a lock.
    In Python, wait() lets go of one lock only: its own Condition's.
    Any other lock the waiter holds stays held.]],
  zh = [[
    立刻就拿到了。wait() 放开了 Condition 的锁，睡下，返回之前再把锁拿回来：
    正因为这样，别的线程才能去改状态、发通知。
    笔记里这句话是 Java 面试题的标准答案，Java 里每个对象都带着一把锁。
    在 Python 里，wait() 只放开一把锁：它自己那个 Condition 的锁。
    等待的线程手里的其他锁，照样拿着。]],
}

step{ en = "wait() lets go of its own lock only", zh = "wait() 只放开自己那把锁" }

other = threading.Lock{name = "other"}

function both()
  threading.with(other, function()
    threading.with(cond, function()
      print("waiter: holds both locks, waits up to 2 s")
      cond:wait(2)
    end)
  end)
end

visit(3, "waiter-2", both, other, "the other lock")

expect{ value = got_after, is = 1.9, near = 0.001, en = "the other lock stayed held during the wait: 1.9 s",
        zh = "等待期间，另一把锁一直被拿着：1.9 秒" }

say{
  en = [[
    1.9 s again. A thread that waits while holding a second lock blocks everyone
    who needs that lock, and if the notifier is one of them, nobody will ever notify.
    So: never sleep while holding a lock others need,
    and hold no other lock when you wait on a Condition.]],
  zh = [[
    又是 1.9 秒。拿着第二把锁去等待，会把所有需要这把锁的线程都堵住；
    要是负责发通知的线程也在其中，就再也没人能发通知了。
    所以：别拿着别人要用的锁睡觉；
    在 Condition 上等待时，别再拿着其他的锁。]],
}
