lesson{
  title = { en = "Producer and consumer: queue.Queue, None as the end, task_done and join",
            zh = "生产者与消费者：queue.Queue、用 None 收尾、task_done 与 join" },
  source = "002 ch.9, 004 生产者消费者模型",
}

say{
  en = [[
    004 gives three reasons for a buffer between who makes data and who uses it:
    the two sides do not depend on each other, they run at the same time,
    and the buffer absorbs bursts when one side is faster for a while.
    In Python that buffer is queue.Queue: put() adds, get() takes and blocks while it is empty.
    It does its own locking, so any number of threads may share it.
    002 ch.9 writes it with multiprocessing.Queue and processes; queue.Queue is the same idea
    for threads, with the same put and get. Two bakers make three items each; two eaters eat.]],
  zh = [[
    004 讲了在生产数据的一方和使用数据的一方之间放一个缓冲区的三个好处：
    双方互不依赖（解耦），可以同时进行（支持并发），一方暂时快了，缓冲区能先存着（支持忙闲不均）。
    在 Python 里，这个缓冲区就是 queue.Queue：put() 往里放，get() 往外取，队列空了 get() 就阻塞。
    锁它自己会加，多少个线程共用都没问题。
    002 第 9 章用的是 multiprocessing.Queue 和进程；对线程来说，queue.Queue 是一回事，
    put 和 get 的用法完全一样。两个人做包子馒头，各做三个；两个人吃。]],
}

step{ en = "Two producers, two consumers, one queue", zh = "两个生产者，两个消费者，一个队列" }

q = queue.Queue{maxsize = 20, name = "food"}     -- Python: queue.Queue(20)
beg = time.time()
function now() return time.time() - beg end

function producer(name, food, pause)
  for i = 1, 3 do
    time.sleep(pause)
    local f = ("%s made %s %d"):format(name, food, i)
    print(("%.2f %s"):format(now(), f))
    q:put(f)
  end
end

function consumer(name)
  while true do
    local food = q:get()                 -- blocks while the queue is empty
    if food == nil then
      print(("%.2f %s: got None, the producers are done"):format(now(), name))
      break
    end
    print(("%.2f %s ate: %s"):format(now(), name, food))
    time.sleep(0.45)                     -- eating takes a while
  end
end

p1 = threading.Thread{target = producer, args = {"fioman", "baozi", 0.3}, name = "fioman"}
p2 = threading.Thread{target = producer, args = {"jingjing", "mantou", 0.5}, name = "jingjing"}
c1 = threading.Thread{target = consumer, args = {"mengmeng"}, name = "mengmeng"}
c2 = threading.Thread{target = consumer, args = {"xiaoxiao"}, name = "xiaoxiao"}
for _, t in ipairs{p1, p2, c1, c2} do t:start() end
p1:join(); p2:join()
print(("%.2f producers done"):format(now()))
c1:join(1)                               -- give the eaters a second to finish
print(("%.2f queue empty: %s, mengmeng alive: %s, xiaoxiao alive: %s"):format(
  now(), tostring(q:empty()), tostring(c1:is_alive()), tostring(c2:is_alive())))

expect{ count = { " ate: ", 6 }, en = "all six items were eaten, each once", zh = "六个都被吃掉了，每个只吃一次" }
expect{ ok = q:empty() and c1:is_alive() and c2:is_alive(),
        en = "the queue is empty, yet both consumers still wait in get()",
        zh = "队列已经空了，两个消费者却还卡在 get() 里" }

say{
  en = [[
    Every item was eaten once: the queue hands each one to exactly one get().
    But the eaters cannot tell "empty for now" from "empty for ever": they still wait.
    The notes' answer: when the producers are done, put one None per consumer.
    A consumer that gets None breaks out of its loop.
    (The notes' '{}生产了{}'.format(name, food, i) has two slots for three values:
    format drops i, so all of fioman's items read "fioman生产了包子". We print the number.)]],
  zh = [[
    每个包子馒头都只被吃了一次：队列把每一项只交给一个 get()。
    可消费者分不清“暂时空了”和“再也不会有了”：它们还在等。
    笔记的办法：生产者都做完之后，每个消费者放一个 None。
    消费者拿到 None，就跳出循环。
    （笔记里 '{}生产了{}'.format(name, food, i) 只有两个空位，却传了三个值：
    format 把 i 丢掉了，所以 fioman 做的每一个都叫“fioman生产了包子”。这里把序号打印了出来。）]],
}

step{ en = "One None per consumer", zh = "每个消费者一个 None" }

q:put(nil)                               -- Python: q.put(None)
q:put(nil)
c1:join(); c2:join()
print(("%.2f main ends"):format(now()))

expect{ count = { "got None", 2 }, en = "each consumer got one None and stopped",
        zh = "每个消费者拿到一个 None，停了下来" }
expect{ ok = not c1:is_alive() and not c2:is_alive(), en = "both consumer threads have ended",
        zh = "两个消费者线程都结束了" }

say{
  en = [[
    Two Nones, two consumers gone, and join() returns. Put one fewer and one eater waits for ever.
    The queue carries its own count of unfinished work too:
    every put() adds one, and task_done() says "the item I got is finished".
    q.join() blocks until the count is back to zero.
    For threads queue.Queue has these built in; for processes it is multiprocessing.JoinableQueue.]],
  zh = [[
    两个 None，两个消费者都走了，join() 也就返回了。少放一个，就有一个消费者永远等下去。
    队列自己还记着一个“没做完的活”的计数：
    每次 put() 加一，task_done() 表示“我取走的那一项做完了”，减一。
    q.join() 一直阻塞，直到计数回到零。
    对线程，queue.Queue 自带这两个方法；对进程，要用 multiprocessing.JoinableQueue。]],
}

step{ en = "task_done() and join(): wait until every job is done", zh = "task_done() 与 join()：等所有活都做完" }

jobs = queue.Queue{name = "jobs"}
beg = time.time()

function worker()
  while true do
    local secs = jobs:get()
    time.sleep(secs)
    print(("%.2f %s finished a %.1f s job"):format(now(), threading.current_thread().name, secs))
    jobs:task_done()                     -- without it, jobs:join() never returns
  end
end

for _, secs in ipairs{0.5, 0.2, 0.4, 0.3, 0.1} do jobs:put(secs) end
for n = 1, 2 do
  threading.Thread{target = worker, name = "worker-" .. n, daemon = true}:start()
end
jobs:join()
joined_at = now()
print(("%.2f jobs.join() returned: every job is done"):format(joined_at))

expect{ value = joined_at, is = 0.8, near = 0.001,
        en = "join() returned when the last job finished, at 0.8 s, not when the last one was put",
        zh = "join() 在最后一个活做完时返回（0.8 秒），而不是在最后一次 put 时" }
expect{ count = { "finished a", 5 }, en = "all five jobs were done first", zh = "五个活都先做完了" }

say{
  en = [[
    The jobs were all put at 0 s; join() returned at 0.8 s, the moment the last task_done() came.
    The workers are daemons, still waiting in get(): they die when the program ends.
    002 prefers None over JoinableQueue: the consumers then end by themselves,
    where with join() they are left blocked in get(). (The notes call such leftovers
    zombies; a zombie is a process that has ended and was not reaped. These are alive, just idle.)
    Both ways are right; pick the one whose ending you want to see in the code.]],
  zh = [[
    活都是在 0 秒放进去的；join() 在 0.8 秒返回，正是最后一次 task_done() 的时刻。
    工作线程是守护线程，还卡在 get() 里：程序结束时它们跟着结束。
    002 更喜欢用 None 而不是 JoinableQueue：用 None，消费者自己会退出；
    用 join()，它们就一直卡在 get() 里。（笔记把这种剩下的进程叫“僵尸进程”；
    僵尸进程是已经结束、还没被回收的进程。这些线程还活着，只是闲着。）
    两种写法都对；想在代码里看清楚怎么收尾，就选对应的那种。]],
}
