lesson{
  title = { en = "A gevent echo server: one thread, many clients", zh = "gevent 回显服务器：一个线程，多个客户" },
  source = "004 协程 (gevent版-TCP服务器)",
}

say{
  en = [[
    004 ends with a TCP echo server that serves many clients in one process and one
    thread. monkey.patch_all() comes first: it makes the blocking calls (accept,
    recv, send, time.sleep, select) wait in gevent's hub instead of blocking the
    thread, so while one greenlet waits for its client, the others run.
    server() accepts and spawns handle_request(conn) for each client.
    The notes' last remark, "use gevent's socket, not the socket module's", is what
    patch_all is for: after it, socket.socket is the cooperative one.
    Here the clients are 5 greenlets of the same thread, on loopback.]],
  zh = [[
    004 最后写了一个 TCP 回显服务器，在一个进程、一个线程里同时服务多个客户。
    monkey.patch_all() 要写在最前面：它让阻塞调用（accept、recv、send、time.sleep、
    select）改为在 gevent 的 hub 里等待，而不是把整个线程堵住，
    所以一个 greenlet 等它的客户时，其他 greenlet 照常运行。
    server() 每接受一个客户，就 spawn 一个 handle_request(conn)。
    笔记最后说“要用 gevent 的 socket，不能用 socket 模块的 socket”——
    patch_all 正是为此：打过补丁以后，socket.socket 就是协作式的那个。
    这里的 5 个客户也是同一个线程里的 greenlet，走回环地址。]],
}

step{ en = "monkey.patch_all(), the server, five clients", zh = "monkey.patch_all()、服务器、五个客户" }

gevent.monkey.patch_all()

live, most, served = 0, 0, 0

function handle_request(conn)
  live = live + 1
  most = math.max(most, live)
  while true do
    local data = conn:recv(1024)     -- waits in the hub: the others run
    if data == "" then conn:close() break end
    print("recv:", data)
    conn:send(data)
  end
  live = live - 1
  served = served + 1
end

s = socket.socket()
s:setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s:bind({"127.0.0.1", 0})             -- the notes use port 7788; any free port here
s:listen(5)
addr = s:getsockname()

function server(n)                   -- the notes loop forever; 5 clients here
  for _ = 1, n do
    local cli = s:accept()
    gevent.spawn(handle_request, cli)
  end
end

function client(i)
  local c = socket.socket()
  c:connect(addr)
  local got = {}
  for k = 1, 2 do
    c:sendall(("hello %d.%d"):format(i, k))
    got[#got + 1] = c:recv(1024)
    time.sleep(0.001)                -- patched: a gevent.sleep
  end
  c:close()
  return table.concat(got, " ")
end

srv = gevent.spawn(server, 5)
clients = {}
for i = 1, 5 do clients[i] = gevent.spawn(client, i) end
gevent.joinall(clients)
srv:join()
gevent.sleep(0.001)                  -- let the handlers see the clients close

expect{ value = clients[3].value, is = "hello 3.1 hello 3.2", en = "each client gets its own messages back",
        zh = "每个客户收回的都是自己的消息" }
expect{ value = served, is = 5, en = "all 5 clients served", zh = "5 个客户都服务完了" }
expect{ value = most, is = 5, en = "the 5 connections were open at the same time, in one thread",
        zh = "5 个连接同时打开，全在一个线程里" }
expect{ value = threading.active_count(), is = 1, en = "no other thread was ever started",
        zh = "从头到尾没有启动别的线程" }

say{
  en = [[
    One thread, five connections at once. On the timeline every greenlet is a green
    lane under MainThread. When no greenlet can go on, the ↳ Hub waits on all their
    sockets with one select (MainThread's I/O bar names them) and switches to
    whichever greenlet's socket is ready.
    The price: one greenlet that computes without waiting stops all the others.]],
  zh = [[
    一个线程，同时五个连接。时间线上每个 greenlet 都是 MainThread 下的一条绿线。
    没有哪个 greenlet 能继续时，↳ Hub 用一次 select 同时等所有套接字
    （MainThread 上的 I/O 条写着是哪些），哪个 greenlet 的套接字就绪了，就切到哪个。
    代价是：只要有一个 greenlet 光计算不等待，其他的就全都停下。]],
}
