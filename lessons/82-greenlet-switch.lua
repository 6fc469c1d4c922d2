lesson{
  title = { en = "greenlet: switch by hand", zh = "greenlet：手动切换" },
  source = "004 协程 (greenlet); 002 §6.14",
}

say{
  en = [[
    greenlet wraps the same idea so any coroutine can switch to any other with
    switch(). 002 §6.14 gives greenlet's own documentation example: test1 prints 12
    and switches to gr2; test2 prints 56 and switches back to gr1; test1 prints 34
    and ends. The notes say it prints 12 56 34 78. It does not: when test1 ends,
    control goes to its parent, the main greenlet, and nobody ever switches to gr2
    again, so 78 is never printed. python3 with greenlet 2 prints 12 56 34.]],
  zh = [[
    greenlet 把同一个想法包装起来：任何协程都能用 switch() 切到任何别的协程。
    002 §6.14 用的是 greenlet 文档里的例子：test1 打印 12，切到 gr2；
    test2 打印 56，切回 gr1；test1 打印 34，然后结束。
    笔记说它打印 12 56 34 78。其实不会：test1 结束后，控制权回到它的父 greenlet
    （主 greenlet），再也没有人切回 gr2，所以 78 永远不会打印。
    python3 配 greenlet 2 打印的是 12 56 34。]],
}

step{ en = "12 56 34, and no 78", zh = "12 56 34，没有 78" }

function test1()
  print(12)
  lab.compute(0.2)
  gr2:switch()
  print(34)
  lab.compute(0.2)
end

function test2()
  print(56)
  lab.compute(0.2)
  gr1:switch()
  print(78)
end

gr1 = greenlet(test1)
gr2 = greenlet(test2)
gr1:switch()

expect{ printed = { "12", "56", "34" }, en = "12, 56, 34 in this order", zh = "依次打印 12、56、34" }
expect{ not_printed = { "78" }, en = "78 is never printed: nobody switches back to gr2",
        zh = "78 不会打印：没有人再切回 gr2" }
expect{ ok = gr1.dead and not gr2.dead, en = "gr1 is dead, gr2 is still suspended",
        zh = "gr1 已结束，gr2 仍然挂起" }

say{
  en = [[
    On the timeline: ↳ test1 and ↳ test2 are green lanes nested under MainThread,
    the thread that runs them. The arrows go MainThread → test1 → test2 → test1 →
    MainThread: the switch from test1 to test2 is direct, no scheduler in between.
    ↳ test2 stays suspended to the end.]],
  zh = [[
    时间线上：↳ test1 和 ↳ test2 是嵌在 MainThread 下面的绿色线，由这个线程运行。
    箭头依次是 MainThread → test1 → test2 → test1 → MainThread：
    从 test1 到 test2 是直接切换，中间没有调度器。↳ test2 一直挂起到最后。]],
}

step{ en = "004: A and B switch back and forth", zh = "004：A 和 B 来回切换" }

say{
  en = [[
    004's version loops forever, each side printing and switching to the other.
    Bounded to 3 rounds here, it prints A and B alternating, as the notes show.]],
  zh = [[
    004 的版本是死循环，两边各自打印，再切到对方。
    这里限制为 3 轮，A 和 B 交替打印，和笔记里的一样。]],
}

function ta()
  for _ = 1, 3 do
    print("---A--")
    ga2:switch()
    lab.compute(0.2)
  end
end

function tb()
  for _ = 1, 3 do
    print("---B--")
    ga1:switch()
    lab.compute(0.2)
  end
end

ga1 = greenlet(ta)
ga2 = greenlet(tb)
ga1:switch()

expect{ printed = { "---A--", "---B--", "---A--", "---B--", "---A--", "---B--" },
        en = "A and B alternate", zh = "A 和 B 交替" }
