lesson{
  title = { en = "Condition: wait until told", zh = "Condition：等别人通知" },
  source = "000 §2.5",
}

say{
  en = [[
    A lock lets one thread work at a time. It cannot say:
    "stop halfway, let the other thread work, and go on when it tells you".
    A Condition can. It wraps a lock. wait() lets go of the lock and sleeps
    until another thread calls notify(); then it takes the lock back and goes on.
    The notes: go1 counts to 5 and waits; go2 counts to 6 and notifies; go1 finishes.]],
  zh = [[
    锁只能让一个线程单独工作。它表达不了：
    “做到一半停下来，让另一个线程干，等它通知你再接着干”。
    Condition 可以。它里面包着一把锁。wait() 会放开锁并睡下，
    直到另一个线程调用 notify()；然后它重新拿到锁，接着往下走。
    笔记的例子：go1 数到 5 就等；go2 数到 6 后通知；go1 再做完。]],
}

step{ en = "go1 waits, go2 notifies", zh = "go1 等待，go2 通知" }

cond = threading.Condition()

function go1()
  threading.with(cond, function()        -- with cond:
    for i = 0, 7 do
      time.sleep(1)
      print(threading.current_thread().name, i, "go11")
      if i == 5 then
        cond:wait()                        -- lets go of the lock until notified
      end
    end
  end)
end

function go2()
  threading.with(cond, function()
    for i = 0, 6 do
      time.sleep(1)
      print(threading.current_thread().name, i)
    end
    cond:notify()                          -- wakes go1; it runs once we let go
  end)
end

beg = time.time()
t1 = threading.Thread{target = go1}
t1:start()                                 -- first, so it takes the lock first
t2 = threading.Thread{target = go2}
t2:start()
t1:join(); t2:join()
print(("done after %.0f s"):format(time.time() - beg))

expect{ printed = {
          "Thread-1 0 go11", "Thread-1 1 go11", "Thread-1 2 go11", "Thread-1 3 go11", "Thread-1 4 go11", "Thread-1 5 go11",
          "Thread-2 0", "Thread-2 1", "Thread-2 2", "Thread-2 3", "Thread-2 4", "Thread-2 5", "Thread-2 6",
          "Thread-1 6 go11", "Thread-1 7 go11", "done after 15 s" },
        en = "exactly the notes' output: go1 0-5, go2 0-6, go1 6-7",
        zh = "和笔记的输出完全一样：go1 0-5，go2 0-6，go1 6-7" }

say{
  en = [[
    Exactly the notes' output, in 6 + 7 + 2 = 15 seconds.
    go2 blocked on the lock until go1's wait() let go of it.
    notify() did not hand over the lock: go1 woke only when go2 left its with block.
    The notes warn: do not swap the two start() lines. Let us see why.]],
  zh = [[
    和笔记的输出完全一样，用了 6 + 7 + 2 = 15 秒。
    go2 一直卡在锁上，直到 go1 的 wait() 放开了锁。
    notify() 并不交出锁：go2 离开 with 块之后，go1 才真正醒来。
    笔记提醒：两个 start() 的顺序不能调换。看看为什么。]],
}

step{ en = "Start go2 first", zh = "先启动 go2" }

t2 = threading.Thread{target = go2, name = "go2"}
t2:start()
t1 = threading.Thread{target = go1, name = "go1"}
t1:start()
ok, err = pcall(t1.join, t1)
print(err)

expect{ printed = { "go2 6", "go1 5 go11" }, en = "go2 notified before go1 was waiting",
        zh = "go2 发通知的时候，go1 还没开始等" }
expect{ deadlock = { "go1" }, en = "go1 waits for ever: a notification nobody heard",
        zh = "go1 永远在等：那个通知没有人听到" }

say{
  en = [[
    go2 took the lock first, counted, and notified nobody: go1 was not waiting yet.
    A notification is not remembered. Then go1 counted to 5 and waited for ever.
    threadlab noticed that no thread could ever run again, and said so.
    The cure: wait for a condition on the data, not for a call.
    wait_for(predicate) checks the predicate first and waits only while it is false.]],
  zh = [[
    go2 先拿到锁，数完，发了通知，可没人在等：go1 还没开始等。
    通知不会被记住。然后 go1 数到 5 开始等，就永远等下去了。
    threadlab 发现再也没有线程能运行，就报告了出来。
    办法是：等数据上的条件，而不是等一次调用。
    wait_for(predicate) 先检查条件，只有条件不成立时才等。]],
}

step{ en = "Wait for a predicate", zh = "等一个条件成立" }

go2_done = false

function go1_fixed()
  threading.with(cond, function()
    for i = 0, 7 do
      time.sleep(1)
      print(threading.current_thread().name, i, "go11")
      if i == 5 then
        cond:wait_for(function() return go2_done end)
      end
    end
  end)
end

function go2_fixed()
  threading.with(cond, function()
    for i = 0, 6 do
      time.sleep(1)
      print(threading.current_thread().name, i)
    end
    go2_done = true                        -- the fact, kept in the data
    cond:notify()
  end)
end

cond = threading.Condition()               -- a fresh one: the stuck go1 still waits on the old
t2 = threading.Thread{target = go2_fixed, name = "go2b"}
t2:start()                                 -- go2 first again
t1 = threading.Thread{target = go1_fixed, name = "go1b"}
t1:start()
t1:join(); t2:join()

expect{ printed = { "go2b 6", "go1b 5 go11", "go1b 6 go11", "go1b 7 go11" },
        en = "in either order, go1 finishes", zh = "不管先启动谁，go1 都能做完" }

say{
  en = [[
    go1 found go2_done already true and did not wait at all.
    Keep the state in a variable under the Condition's lock; notify to say it changed.
    wait() without a predicate is the notes' bug waiting to happen.]],
  zh = [[
    go1 发现 go2_done 已经是 true，根本没有等。
    把状态放在变量里，由 Condition 的锁保护；notify 只是告诉别人“变了”。
    不带条件的 wait()，就是笔记里那个随时会发作的 bug。]],
}
