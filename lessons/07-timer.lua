lesson{
  title = { en = "Timer: run a function later", zh = "定时器线程 Timer：过一会儿再运行" },
  source = "000 §1.4 定时器线程",
}

say{
  en = [[
    threading.Timer(interval, function, args) is a thread that waits,
    then calls the function. Until the wait is over you may cancel() it,
    and then the function never runs.
    In the notes the timer is named d1 and waits 3 seconds.]],
  zh = [[
    threading.Timer(interval, function, args) 是一个线程：先等一段时间，
    再调用这个函数。等待结束之前可以 cancel() 取消它，
    取消了，函数就不会运行。
    笔记里的定时器叫 d1，等 3 秒。]],
}

step{ en = "A timer named d1, three seconds", zh = "名叫 d1 的定时器，3 秒" }

function delayed()
  print("threading name is " .. threading.current_thread().name)
end

beg = time.time()
t1 = threading.Timer(3, delayed)
t1.name = "d1"                 -- the notes: t1.setName("d1")
t1:start()
t1:join()
print(("Cost time %.1f"):format(time.time() - beg))

expect{ printed = { "threading name is d1", "Cost time 3.0" },
        en = "d1 ran the function after 3 s", zh = "d1 在 3 秒后运行了函数" }

say{
  en = [[
    The function ran in the timer's own thread, d1, after 3 seconds.
    join() waited for it like for any thread. Now cancel one in time.]],
  zh = [[
    函数是在定时器自己的线程 d1 里运行的，3 秒之后。
    join() 等它，和等别的线程一样。下面及时取消一个定时器。]],
}

step{ en = "Cancel before it fires", zh = "在触发前取消" }

beg = time.time()
t2 = threading.Timer(5, delayed)
t2.name = "d2"
t2:start()
time.sleep(1)
t2:cancel()                    -- one second in: the function will not run
t2:join()
print(("cancelled after %.1f s"):format(time.time() - beg))

expect{ printed = { "cancelled after 1.0 s" }, en = "cancel() ended the timer at 1 s", zh = "cancel() 在第 1 秒结束了定时器" }
expect{ not_printed = { "threading name is d2" },
        en = "the cancelled timer never called its function", zh = "被取消的定时器没有调用函数" }

say{
  en = [[
    Cancelled at 1 s: the timer thread ended and the function never ran.
    cancel() only helps while the timer still waits. Once the function runs,
    it is too late. A Timer is handy for timeouts, retries and reminders.]],
  zh = [[
    在第 1 秒取消：定时器线程结束了，函数没有运行。
    cancel() 只在定时器还在等的时候有用；函数一旦开始运行，就来不及了。
    Timer 适合做超时、重试、提醒这类事。]],
}
