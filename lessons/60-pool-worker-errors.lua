lesson{
  title = { en = "An error in a Pool worker: where does it go?",
            zh = "进程池工作进程里的异常：它去哪儿了？" },
  source = "002 §7.8 异常处理，异常消失问题",
}

say{
  en = [[
    002 §7.8 has only a title: exceptions that disappear. This lesson fills
    it in. A task that raises in a Pool worker does not print anything there
    and does not stop the worker: the error is pickled and sent back to the
    parent, where it waits in the task's AsyncResult until someone asks.
    work(x) fails for x = 3.]],
  zh = [[
    002 §7.8 只有一个标题：异常消失问题。这一课把它补上。
    在进程池的工作进程里抛出异常的任务，不会在那里打印任何东西，
    也不会让工作进程停下：异常被 pickle 后送回父进程，
    存在这个任务的 AsyncResult 里，等有人来问。work(x) 在 x = 3 时出错。]],
}

step{ en = "apply_async: the error nobody asked for", zh = "apply_async：没人过问的异常" }

function work(x)
  time.sleep(0.01)
  if x == 3 then error(ValueError("bad item " .. x)) end
  return x * 10
end

pool = mp.Pool(2)
r = pool:apply_async(work, { 3 })
r:wait()
print("ready: " .. tostring(r:ready()) .. ", successful: " .. tostring(r:successful()))
local ok, e = pcall(r.get, r)
print("get raised " .. tostring(e))

expect{ printed = { "ready: true, successful: false" },
        en = "the task is done, and it failed", zh = "任务已经结束，而且失败了" }
expect{ printed = { "get raised ValueError: bad item 3" },
        en = "get() raised the worker's ValueError in the parent", zh = "get() 在父进程里抛出了工作进程的 ValueError" }

say{
  en = [[
    This is the disappearing exception: a program that never calls get()
    never hears of it. get() raises it again in the parent, the same type
    with the same message (CPython also attaches the worker's traceback as
    the cause; threadlab keeps the message only).]],
  zh = [[
    这就是“消失的异常”：从不调用 get() 的程序，永远不会知道它发生过。
    get() 在父进程里把它重新抛出，类型相同，消息相同（CPython 还会把
    工作进程里的 traceback 作为原因附上；threadlab 只保留消息）。]],
}

step{ en = "error_callback: told at once, in the parent", zh = "error_callback：马上通知，在父进程里" }

errs = {}
function on_error(err)
  errs[#errs + 1] = err.type .. " " .. err.message .. " in " .. threading.current_thread().name
end
r2 = pool:apply_async(work, { 3 }, { error_callback = on_error })
r2:wait()
print(errs[1])

expect{ printed = { "ValueError bad item 3 in Pool-1 (_handle_results)" },
        en = "error_callback got the error, in the parent's result-handler thread",
        zh = "error_callback 收到了这个异常，在父进程的结果处理线程里" }

say{
  en = [[
    error_callback is called with the exception as soon as the result comes
    back, by the same thread that runs the callbacks (lesson 52): the
    parent's result handler, a lane of its own. CPython's handler thread is
    named "Thread-3 (_handle_results)"; the call is the same.]],
  zh = [[
    结果一回来，error_callback 就被调用，参数是这个异常；调用它的线程
    和执行回调的线程是同一个（第 52 课）：父进程的结果处理线程，它有自己的一行。
    CPython 里这个线程叫 "Thread-3 (_handle_results)"；调用方式一样。]],
}

step{ en = "map: one bad item fails the whole call", zh = "map：一项出错，整个调用失败" }

local ok3, e3 = pcall(pool.map, pool, work, { 1, 2, 3, 4 })
print("map raised " .. tostring(e3))
print("without the bad item: " .. table.concat(pool:map(work, { 1, 2, 4 }), ","))
pool:close()
pool:join()

expect{ printed = { "map raised ValueError: bad item 3", "without the bad item: 10,20,40" },
        en = "map raised the first error and gave no results; without item 3 it gave them all",
        zh = "map 抛出了这个异常，一个结果也没给；去掉第 3 项，所有结果都有了" }

say{
  en = [[
    map returns all the results or none: items 1, 2 and 4 succeeded, but
    their results are lost with the error. When every result counts, catch
    the error inside work and return it as a value instead.]],
  zh = [[
    map 要么返回全部结果，要么一个也不返回：第 1、2、4 项都成功了，
    但它们的结果随着这个异常一起丢了。如果每个结果都要保住，
    就在 work 里面捕获异常，把它当作一个值返回。]],
}

step{ en = "A plain Process: the child prints it", zh = "普通的 Process：子进程自己打印" }

function boom() time.sleep(0.01); error(KeyError("lost")) end
p = mp.Process{ target = boom }
p:start()
p:join()
print("exitcode " .. p.exitcode)

expect{ printed = { "exitcode 1" },
        en = "the child printed its traceback (to stderr) and ended with exit code 1",
        zh = "子进程把 traceback 打印到了 stderr，以退出码 1 结束" }

say{
  en = [[
    Without a Pool nobody collects the error: the child prints
    "Process Process-N:" and the traceback itself, and ends with exit code
    1. The parent sees only the exit code. CPython does the same.]],
  zh = [[
    没有进程池，就没人收集这个异常：子进程自己打印 "Process Process-N:"
    和 traceback，以退出码 1 结束。父进程只看得到退出码。CPython 也是这样。]],
}
