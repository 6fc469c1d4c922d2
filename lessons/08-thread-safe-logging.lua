lesson{
  title = { en = "Thread-safe logging", zh = "线程安全的日志" },
  source = "000 §1.5",
}

say{
  en = [[
    The notes start 200 threads that all write to one log, and find 200 whole lines.
    Their conclusion: logging is thread safe. Why is it, and what would go wrong otherwise?
    print writes a line in two pieces: the text, then the newline.
    A write may wait for the device, and while a thread waits it lets go of the GIL.]],
  zh = [[
    笔记里开了 200 个线程往同一个日志里写，结果得到 200 行完整的日志。
    结论是：logging 是线程安全的。为什么？不安全的话会怎样？
    print 写一行是分两次写的：先写内容，再写换行。
    写的时候可能要等设备，线程在等的时候会放开 GIL。]],
}

step{ en = "Five threads, a stream, no lock", zh = "五个线程，一个流，不加锁" }

screen = {}

function write(piece)
  screen[#screen + 1] = piece
  time.sleep(0.001)          -- the device is slow; the GIL is free meanwhile
end

function emit(msg)           -- as print does: the text, then the newline
  write(msg)
  write("\n")
end

function task(x)
  emit("Task start, value is " .. x)
end

ts = {}
for j = 1, 5 do ts[j] = threading.Thread{target = task, args = {j}}; ts[j]:start() end
for j = 1, 5 do ts[j]:join() end

lines = {}
for line in table.concat(screen):gmatch("[^\n]+") do lines[#lines + 1] = line; print(line) end

expect{ value = #lines, max = 4, en = "records ran together on one line", zh = "几条记录挤在了同一行" }

say{
  en = [[
    The records ran together, just like the notes' output with print:
    "value is 1Task start, value is 2". Each thread wrote its text,
    waited, and meanwhile the others wrote theirs before any newline came.
    logging avoids this: every handler has a lock, and Handler.handle() holds it
    while it writes a record.]],
  zh = [[
    几条记录挤在了一起，就像笔记里用 print 时的输出：
    “value is 1Task start, value is 2”。每个线程写完内容就去等设备，
    这期间别的线程也写下了自己的内容，换行还没来得及写。
    logging 是这样避免的：每个 handler 都有一把锁，
    Handler.handle() 写每条记录时都拿着它。]],
}

step{ en = "A lock around each record, many threads", zh = "每条记录加锁，很多线程" }

screen = {}
handler_lock = threading.Lock()

function log(level, msg)
  local record = ("%s %s %s %s"):format(os.date("!%H:%M:%S", math.floor(time.time())),
                                        threading.current_thread().name, level, msg)
  handler_lock:acquire()     -- as logging.Handler.handle() does
  emit(record)
  handler_lock:release()
end

function f1()
  time.sleep(1)
  local ok, err = pcall(function() return 1 // 1 end)
  if ok then log("INFO", "hello") else log("ERROR", err) end
end

function f2()
  time.sleep(1)
  local ok, err = pcall(function() return 1 // 0 end)   -- ZeroDivisionError in Python
  if ok then log("INFO", "world") else log("ERROR", "division by zero") end
end

beg = time.time()
task_list = {}
for _ = 1, 10 do               -- the notes: 100 of each; try it
  task_list[#task_list + 1] = threading.Thread{target = f1}
  task_list[#task_list + 1] = threading.Thread{target = f2}
end
for _, t in ipairs(task_list) do t:start() end
for _, t in ipairs(task_list) do t:join() end

lines, infos, errors = {}, 0, 0
for line in table.concat(screen):gmatch("[^\n]+") do
  lines[#lines + 1] = line
  if line:find(" INFO hello$") then infos = infos + 1 end
  if line:find(" ERROR division by zero$") then errors = errors + 1 end
end
print(lines[1]); print(lines[2]); print("...")
print(("%d lines: %d INFO, %d ERROR, after %.2f s"):format(#lines, infos, errors, time.time() - beg))

expect{ value = #lines, is = 20, en = "20 whole lines", zh = "20 行完整的日志" }
expect{ ok = infos == 10 and errors == 10, en = "10 INFO and 10 ERROR records", zh = "10 条 INFO，10 条 ERROR" }

say{
  en = [[
    20 whole records; with the notes' 200 threads, 200. The lock makes each record one piece.
    The price: the writes now happen one at a time (0.04 s more here, 0.4 s for 200).
    In Python, logging does this for you; print does not.
    In threadlab, print writes each line whole, so the lessons' output stays readable.
    One more thing from the notes' code: basicConfig is called in every thread.
    Only the first call configures logging; later calls do nothing.
    Configure logging once, in the main thread, before starting any thread.]],
  zh = [[
    20 条完整的记录；按笔记开 200 个线程，就是 200 条。锁让每条记录成为一个整体。
    代价是：写入变成一条接一条（这里多花了 0.04 秒，200 条就是 0.4 秒）。
    在 Python 里，logging 替你做了这件事；print 不会。
    threadlab 的 print 总是整行输出，所以课程里的输出不会乱。
    笔记的代码还有一点：每个线程里都调用了 basicConfig。
    只有第一次调用会生效，之后的调用什么也不做。
    应该在主线程里、启动任何线程之前，配置一次 logging。]],
}
