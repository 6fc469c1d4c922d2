lesson{
  title = { en = "epoll: level-triggered and edge-triggered", zh = "epoll：水平触发与边缘触发" },
  source = "004 io多路复用 (epoll 两种触发模式)",
}

say{
  en = [[
    epoll keeps the watched set in the kernel: register once (epoll_ctl), then
    poll(timeout) returns {fd, events} pairs of what is ready. Two modes, as 004 says.
    LT, the default: as long as a descriptor still has data, every poll reports it.
    ET (EPOLLET): reported once per arrival of new data, whether or not data is left.
    The test: write 10 bytes, poll, read only 5, poll again.]],
  zh = [[
    epoll 把要监视的集合放在内核里：登记一次（epoll_ctl），之后 poll(超时) 返回
    就绪的 {fd, 事件} 对。004 讲了两种模式。
    LT（默认）：只要描述符里还有数据，每次 poll 都会报告它。
    ET（EPOLLET）：每来一次新数据只报告一次，不管还剩没剩数据。
    试一试：写 10 个字节，poll，只读 5 个，再 poll 一次。]],
}

step{ en = "Write 10, read 5, poll again", zh = "写 10 个，读 5 个，再 poll" }

function trial(mode)
  local ep = select.epoll()
  local r, w = os.pipe()
  ep:register(r, select.EPOLLIN | (mode == "ET" and select.EPOLLET or 0))
  os.write(w, "0123456789")
  local first = ep:poll(0.1)
  os.read(r, 5)                        -- 5 bytes are still in the pipe
  local second = ep:poll(0.1)
  print(("%s: first poll %d, second poll %d"):format(mode, #first, #second))
  ep:close(); os.close(r); os.close(w)
  return #second
end
lt, et = trial("LT"), trial("ET")

expect{ value = lt, is = 1, en = "LT: data left, reported again", zh = "LT：还有数据，再次报告" }
expect{ value = et, is = 0, en = "ET: no new data, not reported (5 bytes wait unseen)", zh = "ET：没有新数据，不再报告（5 个字节没人理）" }

say{
  en = [[
    So with ET a program must read until the descriptor is empty each time it is told:
    make it non-blocking and read in a loop until BlockingIOError (EAGAIN), as 004 says.
    Otherwise the rest waits until more data happens to come.]],
  zh = [[
    所以用 ET 时，每次得到通知，程序都必须把描述符读空：
    把它设成非阻塞，循环读，直到 BlockingIOError（EAGAIN），正如 004 所说。
    否则剩下的数据要等到下次碰巧又有数据来才会被看到。]],
}

step{ en = "ET needs a read loop", zh = "ET 需要循环读" }

ep = select.epoll()
r, w = os.pipe()
os.set_blocking(r, false)
ep:register(r, select.EPOLLIN | select.EPOLLET)
os.write(w, string.rep("x", 25))
got, reads = 0, 0
for _, ev in ipairs(ep:poll(0.1)) do
  while true do                        -- drain: until EAGAIN
    local ok, data = pcall(os.read, ev[1], 10)
    if not ok then
      if data.type ~= "BlockingIOError" then error(data) end
      break
    end
    got, reads = got + #data, reads + 1
  end
end
print(("read %d bytes in %d reads; next poll: %d"):format(got, reads, #ep:poll(0.05)))
ep:close(); os.close(r); os.close(w)

expect{ value = got, is = 25, en = "the loop read everything after one notification", zh = "一次通知，循环读完了全部" }
expect{ value = reads, is = 3, en = "10 + 10 + 5 bytes, then EAGAIN", zh = "10 + 10 + 5 个字节，然后 EAGAIN" }
