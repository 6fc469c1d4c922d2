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
device_time = 0.05           -- a slow terminal: 50 ms a write

function write(piece)
  screen[#screen + 1] = piece
  lab.mark(piece == "\n" and "newline" or piece)   -- each piece on the timeline, when written
  time.sleep(device_time)    -- the device is slow; the GIL is free meanwhile
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
    "value is 1Task start, value is 2". The marks on the timeline show the order:
    each thread wrote its text and waited for the device,
    and meanwhile the others wrote theirs before any newline came.
    logging avoids this: every handler has a lock, and Handler.handle() holds it
    while it writes a record.]],
  zh = [[
    几条记录挤在了一起，就像笔记里用 print 时的输出：
    “value is 1Task start, value is 2”。时间线上的标记按先后记下了每一次写：
    每个线程写完内容就去等设备，
    这期间别的线程也写下了自己的内容，换行还没来得及写。
    logging 是这样避免的：每个 handler 都有一把锁，
    Handler.handle() 写每条记录时都拿着它。]],
}

step{ en = "A lock around each record, many threads", zh = "每条记录加锁，很多线程" }

screen = {}
device_time = 0.001          -- a fast one now: 1 ms a write
handler_lock = threading.Lock()

function log(level, msg)
  local record = ("%s %s %s %s"):format(os.date("!%H:%M:%S", math.floor(time.time())),
                                        threading.current_thread().name, level, msg)
  handler_lock:acquire()     -- as logging.Handler.handle() does
  emit(record)
  handler_lock:release()
end

function f1()
  time.sleep(0.2)            -- the notes sleep 1 s
  local ok, err = pcall(function() return 1 // 1 end)
  if ok then log("INFO", "hello") else log("ERROR", err) end
end

function f2()
  time.sleep(0.2)
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
    The notes' code has a real bug, though, and it is not about threads being unsafe.]],
  zh = [[
    20 条完整的记录；按笔记开 200 个线程，就是 200 条。锁让每条记录成为一个整体。
    代价是：写入变成一条接一条（这里多花了 0.04 秒，200 条就是 0.4 秒）。
    在 Python 里，logging 替你做了这件事；print 不会。
    threadlab 的 print 总是整行输出，所以课程里的输出不会乱。
    不过笔记的代码里确实有一个 bug，而且和线程安全无关。]],
}

step{ en = "The notes' bug: a handler added in every thread", zh = "笔记里的 bug：每个线程都加一个 handler" }

root_handlers = {}           -- logging.getLogger().handlers
console_lines = 0

function add_console()       -- logging.getLogger().addHandler(logging.StreamHandler())
  root_handlers[#root_handlers + 1] = function(record) console_lines = console_lines + 1 end
end

function log(level, msg)     -- a record goes to every handler of the root logger
  local record = threading.current_thread().name .. " " .. level .. " " .. msg
  for _, handle in ipairs(root_handlers) do handle(record) end
end

function f1() add_console(); time.sleep(0.2); log("INFO", "hello") end              -- the notes sleep 1 s
function f2() add_console(); time.sleep(0.2); log("ERROR", "division by zero") end

function run_notes_program()
  local task = {}
  for _ = 1, 5 do              -- the notes: range(100)
    task[#task + 1] = threading.Thread{target = f1}
    task[#task + 1] = threading.Thread{target = f2}
  end
  for _, t in ipairs(task) do t:start() end
  for _, t in ipairs(task) do t:join() end
end

run_notes_program()
print(("10 records, %d handlers, %d lines on the console"):format(#root_handlers, console_lines))

expect{ value = console_lines, is = 100, en = "10 threads, 10 handlers: every record printed 10 times",
        zh = "10 个线程，10 个 handler：每条记录打印了 10 遍" }

say{
  en = [[
    100 lines for 10 records. Each thread added one more console handler to the one root logger,
    and after the sleep all ten were attached, so every record went out ten times.
    With the notes' 200 threads: 200 × 200 = 40,000 console lines (Python 3.11 prints exactly that).
    The log file was right only because basicConfig works once: later calls do nothing.
    The fix: configure logging once, in the main thread, before starting any thread.]],
  zh = [[
    10 条记录，打印了 100 行。每个线程都往同一个根 logger 上再加一个控制台 handler，
    睡醒之后，十个 handler 都已经挂上了，于是每条记录都输出了十遍。
    按笔记开 200 个线程，就是 200 × 200 = 40,000 行（Python 3.11 实测正是这么多）。
    日志文件没出问题，只是因为 basicConfig 只有第一次调用生效，之后的调用什么也不做。
    改法：在主线程里、启动任何线程之前，配置一次 logging。]],
}

step{ en = "Configure once, in the main thread", zh = "在主线程里配置一次" }

root_handlers, console_lines = {}, 0
add_console()                -- once, before any thread starts

function f1() time.sleep(0.2); log("INFO", "hello") end
function f2() time.sleep(0.2); log("ERROR", "division by zero") end

run_notes_program()
print(("10 records, %d handler, %d lines on the console"):format(#root_handlers, console_lines))

expect{ value = console_lines, is = 10, en = "one handler: each record printed once", zh = "一个 handler：每条记录只打印一遍" }
