lesson{
  title = { en = "The convoy effect: an I/O thread beside a CPU-bound thread", zh = "护航效应：I/O 线程遇上计算密集的线程" },
  source = "004 GIL; 002 §7.1 (threads for I/O)",
}

-- The remote side is a process (its own GIL), so it plays on the real clock.
lab.clock{ clock = "real" }

say{
  en = [[
    The notes say: threads are for I/O, because a thread that waits for I/O lets go
    of the GIL. True, but letting go has a price when another thread wants to compute.
    A thread that comes back from its I/O must get the GIL back, and under the py3 GIL
    a thread that computes keeps it until the waiter has asked for a whole switch
    interval (5 ms). Every blocking call of the I/O thread pays that wait: the convoy
    effect. The remote side here is a process that answers each byte after 1 ms.]],
  zh = [[
    笔记说：I/O 密集用多线程，因为等 I/O 的线程会放开 GIL。
    没错，但当另一个线程要计算时，放开是有代价的。
    I/O 做完回来的线程必须重新拿到 GIL；在 py3 的 GIL 下，计算的线程会一直拿着，
    直到等待者请求满一个切换间隔（5 毫秒）。I/O 线程的每次阻塞调用都要付这笔等待：
    这就是护航效应（convoy effect）。这里的远端是一个进程，每收到一个字节，1 毫秒后回答。]],
}

step{ en = "Round trips alone: about 1 ms each", zh = "单独往返：每次约 1 毫秒" }

r1, w1 = os.pipe()                     -- requests: this process -> echo
r2, w2 = os.pipe()                     -- replies:  echo -> this process

function echo()                        -- the remote side, in a process of its own
  while true do
    local b = os.read(r1, 1)
    if b == "" or b == "q" then return end
    time.sleep(0.001)                  -- the network, say
    os.write(w2, b)
  end
end
remote = mp.Process{ target = echo, name = "echo" }
remote:start()

function round_trips(n)                -- the median of n round trips, in ms
  local ms = {}
  for i = 1, n do
    local t0 = time.perf_counter()
    os.write(w1, "x")
    os.read(r2, 1)                     -- blocks: the GIL is let go
    ms[i] = (time.perf_counter() - t0) * 1000
  end
  table.sort(ms)
  return ms[n // 2 + 1]
end

alone = round_trips(10)
print(("alone: %.1f ms a round trip"):format(alone))

expect{ value = alone, min = 1, max = 3, en = "about the remote side's 1 ms", zh = "约为远端的 1 毫秒" }

step{ en = "Beside a CPU-bound thread: about 1 + 5 ms", zh = "旁边有计算线程：约 1 + 5 毫秒" }

say{
  en = [[
    Now a second thread computes and never waits. Each time MainThread blocks in
    os.read, the compute thread takes the GIL. The reply comes 1 ms later, but
    MainThread cannot run Lua without the GIL: it asks, waits 5 ms, sets a drop
    request, and only then the compute thread lets go. Look for the gil wait after
    each I/O wait on MainThread's lane.]],
  zh = [[
    现在第二个线程在计算，从不等待。MainThread 每次阻塞在 os.read 里，计算线程就拿走 GIL。
    回复 1 毫秒后就到了，但 MainThread 没有 GIL 就不能运行 Lua：它请求，等 5 毫秒，
    发出放手请求（drop request），计算线程这才放开。在 MainThread 的泳道上，
    每段 I/O 等待之后都有一段等 GIL。]],
}

busy = true
function compute()
  local x = 0
  while busy do x = x + 1 end
end
cpu = threading.Thread{ target = compute, name = "compute" }
cpu:start()
time.sleep(0.01)                       -- the compute thread is under way

drops0 = lab.count("gil-drop-request")
beside = round_trips(10)
drops = lab.count("gil-drop-request") - drops0
print(("beside a CPU-bound thread: %.1f ms a round trip"):format(beside))
print(("drop requests from MainThread in those 10 round trips: %d"):format(drops))

expect{ value = beside, min = alone + 4, max = 30,
        en = "one switch interval (5 ms) more than alone", zh = "比单独时多一个切换间隔（5 毫秒）" }
-- (one each; on a loaded machine the compute thread, itself waiting for a
-- core, sometimes misses its turn, and MainThread gets the GIL for free)
expect{ value = drops, min = 5, max = 12,
        en = "about one drop request each round trip", zh = "差不多每次往返都有一次放手请求" }

step{ en = "A shorter switch interval: the price is the interval", zh = "更短的切换间隔：代价就是间隔本身" }

say{
  en = [[
    The wait is the switch interval itself. CPython's sys.setswitchinterval(0.001)
    (here lab.gil{switch_interval = 1}, in ms) makes it 1 ms, and each round trip
    costs about 1 + 1 ms. CPython 3.11 on the same machine measures the same three
    figures: about 1.1, 6.2 and 2.2 ms. A shorter interval helps the I/O thread and
    costs the compute thread more switches; the way out is to keep CPU-bound work
    out of the I/O thread's process (lesson 37).]],
  zh = [[
    等待的就是切换间隔本身。CPython 的 sys.setswitchinterval(0.001)
    （这里是 lab.gil{switch_interval = 1}，单位毫秒）把它设成 1 毫秒，
    每次往返就约为 1 + 1 毫秒。同一台机器上 CPython 3.11 测得同样的三个数：
    约 1.1、6.2 和 2.2 毫秒。间隔越短，I/O 线程越好过，计算线程的切换越多；
    真正的出路是让计算密集的工作离开 I/O 线程所在的进程（第 37 课）。]],
}

lab.gil{ switch_interval = 1 }
short = round_trips(10)
print(("beside it, switch interval 1 ms: %.1f ms a round trip"):format(short))
busy = false
cpu:join()
lab.gil{ switch_interval = 5 }
os.write(w1, "q")
remote:join()

expect{ value = short, min = alone + 0.5, max = beside - 2,
        en = "about one 1 ms interval more than alone", zh = "比单独时多约一个 1 毫秒的间隔" }
