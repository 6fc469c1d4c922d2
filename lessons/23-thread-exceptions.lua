lesson{
  title = { en = "An exception that vanishes in a thread, and threading.excepthook",
            zh = "线程里消失的异常，以及 threading.excepthook" },
  source = "002 §7.8",
}

say{
  en = [[
    002 §7.8 is titled "exception handling: the problem of vanishing exceptions"
    and has nothing under it. Here is the problem.
    An exception raised in a thread ends that thread, and only that thread.
    Python prints "Exception in thread NAME:" and a traceback on stderr,
    and the main thread is never told: join() returns as if all went well.]],
  zh = [[
    002 §7.8 的标题是“异常处理，异常消失问题”，下面却是空的。这一课来补上。
    线程里抛出的异常只会结束这个线程，别的线程都不受影响。
    Python 在 stderr 上打印 “Exception in thread 线程名:” 和一段 traceback，
    主线程却毫不知情：join() 照常返回，好像一切顺利。]],
}

step{ en = "The error stays in its thread", zh = "异常留在了它自己的线程里" }

function work()
  time.sleep(0.5)                            -- some work first
  lab.mark("raise ValueError")               -- (so the timeline shows the moment)
  error(ValueError("bad value"))             -- raise ValueError("bad value")
  result = 42                                -- never reached
end

t = threading.Thread{target = work}
t:start()
joined, err = pcall(t.join, t)               -- try: t.join() except ...: ...
print("join returned normally: " .. tostring(joined) .. ", result: " .. tostring(result))
print("main goes on")

expect{ ok = joined and err == nil, en = "join() raised nothing: the main thread cannot catch it",
        zh = "join() 什么异常也没抛：主线程根本抓不到它" }
expect{ ok = result == nil and not t:is_alive(), en = "the thread is gone, and so is its result",
        zh = "线程没了，它的结果也没了" }

say{
  en = [[
    The traceback went to stderr (look above the output), and the program went on.
    In a long-running server nobody reads stderr, and a worker that died
    leaves only a missing result behind. That is the vanishing exception.
    It gets worse with multiprocessing.Pool.apply_async: there, an exception that nobody
    asks for with .get() is not even printed. concurrent.futures keeps it in the Future:
    result() raises it again in the thread that asks. Let us do the same by hand.]],
  zh = [[
    traceback 打到了 stderr 上（看输出上面），程序接着往下跑。
    在长期运行的服务里，没人盯着 stderr，一个死掉的工作线程
    只会留下一个“没来的结果”。这就是消失的异常。
    multiprocessing.Pool.apply_async 更糟：没人用 .get() 去取，异常连打印都不打印。
    concurrent.futures 把异常存在 Future 里：调用 result() 的线程会重新抛出它。
    我们自己动手，做同样的事。]],
}

step{ en = "Keep the error for whoever waits", zh = "把异常留给等结果的人" }

show{ title = { en = "In Python:", zh = "Python 里这样写：" }, python = [[
  with concurrent.futures.ThreadPoolExecutor() as ex:
      fut = ex.submit(work)
      fut.result()          # raises ValueError('bad value') here, in the caller
]] }

function submit(fn)                          -- a tiny Future: run fn, keep what it raised
  local fut = {}
  fut.thread = threading.Thread{name = "future", target = function()
    local ok, e = pcall(fn)
    if ok then fut.value = e else fut.error = e end
  end}
  fut.thread:start()
  function fut.result()
    fut.thread:join()
    if fut.error then error(fut.error, 0) end
    return fut.value
  end
  return fut
end

fut = submit(work)
ok, caught = pcall(fut.result)
print("result() raised: " .. tostring(caught))

expect{ ok = not ok and type(caught) == "table" and caught.type == "ValueError",
        en = "the caller got the ValueError back", zh = "调用方拿回了那个 ValueError" }

say{
  en = [[
    Now the error reaches the one who waits for the result, and can be handled there.
    Python 3.8 added a hook for the rest: threading.excepthook is called with
    args.exc_type, args.exc_value, args.exc_traceback and args.thread
    for every exception a thread does not catch, in that thread.
    The default prints the "Exception in thread" message. Replace it to log, count or alert.]],
  zh = [[
    这样异常就到了等结果的人手里，可以在那里处理。
    其余的情况，Python 3.8 加了一个钩子：threading.excepthook。
    线程没有捕获的每个异常，都会在那个线程里调用它，参数是
    args.exc_type、args.exc_value、args.exc_traceback 和 args.thread。
    默认的钩子打印 “Exception in thread” 那段信息。换成自己的，就可以记日志、计数或报警。]],
}

step{ en = "threading.excepthook: see every uncaught error", zh = "threading.excepthook：每个没被捕获的异常都看得到" }

errors = {}
function hook(args)
  caught_type = args.exc_type                -- the class: ValueError
  errors[#errors + 1] = ("%s in %s (hook ran in %s): %s"):format(
    args.exc_value.type, args.thread.name, threading.current_thread().name, args.exc_value.message)
end
threading.excepthook = hook

t = threading.Thread{target = work, name = "worker"}
t:start(); t:join()
threading.excepthook = threading.__excepthook__  -- the default again
print(errors[1])

expect{ printed = { "ValueError in worker (hook ran in worker): bad value" },
        en = "the hook saw the ValueError, in the thread that raised it",
        zh = "钩子看到了这个 ValueError，而且是在抛出它的线程里" }
expect{ ok = #errors == 1 and caught_type == ValueError, en = "exactly one uncaught error, and args.exc_type is ValueError",
        zh = "正好一个没被捕获的异常，args.exc_type 就是 ValueError" }

say{
  en = [[
    The hook ran in the worker itself, just before it ended, and nothing went to stderr.
    threading.__excepthook__ keeps the default, to put it back.
    sys.excepthook is a different hook: it is for the main thread's uncaught exceptions.
    Catch what you can handle inside the thread; hand the rest to whoever waits;
    and let a hook report anything that still escapes.]],
  zh = [[
    钩子就在 worker 自己的线程里、它结束之前运行，stderr 上什么也没打印。
    threading.__excepthook__ 保存着默认的钩子，可以用它换回来。
    sys.excepthook 是另一个钩子：管的是主线程里没被捕获的异常。
    能在线程里处理的异常就在线程里处理；处理不了的，交给等结果的人；
    仍然漏出来的，让钩子报告。]],
}
