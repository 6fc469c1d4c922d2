lesson{
  title = { en = "Why a lock is still needed under the GIL", zh = "有了 GIL 为什么还要加锁" },
  source = "002 §7.2, 004 互斥锁和Gil锁的关系",
}

say{
  en = [[
    Only one thread runs Python code at a time. So why lock anything?
    002 answers: the GIL is a lock at the micro level, one small step at a time.
    What we need to protect is at the macro level: several steps that belong together.
    004's example is a ticket office: check that a ticket is left, take the payment, sell it.
    This lesson adapts it. 004 has ten buyers for ten tickets and nothing between the check
    and the sale, so it cannot oversell; here fifteen buyers come, and paying takes a while.]],
  zh = [[
    同一时刻只有一个线程在执行 Python 代码。那为什么还要加锁？
    002 的回答：GIL 是微观层面的锁，一次只管一小步。
    我们要保护的是宏观层面：几步必须连在一起完成。
    004 的例子是售票：先看还有没有票，再收钱，然后卖出。
    这一课把它改了一下。004 里十个人买十张票，检查和卖出之间什么也没做，所以不会超卖；
    这里来了十五个人，而且付款要花点时间。]],
}

show{ title = { en = "004's code (the lock commented out), in short:", zh = "004 的代码（锁被注释掉了），节选：" },
      python = [[
  def buy_ticket(self):
      time.sleep(2)
      print('剩余【%s】票' % self.dic['ticket'])
      if self.dic['ticket'] > 0:
          self.dic['ticket'] -= 1
          print('%s购票成功' % os.getpid())
]] }

say{
  en = [[
    004 prints os.getpid() to tell the buyers apart. From threads that cannot work:
    every thread of a process has the same pid (try it: ten lines, one number).
    threading.current_thread().name tells threads apart. Paying means talking to a bank:
    I/O, so the GIL is free meanwhile. lab.watch("tickets") records every read and write.]],
  zh = [[
    004 打印 os.getpid() 来区分买家。可在线程里这行不通：
    同一个进程的所有线程，pid 都一样（可以试试：十行输出，同一个数）。
    区分线程要用 threading.current_thread().name。付款要和银行打交道：
    这是 I/O，这期间 GIL 是空出来的。lab.watch("tickets") 会记下每一次读和写。]],
}

step{ en = "Fifteen buyers, ten tickets, a slow bank, no lock", zh = "十五个买家，十张票，银行很慢，不加锁" }

tickets, sold = 10, 0
lab.watch("tickets")

function buy_ticket()
  local left = tickets             -- a1: check
  if left > 0 then
    time.sleep(0.01)               -- a2: pay; the bank is slow, the GIL is free
    tickets = left - 1             -- a3: sell
    sold = sold + 1
  end
end

buyers = {}
for i = 1, 15 do buyers[i] = threading.Thread{target = buy_ticket, name = "buyer-" .. i} end
for _, t in ipairs(buyers) do t:start() end
for _, t in ipairs(buyers) do t:join() end
print(("sold %d tickets, %d left; lost updates of tickets: %d"):format(sold, tickets, lab.count("lost-update")))

expect{ value = sold, min = 11, en = "more tickets sold than there were", zh = "卖出的票比实有的还多" }
expect{ value = lab.count("lost-update"), min = 1, en = "lab.watch caught sales written from a stale count",
        zh = "lab.watch 抓到了拿着过时的余票数写回去的卖出" }

say{
  en = [[
    Fifteen sold out of ten, and the counter says 9 left. Each step ran under the GIL, as promised,
    but the steps of different buyers interleaved: a1, b1, c1, ..., a2, b2, ...
    Every buyer checked before anyone had sold. lab.watch saw it happen: a buyer read 10,
    others wrote, and it wrote 9 over them. 002 §7.2 draws exactly this: a1, b1, a2, b2, a3, b3.
    Is it only because the bank is I/O? Let the payment be pure computation instead.]],
  zh = [[
    十张票卖出去十五张，余票却还显示 9 张。每一小步都在 GIL 下执行，这一点没错，
    可不同买家的步骤交错在一起：a1、b1、c1……a2、b2……
    所有人都在有人卖出之前检查过了。lab.watch 看得清清楚楚：一个买家读到 10，
    别人写过之后，它又把 9 写了回去。002 §7.2 画的正是这个：a1、b1、a2、b2、a3、b3。
    是不是只因为银行是 I/O？把付款换成纯计算试试。]],
}

step{ en = "The same office, paying by computing", zh = "同一个售票处，付款靠计算" }

lab.unwatch("tickets")
tickets, sold = 10, 0

function pay()                     -- CPU work: 20 ms here, about 0.1 s in CPython
  local x = 0
  for i = 1, 1000000 do x = x + i end
end

function buy_ticket()
  local left = tickets
  if left > 0 then
    pay()                          -- the GIL is taken away every 5 ms
    tickets = left - 1
    sold = sold + 1
  end
end

buyers = {}
for i = 1, 15 do buyers[i] = threading.Thread{target = buy_ticket, name = "buyer-" .. i} end
for _, t in ipairs(buyers) do t:start() end
for _, t in ipairs(buyers) do t:join() end
print(("sold %d tickets, %d left"):format(sold, tickets))

expect{ value = sold, min = 11, en = "oversold again, with no I/O at all", zh = "没有任何 I/O，照样超卖" }

say{
  en = [[
    Oversold again (CPython 3.11 also sold 15 with this code; the count left varied, 4 or 7).
    Look at the GIL row: every 5 ms the interpreter takes the GIL from the thread that is paying
    and hands it to the next, which checks, finds a ticket, and starts paying too.
    The GIL cannot know that a1 to a3 belong together. Only the programmer knows that,
    so put one lock around the three steps.]],
  zh = [[
    又超卖了（同样的代码，CPython 3.11 上也卖出 15 张；剩下的余票数每次不同，4 张或 7 张）。
    看 GIL 那一行：每过 5 毫秒，解释器就把 GIL 从正在付款的线程手里拿走，交给下一个线程；
    下一个线程检查，发现还有票，也开始付款。
    GIL 不知道 a1 到 a3 是一个整体，这一点只有写程序的人知道，
    所以要用一把锁把这三步包起来。]],
}

step{ en = "The same office, with a lock", zh = "同一个售票处，加锁" }

tickets, sold = 10, 0
office = threading.Lock{name = "office"}

function buy_ticket()
  office:acquire()
  local left = tickets
  if left > 0 then
    time.sleep(0.01)
    tickets = left - 1
    sold = sold + 1
  end
  office:release()
end

beg = time.time()
buyers = {}
for i = 1, 15 do buyers[i] = threading.Thread{target = buy_ticket, name = "buyer-" .. i} end
for _, t in ipairs(buyers) do t:start() end
for _, t in ipairs(buyers) do t:join() end
print(("sold %d tickets, %d left, in %.2f s"):format(sold, tickets, time.time() - beg))

expect{ value = sold, is = 10, en = "exactly ten sold", zh = "正好卖出十张" }
expect{ value = tickets, is = 0, en = "none left, none below zero", zh = "一张不剩，也没有变成负数" }

say{
  en = [[
    Ten sold, none left. It took 0.1 s instead of 0.01 s: payments now happen one by one.
    004 walks through how the two locks meet. Thread 1 holds the mutex and loses the GIL;
    thread 2 gets the GIL, blocks on the mutex, and gives the GIL back;
    only thread 1 can finish and release the mutex.
    GIL: one thread runs at a time. Mutex: one thread owns the data at a time.]],
  zh = [[
    卖出十张，一张不剩。用了 0.1 秒而不是 0.01 秒：现在一次只能处理一笔付款。
    004 讲了两把锁是怎么配合的：线程 1 拿着互斥锁，却失去了 GIL；
    线程 2 拿到 GIL，卡在互斥锁上，又把 GIL 交了出来；
    只有线程 1 能做完并释放互斥锁。
    GIL：同一时刻只有一个线程在运行。互斥锁：同一时刻只有一个线程拥有这份数据。]],
}
