lesson{
  title = { en = "A blocking echo server: one thread per client", zh = "阻塞式回显服务器：每个客户一个线程" },
  source = "004 io多路复用 (传统的多进程并发处理)",
}

say{
  en = [[
    An echo server sends back whatever a client sends. With blocking sockets,
    accept() waits for a client and recv() waits for its data, so one thread
    can serve only one client at a time. The classic answer, which 004 describes
    for processes, is one worker per client: here one thread per connection.
    threadlab's sockets are real, but loopback only: 127.0.0.1 and ::1.]],
  zh = [[
    回显服务器把客户发来的东西原样发回去。用阻塞套接字时，accept() 要等客户连上，
    recv() 要等数据到，所以一个线程一次只能服务一个客户。
    传统的办法（004 里讲的是多进程）是每来一个客户就派一个工作者：
    这里是每个连接一个线程。threadlab 的套接字是真的，但只能用本机回环地址：
    127.0.0.1 和 ::1。]],
}

step{ en = "Three clients, three server threads", zh = "三个客户，三个服务线程" }

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server:setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server:bind({"127.0.0.1", 0})          -- port 0: any free port
server:listen(5)
addr = server:getsockname()

function handle(conn)                  -- one thread per client
  while true do
    local data = conn:recv(1024)       -- blocks: this thread waits for I/O
    if data == "" then break end       -- the client closed
    conn:sendall(data)
  end
  conn:close()
end

acceptor = threading.Thread{name = "acceptor", target = function()
  for i = 1, 3 do
    local conn = server:accept()       -- blocks until a client connects
    threading.Thread{name = "worker" .. i, target = handle, args = {conn}}:start()
  end
end}
acceptor:start()

replies = {}
function client(i)
  time.sleep(0.005 * i)                -- clients come one by one
  local c = socket.socket()
  c:connect(addr)
  c:sendall("message " .. i)
  time.sleep(0.005)
  replies[i] = c:recv(1024)
  c:close()
end
clients = {}
for i = 1, 3 do
  clients[i] = threading.Thread{name = "client" .. i, target = client, args = {i}}
  clients[i]:start()
end
for i = 1, 3 do clients[i]:join() end
acceptor:join()
server:close()
print(replies[1], replies[2], replies[3])

expect{ value = table.concat(replies, ","), is = "message 1,message 2,message 3",
        en = "each client got its own message back", zh = "每个客户都拿回了自己的消息" }

say{
  en = [[
    Look at the workers' lanes: almost all "waiting for I/O". Each thread costs memory
    and a slot in the scheduler, and most of the time it only waits.
    For a million connections 004 points out the cost. The next lesson serves
    several clients in one thread with select.]],
  zh = [[
    看各个工作线程那一行：几乎全是“等待 I/O”。每个线程都要占内存、占调度的位置，
    而它们大部分时间只是在等。连接有一百万个的时候，004 指出了这个代价。
    下一课用 select 在一个线程里服务多个客户。]],
}
