lesson{
  title = { en = "Pipe: two ends, and who holds them",
            zh = "Pipe：管道的两端，以及谁拿着它们" },
  source = "002 §6.6 管道; the multiprocessing documentation's Pipe example",
}

say{
  en = [[
    mp.Pipe() returns two connections, one for each end. Whatever is sent
    into one end comes out of the other: send pickles the value at once,
    recv waits for the next one and unpickles it. By default both ends can
    send and receive (duplex). A Queue is built on a pipe; a Pipe is the
    pipe itself, for exactly two parties.]],
  zh = [[
    mp.Pipe() 返回两个连接，每端一个。从一端 send 进去的，会从另一端出来：
    send 立刻把值 pickle 成字节，recv 等下一条消息并把它还原。
    默认两端都能发也都能收（双工）。Queue 是建在管道上的；
    Pipe 就是管道本身，只给两方用。]],
}

step{ en = "A child sends, the parent receives", zh = "子进程发，父进程收" }

function f(conn)
  time.sleep(0.02)
  conn:send({ 42, false, "hello" })
  conn:close()
end

parent_conn, child_conn = mp.Pipe()
p = mp.Process{ target = f, args = { child_conn }, name = "sender" }
p:start()
msg = parent_conn:recv()
print("got " .. tostring(msg[1]) .. " " .. tostring(msg[2]) .. " " .. msg[3])
p:join()

expect{ printed = { "got 42 false hello" }, en = "the table came through whole",
        zh = "整张表完整地传过来了" }

say{
  en = [[
    The parent's recv waited until the child's table arrived: on the
    timeline, an arrow from the child's send to the parent's recv. (In the
    documentation's Python the list is [42, None, 'hello']; a Lua table
    cannot hold nil in the middle, so here it is false.)]],
  zh = [[
    父进程的 recv 一直等到子进程的表到达：时间线上是一支从子进程的 send
    指向父进程的 recv 的箭头。（文档里的 Python 列表是 [42, None, 'hello']；
    Lua 的表中间放不了 nil，所以这里用 false。）]],
}

step{ en = "Ping-pong: both ends talk", zh = "乒乓：两端都说话" }

function echo(conn)
  while true do
    local x = conn:recv()
    if x == "bye" then break end
    time.sleep(0.01)
    conn:send(x .. " pong")
  end
end

a, b = mp.Pipe()
pe = mp.Process{ target = echo, args = { b }, name = "echo" }
pe:start()
for i = 1, 3 do
  a:send("ping " .. i)
  print(a:recv())
end
a:send("bye")
pe:join()

expect{ printed = { "ping 1 pong", "ping 2 pong", "ping 3 pong" },
        en = "each ping came back as a pong, in turn", zh = "每个 ping 都依次换回一个 pong" }

step{ en = "Reading until the end: who holds the other end", zh = "读到结束：另一端在谁手里" }

function count_to_three(conn)
  for i = 0, 2 do conn:send(i); time.sleep(0.01) end
  conn:close()
end

r, w = mp.Pipe()
pc = mp.Process{ target = count_to_three, args = { w }, name = "counter" }
pc:start()
pc:join()
got = {}
while r:poll(0.05) do got[#got + 1] = r:recv() end
print("got " .. table.concat(got, ",") .. ", poll: " .. tostring(r:poll(0.05)))
w:close()
local ok, e = pcall(r.recv, r)
print("after closing our copy: " .. tostring(e))

expect{ printed = { "got 0,1,2, poll: false" },
        en = "the three values came; then poll says nothing more, although the child has ended",
        zh = "三个值都到了；之后 poll 说没有了，尽管子进程已经结束" }
expect{ printed = { "after closing our copy: EOFError" },
        en = "only when the parent closed its own copy of that end did recv raise EOFError",
        zh = "父进程关掉自己手里那一端的副本之后，recv 才抛出 EOFError" }

say{
  en = [[
    The child closed its end and ended, yet poll did not report the end of
    the pipe: the fork gave the parent a copy of that end too, and a pipe
    ends only when every copy is closed. Once the parent closed w, recv
    raised EOFError. A recv without poll would have waited for ever here.
    Close the ends a process does not use, right after the fork. CPython
    behaves the same way.]],
  zh = [[
    子进程关掉了它那一端，也已经结束，poll 却没有报告管道结束：
    fork 让父进程也拿着那一端的一个副本，而所有副本都关掉，管道才算结束。
    父进程关掉 w 以后，recv 就抛出 EOFError。如果这里不用 poll 直接 recv，
    就会永远等下去。fork 之后，马上关掉本进程用不到的那一端。
    CPython 也是这样。]],
}

step{ en = "A one-way pipe", zh = "单向管道" }

rd, wr = mp.Pipe(false)
local ok2, e2 = pcall(rd.send, rd, 1)
print(tostring(e2))
wr:send("one way")
print(rd:recv())

expect{ printed = { "OSError: connection is read-only", "one way" },
        en = "Pipe(false): the first end only reads, the second only writes",
        zh = "Pipe(false)：第一端只能读，第二端只能写" }

say{
  en = [[
    mp.Pipe(false) is a plain one-way pipe: the first connection reads, the
    second writes, as CPython's Pipe(duplex=False).]],
  zh = [[
    mp.Pipe(false) 是普通的单向管道：第一个连接读，第二个写，
    和 CPython 的 Pipe(duplex=False) 一样。]],
}
