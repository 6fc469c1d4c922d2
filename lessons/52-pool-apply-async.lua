lesson{
  title = { en = "Process pools: apply, apply_async and who runs the callback",
            zh = "进程池：apply、apply_async，回调由谁执行" },
  source = "003 进程池Pool; 002 §7.7, §7.8",
}

say{
  en = [[
    Starting a process per task is slow. A Pool starts n worker processes once
    and hands them tasks. apply(f, args) waits for the result: one task at a
    time, no parallelism. apply_async(f, args, {callback=cb}) returns at once
    with an AsyncResult; when the task is done, cb gets the result.
    The function goes to the workers by its global name, as CPython pickles a
    module-level function: work must be a global.]],
  zh = [[
    每个任务开一个进程太慢。进程池一次开好 n 个工作进程，把任务交给它们。
    apply(f, args) 等结果回来：一次一个任务，没有并行。
    apply_async(f, args, {callback=cb}) 立刻返回一个 AsyncResult；
    任务做完时，cb 收到结果。
    函数按它的全局名字传给工作进程，就像 CPython 按模块级的名字 pickle 函数：
    work 必须是全局函数。]],
}

step{ en = "Ten tasks, three workers", zh = "十个任务，三个工作进程" }

function work(i)
  time.sleep(0.01)
  if i == 7 then error(ValueError("bad task " .. i)) end
  return i * i
end
parent = os.getpid()
results, cb_in_parent, cb_threads = {}, true, {}
function cb(r)
  results[#results + 1] = r
  if os.getpid() ~= parent then cb_in_parent = false end
  cb_threads[threading.current_thread().name] = true
end
pool = mp.Pool(3)
rs = {}
for i = 1, 10 do rs[i] = pool:apply_async(work, { i }, { callback = cb }) end
pool:close()
pool:join()
print(#results .. " results reached cb")

expect{ value = #results, is = 9, en = "nine results reached the callback (task 7 failed)",
        zh = "九个结果到了回调里（第 7 个任务出错了）" }
expect{ ok = cb_in_parent, en = "cb ran in the parent process (os.getpid() is the parent's)",
        zh = "cb 在父进程里执行（os.getpid() 是父进程的）" }
expect{ ok = not cb_threads.MainThread, en = "cb did not run in MainThread but in the result-handler thread",
        zh = "cb 不是在 MainThread 里执行，而是在结果处理线程里" }

say{
  en = [[
    The callback ran in the parent, not in the worker: 002 §7.7's point. The
    worker only computed work(i); the result came back through a pipe, and the
    parent's result-handler thread (a lane of its own) called cb. So a slow
    callback holds up every other result; keep callbacks short.]],
  zh = [[
    回调在父进程里执行，而不是在工作进程里：这正是 002 §7.7 讲的。
    工作进程只算 work(i)；结果经管道送回来，由父进程的结果处理线程
    （它有自己的一行）调用 cb。所以回调慢了会拖住所有其它结果；回调要短。]],
}

step{ en = "Where a worker's error surfaces", zh = "工作进程里的异常在哪里出现" }

local ok, e = pcall(rs[7].get, rs[7])
print("get raised " .. tostring(e))
print("successful: " .. tostring(rs[7]:successful()))

expect{ printed = { "get raised ValueError: bad task 7", "successful: false" },
        en = "get() re-raised the worker's ValueError in the parent", zh = "get() 在父进程里重新抛出了工作进程的 ValueError" }

say{
  en = [[
    The error was raised in a worker, but nothing was printed there, and the
    callback was simply not called. It surfaces only when the parent asks:
    get() re-raises it, with the worker's message (002 §7.8). An apply_async
    nobody calls get() on loses its error silently; give it an error_callback.]],
  zh = [[
    异常是在工作进程里抛出的，但那里什么也没打印，回调也只是没有被调用。
    只有父进程来要结果时它才出现：get() 把它重新抛出，带着工作进程里的消息
    （002 §7.8）。没人调用 get() 的 apply_async，异常就悄悄丢了；
    给它一个 error_callback。]],
}

step{ en = "map keeps the order", zh = "map 保持顺序" }

function square(x) time.sleep(0.005 * (6 - x)); return x * x end
pool2 = mp.Pool(2)
print(table.concat(pool2:map(square, { 1, 2, 3, 4, 5 }), ","))
pool2:close(); pool2:join()

expect{ printed = { "1,4,9,16,25" }, en = "map's results are in the order of the items", zh = "map 的结果按输入的顺序排列" }
