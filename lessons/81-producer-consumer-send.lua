lesson{
  title = { en = "Producer and consumer with send()", zh = "用 send() 写生产者和消费者" },
  source = "002 §20.2",
}

say{
  en = [[
    002 §20.2 (from Liao Xuefeng's tutorial): the consumer is a generator. It yields
    its reply r and gets the next item n back from yield. The producer primes it with
    send(None), then sends 1 to 5, printing each reply, and closes it.
    No lock, no queue, one thread: every hand-over is a switch the code asks for.]],
  zh = [[
    002 §20.2（取自廖雪峰的教程）：消费者是一个生成器。它 yield 出回复 r，
    并从 yield 拿到下一个产品 n。生产者先 send(None) 启动它，再依次 send 1 到 5，
    打印每次的回复，最后 close。没有锁，没有队列，只有一个线程：
    每一次交接都是代码自己要求的切换。]],
}

step{ en = "send drives the consumer", zh = "send 驱动消费者" }

function consumer()
  local r = ""
  while true do
    local n = yield(r)
    if not n then return end
    print(("[CONSUMER] Consuming %s..."):format(n))
    lab.compute(0.2)
    r = "200 OK"
  end
end

function produce(c)
  c:send(nil)
  local n = 0
  while n < 5 do
    n = n + 1
    print(("[PRODUCER] Producing %s..."):format(n))
    lab.compute(0.1)
    local r = c:send(n)
    print(("[PRODUCER] Consumer return: %s"):format(r))
  end
  c:close()
end

c = generator(consumer)
produce(c)

expect{ printed = { "[PRODUCER] Producing 1...", "[CONSUMER] Consuming 1...",
                    "[PRODUCER] Consumer return: 200 OK", "[PRODUCER] Producing 5...",
                    "[CONSUMER] Consuming 5...", "[PRODUCER] Consumer return: 200 OK" },
        en = "each item is consumed before the next is produced (python3 prints the same)",
        zh = "每个产品都在下一个生产之前被消费（python3 打印的一样）" }
expect{ count = { "^%[CONSUMER%]", 5 }, en = "five items consumed", zh = "消费了五个" }
local ok, e = pcall(next, c)
expect{ ok = not ok and e.type == "StopIteration",
        en = "after close() the generator is finished: next raises StopIteration",
        zh = "close() 之后生成器结束了：next 抛出 StopIteration" }

say{
  en = [[
    The green lane ↳ consumer runs only between a send and the next yield. The
    producer's lane (MainThread) and the consumer's never run at once: that is
    cooperative multitasking.]],
  zh = [[
    绿色的 ↳ consumer 只在一次 send 和下一次 yield 之间运行。
    生产者（MainThread）和消费者从不同时运行：这就是协作式多任务。]],
}
