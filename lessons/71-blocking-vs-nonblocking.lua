lesson{
  title = { en = "Blocking and non-blocking reads", zh = "阻塞读与非阻塞读" },
  source = "004 io多路复用 (I/O 模型分类)",
}

say{
  en = [[
    004 lists the I/O models. In the blocking model a read on an empty pipe
    waits until data arrives. In the non-blocking model the read returns at once,
    and the program has to ask again and again ("不断发起IO请求").
    Python's os.set_blocking(fd, False) switches a descriptor to non-blocking;
    a read with nothing to read then raises BlockingIOError.]],
  zh = [[
    004 列出了几种 I/O 模型。阻塞模型里，在空管道上读，会一直等到数据来。
    非阻塞模型里，读立刻返回，程序只好“不断发起IO请求”。
    Python 用 os.set_blocking(fd, False) 把描述符设成非阻塞；
    这时没有数据可读，read 会抛出 BlockingIOError。]],
}

step{ en = "A non-blocking read on an empty pipe", zh = "在空管道上做非阻塞读" }

r, w = os.pipe()
os.set_blocking(r, false)
ok, err = pcall(os.read, r, 100)
print(tostring(err))

expect{ printed = { "BlockingIOError: [Errno 11] Resource temporarily unavailable" },
        en = "BlockingIOError, errno 11 (EAGAIN), as Python says it", zh = "BlockingIOError，errno 11（EAGAIN），和 Python 的说法一样" }

say{
  en = [[
    Now a writer sends its data after 10 ms. The non-blocking reader polls every
    2 ms and counts its misses: each miss is a wasted trip into the kernel.
    Then the same with a blocking read: no misses, the reader simply waits
    (its lane says "waiting for I/O"), and the GIL is free meanwhile.]],
  zh = [[
    现在写者 10 毫秒之后才发数据。非阻塞的读者每 2 毫秒问一次，
    数一数落空了几次：每落空一次，就白白进了一趟内核。
    再换成阻塞读：一次也不落空，读者就是等着（它那一行写着“等待 I/O”），
    等的时候 GIL 是空出来的。]],
}

step{ en = "Polling vs waiting", zh = "轮询与等待" }

function writer()
  time.sleep(0.01)
  os.write(w, "data")
end

misses = 0
t = threading.Thread{name = "writer", target = writer}
t:start()
while true do
  local ok, data = pcall(os.read, r, 100)
  if ok then print("polling reader got " .. data); break end
  if data.type ~= "BlockingIOError" then error(data) end
  misses = misses + 1
  time.sleep(0.002)
end
t:join()
print("misses while polling: " .. misses)

expect{ value = misses, min = 4, max = 6, en = "about 10 ms / 2 ms = 5 misses", zh = "大约 10 毫秒 / 2 毫秒 = 5 次落空" }

os.set_blocking(r, true)
t = threading.Thread{name = "writer", target = writer}
t:start()
print("blocking reader got " .. os.read(r, 100))
t:join()

expect{ printed = { "blocking reader got data" }, en = "the blocking read just waited", zh = "阻塞读只是等着" }
os.close(r); os.close(w)

say{
  en = [[
    Polling burns CPU and answers late (up to one polling period).
    Blocking wastes nothing but ties up a thread per descriptor.
    Multiplexing (select, poll, epoll, next lessons) waits on many descriptors
    in one thread: the best of both.]],
  zh = [[
    轮询费 CPU，而且反应慢（最多慢一个轮询周期）。
    阻塞不浪费，但一个描述符要占一个线程。
    多路复用（select、poll、epoll，后面几课）在一个线程里同时等很多个描述符，
    兼得两者的好处。]],
}
