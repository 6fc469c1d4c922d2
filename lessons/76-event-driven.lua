lesson{
  title = { en = "The event-driven model: one loop, many waits", zh = "事件驱动模型：一个循环，许多等待" },
  source = "002 §5.5 事件驱动",
}

say{
  en = [[
    002 §5.5 compares three ways to run three tasks that each wait for I/O:
    one thread doing them one after another, one thread per task, and the
    event-driven way: an event loop that waits for whatever happens next and calls
    the callback registered for it. Here each task sends a request and waits for a
    reply that takes 30, 20 and 10 ms (a timer thread plays the remote side).
    First the synchronous way: each wait adds up.]],
  zh = [[
    002 §5.5 比较了运行三个任务的三种方式，每个任务都要等 I/O：
    单线程一个接一个地做；每个任务一个线程；还有事件驱动：
    一个事件循环，等下一件发生的事，再调用为它登记的回调函数。
    这里每个任务发出一个请求，等一个回复，回复分别要 30、20、10 毫秒
    （由定时器线程扮演远端）。先看同步的做法：每次等待都累加起来。]],
}

step{ en = "Synchronous: 30 + 20 + 10 ms", zh = "同步：30 + 20 + 10 毫秒" }

delays = {0.03, 0.02, 0.01}
function request(i)                    -- returns the descriptor the reply will come on
  local r, w = os.pipe()
  threading.Timer(delays[i], function() os.write(w, "reply " .. i); os.close(w) end):start()
  return r
end

t0 = time.perf_counter()
for i = 1, 3 do
  local r = request(i)
  print("sync: " .. os.read(r, 100))   -- blocks until this reply
  os.close(r)
end
sync = time.perf_counter() - t0
print(("synchronous: %.0f ms"):format(sync * 1000))

expect{ value = sync, is = 0.06, near = 0.002, en = "the waits add up: 60 ms", zh = "等待累加：60 毫秒" }

say{
  en = [[
    Now the event-driven way. Send all three requests first; register a callback
    for each reply's descriptor; then one loop: select waits for any descriptor,
    and the loop calls the callback of each that is ready. The replies arrive in the
    order they are ready (3, 2, 1), and the waits overlap. Still one thread.]],
  zh = [[
    再看事件驱动的做法。先把三个请求都发出去；为每个回复的描述符登记一个回调；
    然后只有一个循环：select 等任何一个描述符就绪，循环就调用它的回调。
    回复按就绪的先后到来（3、2、1），等待互相重叠。仍然只有一个线程。]],
}

step{ en = "An event loop with callbacks", zh = "带回调的事件循环" }

callbacks = {}                         -- fd -> what to do when it is readable
t0 = time.perf_counter()
for i = 1, 3 do
  local r = request(i)
  callbacks[r] = function(fd)
    print("event: " .. os.read(fd, 100))
    os.close(fd)
    callbacks[fd] = nil                -- done: stop watching it
  end
end
while next(callbacks) do               -- the event loop
  local fds = {}
  for fd in pairs(callbacks) do fds[#fds + 1] = fd end
  table.sort(fds)
  for _, fd in ipairs((select.select(fds, {}, {}))) do callbacks[fd](fd) end
end
evented = time.perf_counter() - t0
print(("event-driven: %.0f ms"):format(evented * 1000))

expect{ printed = { "event: reply 3", "event: reply 2", "event: reply 1" },
        en = "handled in the order the replies came", zh = "按回复到达的顺序处理" }
expect{ value = evented, is = 0.03, near = 0.002, en = "the waits overlap: 30 ms, the longest one", zh = "等待重叠：30 毫秒，即最长的那一个" }

say{
  en = [[
    This is how nginx, Node.js and Python's asyncio work underneath: one loop over
    epoll (or select/poll), callbacks or coroutines for the work. It scales to many
    connections because a waiting task costs a table entry, not a thread.
    Its weakness: a callback that computes for long stalls every other task.]],
  zh = [[
    nginx、Node.js 和 Python 的 asyncio 底下都是这样：一个循环围着 epoll
    （或 select/poll）转，具体的工作交给回调或协程。它能撑住大量连接，
    因为一个在等的任务只占表里的一项，而不是一个线程。
    它的弱点：某个回调要是长时间计算，其他所有任务都得等着。]],
}
