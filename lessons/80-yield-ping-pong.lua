lesson{
  title = { en = "Coroutines from yield: A and B take turns", zh = "用 yield 做协程：A 和 B 轮流执行" },
  source = "004 协程 (生成器实现协程)",
}

say{
  en = [[
    004 builds its first coroutine from a generator. A is a generator: it prints
    ----A--- and stops at yield. B prints ----B--- and calls next(a), which runs A
    up to its next yield. One thread, two functions taking turns: nothing runs at
    the same time, and nobody is pre-empted: A runs only when B asks for it.
    The notes' loops run forever; here B asks 3 times. (The notes write c.next(),
    which is Python 2; Python 3 spells it next(c).)]],
  zh = [[
    004 用生成器做出第一个协程。A 是生成器：打印 ----A---，停在 yield。
    B 打印 ----B---，然后调用 next(a)，让 A 跑到下一个 yield。
    一个线程，两个函数轮流执行：没有任何东西同时运行，也没有谁被抢占——
    只有 B 要它跑，A 才跑。笔记里的循环是死循环；这里 B 只要 3 次。
    （笔记写的 c.next() 是 Python 2 的写法，Python 3 要写 next(c)。）]],
}

step{ en = "A yields, B calls next(a)", zh = "A yield，B 调用 next(a)" }

function A()
  while true do
    print("----A---")
    yield()
    lab.compute(0.5)          -- 0.5 ms of work (the notes sleep 0.5 s)
  end
end

function B(c, rounds)
  for _ = 1, rounds do
    print("----B---")
    next(c)
    lab.compute(0.5)
  end
end

a = generator(A)
B(a, 3)

expect{ printed = { "----B---", "----A---", "----B---", "----A---", "----B---", "----A---" },
        en = "B and A alternate, B first, as the notes' run shows",
        zh = "B 和 A 交替，B 在前，和笔记里的运行结果一样" }

say{
  en = [[
    On the timeline MainThread has two green lanes nested under it: ↳ A and the
    thread itself running B. Every next(a) is a switch arrow into ↳ A, every yield an
    arrow back. A is idle between its turns: a suspended generator costs nothing.]],
  zh = [[
    时间线上 MainThread 下面嵌着一条绿色的线：↳ A；B 就在线程自己那一行上跑。
    每次 next(a) 是一支切进 ↳ A 的箭头，每次 yield 是一支切回来的箭头。
    两次轮到之间 A 是空闲的：挂起的生成器不占任何 CPU。]],
}

step{ en = "Python's send: a value comes back in at yield", zh = "Python 的 send：yield 处拿回一个值" }

function echo_gen()
  lab.compute(0.05)           -- a little work per turn, so its lane shows its turns
  local got = yield("ready")
  while true do
    lab.compute(0.05)
    got = yield("echo " .. tostring(got))
  end
end
e = generator(echo_gen)
first = next(e)
reply = e:send("hi")
print(first, reply)

expect{ value = reply, is = "echo hi", en = "send(v) resumes at yield, which returns v",
        zh = "send(v) 从 yield 处继续，yield 返回 v" }
local ok, err = pcall(e.send, generator(echo_gen), "too early")
expect{ ok = not ok and err.type == "TypeError",
        en = "sending a value to a just-started generator is a TypeError, as in Python",
        zh = "向刚创建的生成器 send 非 None 的值会抛 TypeError，和 Python 一样" }
