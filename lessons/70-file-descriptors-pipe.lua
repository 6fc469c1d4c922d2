lesson{
  title = { en = "File descriptors and a pipe between two threads", zh = "文件描述符与两个线程之间的管道" },
  source = "004 io多路复用 (文件描述符)",
}

say{
  en = [[
    A file descriptor (fd) is a small integer. It indexes the table the kernel
    keeps for each process of what that process has open: files, pipes, sockets.
    0, 1 and 2 are stdin, stdout and stderr, so the next one opened is usually 3 or more.
    os.pipe() opens two: a read end and a write end. Bytes written to one
    come out of the other, in order.]],
  zh = [[
    文件描述符（fd）是一个小整数。内核为每个进程维护一张“打开了什么”的表：
    文件、管道、套接字，fd 就是这张表的下标。
    0、1、2 是标准输入、标准输出和标准错误，所以新打开的一般从 3 往上数。
    os.pipe() 一次打开两个：读端和写端。从一端写进去的字节，
    按原来的顺序从另一端出来。]],
}

step{ en = "A pipe is two descriptors", zh = "管道是两个描述符" }

r, w = os.pipe()
print("read end:", r, "write end:", w)
os.write(w, "hello")
print(os.read(r, 100))

expect{ ok = math.type(r) == "integer" and r > 2 and w > 2 and r ~= w,
        en = "two new small integers, above stdin/stdout/stderr", zh = "两个新的小整数，排在 0、1、2 之后" }
expect{ printed = { "hello" }, en = "what went in comes out", zh = "写进去什么，就读出来什么" }

say{
  en = [[
    Now a producer thread writes lines into the pipe and a consumer thread reads them.
    When the pipe is empty, os.read blocks: the consumer waits for I/O and lets go of
    the GIL, so the producer runs. Look at the consumer's lane: "waiting for I/O",
    naming fd and pipe end, and an arrow from each write to the read it woke.
    When every write end is closed, os.read returns "": end of file.]],
  zh = [[
    接下来一个生产者线程往管道里写，一个消费者线程从管道里读。
    管道空的时候 os.read 会阻塞：消费者在等 I/O，并且放开了 GIL，生产者就能运行。
    看消费者那一行：标着“等待 I/O”，写明是哪个 fd、管道的哪一端；
    每次写都有一个箭头指向被它唤醒的那次读。
    所有写端都关闭以后，os.read 返回 ""：读到了文件末尾。]],
}

step{ en = "Producer and consumer on a pipe", zh = "管道上的生产者与消费者" }

got = {}
consumer = threading.Thread{name = "consumer", target = function()
  while true do
    local data = os.read(r, 100)
    if data == "" then break end       -- end of file: the writer closed
    got[#got + 1] = data
    print("consumer got " .. data)
  end
end}
producer = threading.Thread{name = "producer", target = function()
  for i = 1, 3 do
    time.sleep(0.01)                   -- the consumer waits meanwhile
    os.write(w, "item" .. i)
  end
  os.close(w)
end}
consumer:start(); producer:start()
producer:join(); consumer:join()
os.close(r)

expect{ value = table.concat(got, ","), is = "item1,item2,item3",
        en = "every item arrived, in order", zh = "每一项都到了，顺序不变" }
expect{ printed = { "consumer got item1", "consumer got item2", "consumer got item3" },
        en = "the consumer woke once per write", zh = "每写一次，消费者就醒一次" }

say{
  en = [[
    In Python it is the same: r, w = os.pipe(); os.read(r, 100) blocks and releases
    the GIL; b"" means end of file. Python gives bytes, Lua gives strings.
    A pipe also joins two processes: after os.fork() both have the same two descriptors.]],
  zh = [[
    Python 里也一样：r, w = os.pipe()；os.read(r, 100) 会阻塞并放开 GIL；
    读到 b"" 表示文件结束。Python 得到的是 bytes，Lua 里是字符串。
    管道也能连起两个进程：os.fork() 之后，两个进程手里是同样的两个描述符。]],
}
