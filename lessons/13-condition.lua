lesson{
  title = { en = "Condition: wait until told", zh = "Condition：等别人通知" },
  source = "000 §2.5",
  speed = 5,    -- 46 s of sleeps play in about 9 s
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
          "Thread-1 (go1) 0 go11", "Thread-1 (go1) 1 go11", "Thread-1 (go1) 2 go11", "Thread-1 (go1) 3 go11", "Thread-1 (go1) 4 go11", "Thread-1 (go1) 5 go11",
          "Thread-2 (go2) 0", "Thread-2 (go2) 1", "Thread-2 (go2) 2", "Thread-2 (go2) 3", "Thread-2 (go2) 4", "Thread-2 (go2) 5", "Thread-2 (go2) 6",
          "Thread-1 (go1) 6 go11", "Thread-1 (go1) 7 go11", "done after 15 s" },
        en = "the notes' output, in the notes' order: go1 0-5, go2 0-6, go1 6-7",
        zh = "和笔记的输出顺序一样：go1 0-5，go2 0-6，go1 6-7" }

say{
  en = [[
    The notes' output, line for line, in 6 + 7 + 2 = 15 seconds (played here 5 times faster).
    Only the names differ. Python 3.10+ adds the target: Thread-1 (go1).
    The notes' Thread-6 and Thread-7 come from a notebook: the counter counts every
    unnamed thread of the process, and five had been made there before this cell ran.
    go2 blocked on the lock until go1's wait() let go of it.
    notify() did not hand over the lock: go1 woke only when go2 left its with block.
    The notes warn: do not swap the two start() lines. Let us see why.]],
  zh = [[
    和笔记的输出逐行对得上，用了 6 + 7 + 2 = 15 秒（这里按 5 倍速播放）。
    只有名字不一样。Python 3.10 以后名字里带上了 target：Thread-1 (go1)。
    笔记里的 Thread-6、Thread-7 来自 notebook：编号按整个进程里没起名字的线程往上数，
    这个单元格运行之前，那里已经建过五个了。
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
expect{ hang = { "go1 waits for a notify nobody can send" }, en = "go1 waits for ever: a notification nobody heard",
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
    wait_for(pred) is the loop every Condition user writes: while not pred(): cond.wait().
    A loop, not an if: a woken thread must look again, because another thread may have
    changed the state first. And to wake every waiter, not just one: notify_all().]],
  zh = [[
    go1 发现 go2_done 已经是 true，根本没有等。
    把状态放在变量里，由 Condition 的锁保护；notify 只是告诉别人“变了”。
    wait_for(pred) 就是用 Condition 时人人都要写的那个循环：while not pred(): cond.wait()。
    是 while，不是 if：被唤醒的线程必须再检查一遍，因为别的线程可能抢先改了状态。
    要唤醒所有在等的线程，而不只是一个，就用 notify_all()。]],
}

step{ en = "while not ready: wait(), and notify_all()", zh = "while not ready: wait()，以及 notify_all()" }

ready = false
meal = threading.Condition()

function diner(name)
  threading.with(meal, function()
    while not ready do meal:wait() end       -- while not ready: meal.wait()
    print(("%s eats at %.0f s"):format(name, time.time() - beg))
  end)
end

function cook()
  time.sleep(3)                              -- cooking
  threading.with(meal, function()
    ready = true
    meal:notify_all()                        -- every waiter; notify() would wake one
  end)
end

beg = time.time()
diners = {}
for i = 1, 3 do
  diners[i] = threading.Thread{target = diner, args = {"diner-" .. i}, name = "diner-" .. i}
  diners[i]:start()
end
chef = threading.Thread{target = cook, name = "cook"}
chef:start()
chef:join()
for _, d in ipairs(diners) do d:join(1) end
woke = 0
for _, d in ipairs(diners) do if not d:is_alive() then woke = woke + 1 end end
print(woke .. " of 3 diners ate")

expect{ count = { "^diner%-%d eats at 3 s$", 3 }, en = "notify_all() woke all three, at 3 s",
        zh = "notify_all() 把三个都叫醒了，在第 3 秒" }

say{
  en = [[
    All three ate at 3 s. With notify() one diner wakes; the other two would sleep on,
    their join(1) would time out, and the count would say 1 of 3. Try it.
    The rule for Conditions: state in a variable, changed under the lock;
    waiters loop on the state; the changer notifies (notify_all when many may go on).]],
  zh = [[
    三个人都在第 3 秒吃上了。换成 notify() 只会叫醒一个；另外两个接着睡，
    它们的 join(1) 会超时，最后打印的就是 1 of 3。可以试试。
    用 Condition 的规矩：状态放在变量里，在锁的保护下修改；
    等待的一方循环检查状态；修改的一方发通知（可能有好几个要继续时，用 notify_all）。]],
}
