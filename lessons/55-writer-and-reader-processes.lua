lesson{
  title = { en = "A writer process and a reader process",
            zh = "一个写进程，一个读进程" },
  source = "003 进程间通信-Queue (Queue实例); 004 进程间通信; 002 §6.5",
}

say{
  en = [[
    The parent makes one Queue and hands it to two children: one writes A, B,
    C into it, the other reads them out. The queue is made before the forks,
    so both children hold the same queue: a pipe and a few semaphores in
    shared memory.
    003's version runs them one after the other: start the writer, join it,
    then start the reader, which reads while empty() says there is more.]],
  zh = [[
    父进程创建一个 Queue，交给两个子进程：一个往里写 A、B、C，另一个读出来。
    队列是在 fork 之前创建的，所以两个子进程拿到的是同一个队列：
    一条管道加上共享内存里的几个信号量。
    003 的写法是一个接一个地跑：启动写进程，join 它，
    再启动读进程；读进程在 empty() 说还有的时候就一直读。]],
}

step{ en = "First the writer, then the reader", zh = "先写，后读" }

function write(q)
  for _, value in ipairs{ "A", "B", "C" } do
    print("Put " .. value .. " to queue...")
    q:put(value)
    time.sleep(0.05)
  end
end

function read(q)
  while true do
    if not q:empty() then
      local value = q:get(true)
      print("Get " .. value .. " from queue.")
      time.sleep(0.05)
    else
      break
    end
  end
end

q = mp.Queue()
pw = mp.Process{ target = write, args = { q }, name = "writer" }
pr = mp.Process{ target = read, args = { q }, name = "reader" }
pw:start()
pw:join()
pr:start()
pr:join()
print("all written and read")

expect{ printed = { "Put A to queue...", "Put B to queue...", "Put C to queue...",
                    "Get A from queue.", "Get B from queue.", "Get C from queue.",
                    "all written and read" },
        en = "the writer put A, B, C; then the reader got them in the same order",
        zh = "写进程放入 A、B、C；之后读进程按同样的顺序取出" }

say{
  en = [[
    The reader got all three although the writer had already ended: a queue
    outlives the process that wrote into it. Before the writer ended, its
    feeder thread flushed every item into the pipe; join waited for that.
    The empty() test is safe here only because the writer is done before the
    reader starts. Started together, the reader could find the queue empty
    before the first put arrives, and stop at once.]],
  zh = [[
    写进程已经结束了，读进程还是拿到了全部三条：队列比写它的进程活得久。
    写进程结束之前，它的 feeder 线程把每一条都送进了管道；join 等的就是这个。
    这里用 empty() 判断没问题，只是因为读进程开始之前写进程已经结束了。
    如果两个同时启动，读进程可能在第一条消息到达之前就看到队列是空的，
    立刻就停了。]],
}

step{ en = "Both at once: a reader that never ends", zh = "同时运行：永不结束的读进程" }

function read_forever(q)
  while true do
    local v = q:get(true)
    print("get " .. v .. " from queue")
  end
end

q2 = mp.Queue()
pw2 = mp.Process{ target = write, args = { q2 }, name = "writer 2" }
pr2 = mp.Process{ target = read_forever, args = { q2 }, name = "reader 2" }
pw2:start()
pr2:start()
pw2:join()
time.sleep(0.1)
print("reader alive: " .. tostring(pr2:is_alive()))
pr2:terminate()
pr2:join()
print("reader exitcode: " .. pr2.exitcode)

expect{ count = { "^get [ABC] from queue$", 3 },
        en = "the reader got each of the three as it came", zh = "读进程每来一条就取一条，共三条" }
expect{ printed = { "get A from queue", "get B from queue", "get C from queue" },
        en = "in the order they were put", zh = "顺序和放入的一样" }
expect{ printed = { "reader alive: true", "reader exitcode: -15" },
        en = "the reader still waited in get, so the parent terminated it: exit code -15 (SIGTERM)",
        zh = "读进程还在 get 里等着，父进程只好 terminate 它：退出码 -15（SIGTERM）" }

say{
  en = [[
    This is 002's version: the reader loops on get(True) for ever, so the
    parent cannot join it; it joins the writer, then terminates the reader.
    A process ended by a signal has the signal's number, negated, as its
    exit code: -15 is SIGTERM. CPython prints the same.
    On the timeline each letter is an arrow from the writer's put to the
    reader's get; the reader's lane waits on the queue between letters. A
    sentinel (lesson 51) would let the reader end by itself instead.]],
  zh = [[
    这是 002 的写法：读进程用 get(True) 无限循环，父进程没法 join 它；
    只能 join 写进程，再 terminate 读进程。
    被信号结束的进程，退出码是信号编号的相反数：-15 就是 SIGTERM。
    CPython 打印的也一样。
    在时间线上，每个字母都是一支从写进程的 put 指向读进程的 get 的箭头；
    两个字母之间，读进程那一行在等队列。用一个结束标记（第 51 课），
    读进程就能自己结束。]],
}
