lesson{
  title = { en = "poll: register descriptors once, level-triggered", zh = "poll：描述符登记一次，水平触发" },
  source = "004 io多路复用 (poll)",
}

say{
  en = [[
    select takes its three lists anew on every call. poll keeps a set: you register
    each descriptor once with the events you care about (POLLIN: readable,
    POLLOUT: writable), then call poll(ms) as often as you like. It returns a list
    of {fd, events} pairs. 004 says poll is "level-triggered": a descriptor that is
    ready and not handled is reported again on the next poll.]],
  zh = [[
    select 每次调用都要重新传三个列表。poll 保存一个集合：每个描述符只登记一次，
    带上关心的事件（POLLIN：可读，POLLOUT：可写），之后想调多少次 poll(毫秒) 都行。
    它返回一组 {fd, 事件} 对。004 说 poll 是“水平触发”：
    一个就绪了却没被处理的描述符，下次 poll 时还会再报告。]],
}

step{ en = "Reported until handled", zh = "不处理，就一直报告" }

r, w = os.pipe()
p = select.poll()
p:register(r, select.POLLIN)
print("empty pipe:", #p:poll(0), "ready")
os.write(w, "0123456789")
first = p:poll(0)
second = p:poll(0)                     -- nothing read in between
print("after a write:", #first, "then", #second)
os.read(r, 10)                         -- now handle it: read it all
third = p:poll(0)
print("after reading it all:", #third)

expect{ value = first[1] and first[1][1], is = r, en = "poll names the read end", zh = "poll 报告的是读端" }
expect{ value = #second, is = 1, en = "not handled: reported again (level-triggered)", zh = "没处理：再报告一次（水平触发）" }
expect{ value = #third, is = 0, en = "handled: no longer reported", zh = "处理完：不再报告" }

say{
  en = [[
    poll's events are bit masks: first[1][2] & select.POLLIN tells readability.
    Like select, poll hands the whole set to the kernel on every call and the kernel
    checks every descriptor: O(n) per call. epoll, next, keeps the set inside the
    kernel and reports only what changed.]],
  zh = [[
    poll 的事件是位掩码：first[1][2] & select.POLLIN 表示可读。
    和 select 一样，poll 每次调用都把整个集合交给内核，内核逐个检查：每次 O(n)。
    下一课的 epoll 把集合放在内核里，只报告有变化的。]],
}
os.close(r); os.close(w)
