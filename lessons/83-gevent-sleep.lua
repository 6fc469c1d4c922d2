lesson{
  title = { en = "gevent switches only where it waits", zh = "gevent 只在等待处切换" },
  source = "004 协程 (gevent)",
}

say{
  en = [[
    gevent switches greenlets for you, but only at a wait: gevent.sleep, a socket
    read, a lock. 004 shows it twice. First three greenlets run f(3), which only
    prints: no wait, so no switch: each runs to its end before the next starts.
    gevent names them Greenlet-0, Greenlet-1, ... as in the notes.]],
  zh = [[
    gevent 会替你切换 greenlet，但只在等待的地方：gevent.sleep、读 socket、等锁。
    004 演示了两遍。先是三个 greenlet 运行 f(3)，f 只打印，没有等待，
    所以不切换：一个跑完，下一个才开始。gevent 给它们起名 Greenlet-0、Greenlet-1……
    和笔记里一样。]],
}

step{ en = "No wait, no switch", zh = "不等待，就不切换" }

function f(n)
  for i = 0, n - 1 do
    print(gevent.getcurrent().name, i)
    lab.compute(0.3)
  end
end

g1, g2, g3 = gevent.spawn(f, 3), gevent.spawn(f, 3), gevent.spawn(f, 3)
g1:join() g2:join() g3:join()

expect{ printed = { "Greenlet-0 0", "Greenlet-0 1", "Greenlet-0 2", "Greenlet-1 0",
                    "Greenlet-1 2", "Greenlet-2 0", "Greenlet-2 2" },
        en = "one after another: Greenlet-0 finishes before Greenlet-1 starts",
        zh = "一个接一个：Greenlet-0 跑完，Greenlet-1 才开始" }

say{
  en = [[
    Now the same with a sleep after each print (the notes sleep 1 s; 1 ms here, so
    the picture shows the turns). At the sleep a greenlet goes
    back to the hub, the greenlet that runs gevent's loop; the hub starts the next
    ready greenlet, and wakes each sleeper when its timer is due. The three sleeps
    overlap: 3 rounds take about 3 ms, not 9. Watch the ↳ Hub lane between the turns.]],
  zh = [[
    再来一次，每次打印后睡一下（笔记里睡 1 秒，这里睡 1 毫秒，好让图上看得清每次轮换）。睡眠时 greenlet 回到 hub——
    运行 gevent 事件循环的那个 greenlet；hub 启动下一个就绪的 greenlet，
    定时器到点时再唤醒睡着的那个。三个睡眠是重叠的：3 轮大约 3 毫秒，不是 9 毫秒。
    注意每次轮换之间的 ↳ Hub 那一行。]],
}

step{ en = "gevent.sleep hands over to the hub", zh = "gevent.sleep 把控制交给 hub" }

function h(n)
  for i = 0, n - 1 do
    print(gevent.getcurrent().name, i)
    lab.compute(0.3)
    gevent.sleep(0.001)
  end
end

local t0 = time.time()
gevent.joinall{ gevent.spawn(h, 3), gevent.spawn(h, 3), gevent.spawn(h, 3) }
took = time.time() - t0

expect{ printed = { "Greenlet-3 0", "Greenlet-4 0", "Greenlet-5 0", "Greenlet-3 1",
                    "Greenlet-4 1", "Greenlet-5 1", "Greenlet-3 2", "Greenlet-5 2" },
        en = "interleaved: each round every greenlet once (python3 + gevent prints the same)",
        zh = "交错执行：每一轮每个 greenlet 各一次（python3 + gevent 打印的一样）" }
expect{ value = took, min = 0.003, max = 0.006, en = "the sleeps overlap: about 3 ms plus the work, not 9 ms plus the work",
        zh = "睡眠重叠：大约 3 毫秒（加上干活的时间），不是 9 毫秒" }

say{
  en = [[
    One thread did all of it: the GIL row never changes hands. Cooperative means a
    greenlet that never waits keeps everyone else out, as in the first step.]],
  zh = [[
    全程只有一个线程：GIL 那一行从没换过人。“协作式”的意思是：
    一个从不等待的 greenlet 会把其他所有人挡在外面，就像第一步那样。]],
}
