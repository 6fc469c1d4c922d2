lesson{
  title = { en = "A queue between processes: Queue(3), full and empty",
            zh = "进程间通信：Queue(3) 的满与空" },
  source = "003 进程间通信-Queue",
}

say{
  en = [[
    Processes share no globals: each has its own copy. To talk, they pass
    messages. multiprocessing.Queue is the simplest way: any process may put,
    any process may get. Queue(3) holds at most three messages.
    The notes' demo: put two, ask full(); put a third, ask again; then try a
    fourth, once waiting 2 seconds, once with put_nowait.]],
  zh = [[
    进程之间不共享全局变量：每个进程都有自己的一份。要通信，就得传消息。
    multiprocessing.Queue 是最简单的办法：任何进程都可以 put，也都可以 get。
    Queue(3) 最多能放三条消息。
    笔记里的例子：先放两条，问 full()；再放第三条，再问一次；
    然后试着放第四条：一次等 2 秒，一次用 put_nowait。]],
}

step{ en = "Fill the queue", zh = "把队列放满" }

q = mp.Queue(3)
q:put("消息1")
q:put("消息2")
print(q:full())
q:put("消息3")
print(q:full())

expect{ printed = { "false", "true" },
        en = "not full after two puts, full after three", zh = "放两条没满，放三条满了" }

step{ en = "A fourth message", zh = "第四条消息" }

local ok1, e1 = pcall(q.put, q, "消息4", true, 2)
if not ok1 then print("消息列队已满，现有消息数量:" .. q:qsize(), e1.type) end
local ok2, e2 = pcall(q.put_nowait, q, "消息4")
if not ok2 then print("消息列队已满，现有消息数量:" .. q:qsize(), e2.type) end

expect{ printed = { "消息列队已满，现有消息数量:3 queue.Full", "消息列队已满，现有消息数量:3 queue.Full" },
        en = "put with a 2-second timeout and put_nowait both raise queue.Full",
        zh = "等 2 秒的 put 和 put_nowait 都抛出 queue.Full" }

say{
  en = [[
    put(item, true, 2) waited 2 seconds for room, then raised queue.Full;
    put_nowait raised at once. The notes catch both with a bare except;
    the error's type is queue.Full, as in CPython.]],
  zh = [[
    put(item, True, 2) 等了 2 秒还没有空位，就抛出 queue.Full；
    put_nowait 立刻就抛出。笔记里用一个光秃秃的 except 接住了这两个异常；
    异常的类型是 queue.Full，和 CPython 一样。]],
}

step{ en = "Another process reads", zh = "另一个进程来读" }

reader = mp.Process{ name = "reader", target = function()
  for _ = 1, q:qsize() do print("reader got " .. q:get_nowait()) end
end }
reader:start()
reader:join()

expect{ printed = { "reader got 消息1", "reader got 消息2", "reader got 消息3" },
        en = "a second process got the three messages, in order", zh = "另一个进程按顺序拿到了三条消息" }

say{
  en = [[
    The reader is another process, yet it got the messages the main process
    put, first in, first out. On the timeline each message is an arrow from
    the put to the get, across the process lanes.
    Careful with empty() and qsize() between processes: a put hands the item to
    the queue's feeder thread (its own lane), which writes it to a pipe a moment
    later. Right after a put, empty() may still say true, in CPython too.]],
  zh = [[
    读的是另一个进程，却拿到了主进程放进去的消息，先进先出。
    在时间线上，每条消息都是一支箭头：从 put 指向 get，跨过进程的行。
    在进程之间要小心 empty() 和 qsize()：put 把消息交给队列的 feeder 线程
    （它有自己的一行），由它稍后写进管道。刚 put 完，empty() 可能还说是空的，
    CPython 也是这样。]],
}
