lesson{
  title = { en = "Producer and consumer processes: sentinels and JoinableQueue",
            zh = "生产者与消费者进程：结束标记与 JoinableQueue" },
  source = "004 生产者消费者模型; 002 ch.9",
}

say{
  en = [[
    A producer process makes buns and puts them on a queue; a consumer process
    takes them off and eats them. The queue decouples the two: neither waits
    for the other unless the queue is full or empty.
    How does the consumer know that no more buns will come? The producer puts
    a sentinel at the end: here nil, in the notes None.]],
  zh = [[
    生产者进程做包子，放进队列；消费者进程从队列里拿出来吃。
    队列把两边解耦：除非队列满了或空了，谁也不用等谁。
    消费者怎么知道不会再有包子了？生产者在最后放一个结束标记：
    这里是 nil，笔记里是 None。]],
}

step{ en = "Sentinel", zh = "结束标记" }

q = mp.Queue(2)
function producer()
  for i = 1, 5 do q:put("bun " .. i); time.sleep(0.01) end
  q:put(nil)
end
function consumer()
  while true do
    local x = q:get()
    if x == nil then break end
    print("ate " .. x)
    time.sleep(0.02)
  end
end
p = mp.Process{ target = producer, name = "producer" }
c = mp.Process{ target = consumer, name = "consumer" }
p:start(); c:start()
p:join(); c:join()
print("both done")

expect{ printed = { "ate bun 1", "ate bun 2", "ate bun 3", "ate bun 4", "ate bun 5", "both done" },
        en = "the consumer ate the five buns in order and stopped at the sentinel",
        zh = "消费者按顺序吃完五个包子，遇到结束标记就停下" }
expect{ ok = c.exitcode == 0, en = "the consumer ended by itself", zh = "消费者自己结束了" }

say{
  en = [[
    On the timeline, each bun is an arrow from the producer's put to the
    consumer's get, between the two process lanes. The queue holds 2: the
    consumer eats slower than the producer bakes, so the producer's puts wait
    for room (a queue wait on its lane).]],
  zh = [[
    在时间线上，每个包子都是一支箭头：从生产者的 put 指向消费者的 get，
    跨过两个进程的行。队列只能放 2 个：消费者吃得比生产者做得慢，
    所以生产者的 put 要等空位（它那一行上的队列等待）。]],
}

step{ en = "JoinableQueue and a daemon consumer", zh = "JoinableQueue 和守护消费者" }

jq = mp.JoinableQueue()
function jconsumer()
  while true do
    local x = jq:get()
    print("ate " .. x)
    jq:task_done()
  end
end
jc = mp.Process{ target = jconsumer, name = "daemon consumer", daemon = true }
jc:start()
for i = 1, 3 do jq:put("cake " .. i) end
jq:join()
print("all eaten, consumer alive: " .. tostring(jc:is_alive()))

expect{ printed = { "ate cake 1", "ate cake 2", "ate cake 3", "all eaten, consumer alive: true" },
        en = "join returned once every cake was task_done, with the consumer still alive",
        zh = "每块蛋糕都 task_done 之后 join 才返回，消费者还活着" }

say{
  en = [[
    No sentinel this time. The consumer calls task_done() after each cake;
    jq:join() returns once every put has its task_done. The consumer loops
    forever, but it is a daemon: it is stopped when the main code ends.
    This is 004's pattern, and CPython prints the same.]],
  zh = [[
    这次没有结束标记。消费者每吃完一块就调用 task_done()；
    每个 put 都有了对应的 task_done，jq:join() 就返回。
    消费者是个死循环，但它是守护进程：主代码结束时它就被停掉。
    这是 004 里的写法，CPython 打印的也一样。]],
}
