lesson{
  title = { en = "asyncio: tasks, gather, and a lock across a suspension",
            zh = "asyncio：任务、gather，以及跨越挂起点的锁" },
  source = "004 协程 (modern Python: asyncio); 002 §6.14",
}

say{
  en = [[
    Modern Python writes coroutines with asyncio: one event loop runs many tasks in
    one thread, switching only where a task waits (await). Lua coroutines keep their
    whole stack, so here a task is a plain function: asyncio.sleep suspends the task
    that calls it, no await keyword needed.
    First: three tasks sleep 0.3, 0.1 and 0.2 ms; gather waits for all of them and returns
    their results in argument order.]],
  zh = [[
    现代 Python 用 asyncio 写协程：一个事件循环在一个线程里运行许多任务，
    只在任务等待（await）的地方切换。Lua 的协程保存整个栈，所以这里任务就是普通函数：
    asyncio.sleep 会挂起调用它的任务，不需要 await 关键字。
    第一步：三个任务分别睡 0.3、0.1、0.2 毫秒；gather 等它们全部完成，按参数顺序返回结果。]],
}

step{ en = "gather runs tasks together", zh = "gather 让任务一起跑" }

function nap(tenths)              -- sleeps tenths/10 ms, returns tenths
  asyncio.sleep(tenths / 10000)
  return tenths
end

local t0 = time.time()
results = asyncio.run(function()
  return asyncio.gather(function() return nap(3) end, function() return nap(1) end,
                        function() return nap(2) end)
end)
took = time.time() - t0
print("results:", table.concat(results, " "), ("took %.1f ms"):format(took * 1000))

expect{ value = table.concat(results, " "), is = "3 1 2", en = "results in argument order, not finish order",
        zh = "结果按参数顺序，不按完成顺序" }
expect{ value = took, min = 0.0003, max = 0.00035, en = "the naps overlap: 0.3 ms, not 0.6",
        zh = "三次小睡重叠：0.3 毫秒，不是 0.6 毫秒" }

say{
  en = [[
    The notes say coroutines need no locks, since only one runs at a time. That is
    true only while a critical section has no suspension inside it. Two tasks each
    add 1 to a shared counter 20 times: read it, asyncio.sleep(0) (any await: a
    network call, a database query), write it back. While one task sleeps the other
    reads the same old value: updates are lost, with no threads at all.]],
  zh = [[
    笔记说协程不需要锁，因为同一时刻只有一个在运行。这只在临界区里面没有挂起点时才成立。
    两个任务各自把共享计数器加 1，各加 20 次：读出来，asyncio.sleep(0)
    （任何 await 都一样：一次网络请求、一次数据库查询），再写回去。
    一个任务睡着时，另一个读到的是同一个旧值：更新丢了，而这里根本没有线程。]],
}

step{ en = "A suspension inside read-modify-write", zh = "读-改-写中间有挂起点" }

counter = 0
function add_20(lock)
  for _ = 1, 20 do
    if lock then lock:acquire() end
    local v = counter
    lab.compute(0.005)          -- a little work
    asyncio.sleep(0)            -- await something
    counter = v + 1
    if lock then lock:release() end
  end
end

asyncio.run(function() asyncio.gather(add_20, add_20) end)
print("without a lock:", counter)
expect{ value = counter, is = 20, en = "half of the 40 updates are lost (python3 prints 20 too)",
        zh = "40 次更新丢了一半（python3 也打印 20）" }

step{ en = "asyncio.Lock around it", zh = "用 asyncio.Lock 包起来" }

counter = 0
asyncio.run(function()
  local lock = asyncio.Lock()
  asyncio.gather(function() add_20(lock) end, function() add_20(lock) end)
end)
print("with asyncio.Lock:", counter)
expect{ value = counter, is = 40, en = "with the lock no update is lost",
        zh = "加锁后一次更新也不丢" }

say{
  en = [[
    Outside a running loop there is no task to suspend: asyncio.sleep(0) here raises
    RuntimeError: no running event loop, as asyncio.get_running_loop() does in Python.]],
  zh = [[
    在运行中的事件循环之外，没有可以挂起的任务：这里调用 asyncio.sleep(0) 会抛出
    RuntimeError: no running event loop，和 Python 里 asyncio.get_running_loop() 一样。]],
}
local ok, err = pcall(asyncio.sleep, 0)
print(err)
expect{ ok = not ok and tostring(err) == "RuntimeError: no running event loop",
        en = "no running event loop", zh = "没有运行中的事件循环" }
