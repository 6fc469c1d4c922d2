lesson{
  title = { en = "select: several clients in one thread", zh = "select：一个线程服务多个客户" },
  source = "004 io多路复用 (select)",
}

say{
  en = [[
    select.select(readable, writable, exceptional, timeout) waits on many descriptors
    at once and returns as soon as any is ready, with three lists: those ready to read,
    to write, and with an exceptional condition. A listening socket is "readable"
    when a client waits to be accepted; a connection, when data (or its end) arrived.
    So one thread can serve every client: wait, then handle whatever is ready.]],
  zh = [[
    select.select(可读列表, 可写列表, 异常列表, 超时) 同时等很多个描述符，
    只要有一个就绪就返回三个列表：可读的、可写的、有异常情况的。
    监听套接字“可读”，表示有客户等着被 accept；连接“可读”，表示数据（或者对方关闭）到了。
    所以一个线程就能服务所有客户：等，然后处理就绪的那些。]],
}

step{ en = "An echo server in one thread", zh = "只用一个线程的回显服务器" }

server = socket.socket()
server:bind({"127.0.0.1", 0})
server:listen(5)
addr = server:getsockname()

replies = {}
clients = {}
for i = 1, 5 do
  clients[i] = threading.Thread{name = "client" .. i, target = function()
    local c = socket.socket()
    c:connect(addr)
    time.sleep(0.002 * i)
    c:sendall("data of client " .. i)
    replies[i] = c:recv(1024)
    c:close()
  end}
  clients[i]:start()
end

inputs = {server}                      -- what the loop watches
served = 0
while served < 5 do
  local readable = select.select(inputs, {}, {}, 1.0)
  for _, s in ipairs(readable) do
    if s == server then
      local conn = server:accept()     -- ready: accept does not block
      inputs[#inputs + 1] = conn
    else
      local data = s:recv(1024)        -- ready: recv does not block
      if data ~= "" then
        s:sendall(data)
        served = served + 1
      end
      for k = #inputs, 1, -1 do        -- served once: stop watching it
        if inputs[k] == s then table.remove(inputs, k) end
      end
      s:close()
    end
  end
end
for i = 1, 5 do clients[i]:join() end
server:close()
for i = 1, 5 do print(replies[i]) end

expect{ printed = { "data of client 1", "data of client 2", "data of client 3", "data of client 4", "data of client 5" },
        en = "five clients, each got its own data back", zh = "五个客户，每个都拿回了自己的数据" }
expect{ value = served, is = 5, en = "one thread served all five", zh = "一个线程服务了全部五个" }

say{
  en = [[
    MainThread's lane: it waits on all the descriptors at once, and each return of
    select is marked with its ready set. 004 says select "does not know which fds
    are ready" and that the limit is 1024 on 32-bit and 2048 on 64-bit systems.
    Both are out of date or inaccurate for Python on Linux: select.select returns
    exactly the ready objects (the C select(2) marks them in its sets; the program
    has to scan them, which is the O(n) cost), and the limit is FD_SETSIZE = 1024:
    Python raises ValueError ("filedescriptor out of range in select()") for fd 1024
    and above, on 64-bit too. poll and epoll have no such limit.]],
  zh = [[
    看 MainThread 那一行：它同时等着所有描述符，select 每次返回都标出了就绪的集合。
    004 说 select “不知道哪几个发生”，还说上限是 32 位 1024、64 位 2048。
    对 Linux 上的 Python 来说，这两点都不准确：select.select 返回的正是就绪的那些对象
    （C 的 select(2) 会在集合里把它们标出来，程序得自己逐个检查，这才是 O(n) 的开销）；
    上限是 FD_SETSIZE = 1024，64 位也一样：fd 到了 1024，Python 会抛出
    ValueError（"filedescriptor out of range in select()"）。poll 和 epoll 没有这个上限。]],
}
