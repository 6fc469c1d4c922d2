lesson{
  title = { en = "Why a lock is still needed under the GIL", zh = "有了 GIL 为什么还要加锁" },
  source = "002 §7.2, 004 互斥锁和Gil锁的关系",
}

say{
  en = [[
    Only one thread runs Python code at a time. So why lock anything?
    002 answers: the GIL is a lock at the micro level, one small step at a time.
    What we need to protect is at the macro level: several steps that belong together.
    004's example: a ticket office. Check that a ticket is left, take the payment, sell it.
    Paying means talking to a bank: I/O, so the GIL is free meanwhile.]],
  zh = [[
    同一时刻只有一个线程在执行 Python 代码。那为什么还要加锁？
    002 的回答：GIL 是微观层面的锁，一次只管一小步。
    我们要保护的是宏观层面：几步必须连在一起完成。
    004 的例子：售票。先看还有没有票，再收钱，然后卖出。
    收钱要和银行打交道：这是 I/O，这期间 GIL 是空出来的。]],
}

step{ en = "Fifteen buyers, ten tickets, no lock", zh = "十五个买家，十张票，不加锁" }

tickets, sold = 10, 0

function buy_ticket()
  if tickets > 0 then              -- a1: check
    time.sleep(0.01)               -- a2: pay; the bank is slow, the GIL is free
    tickets = tickets - 1          -- a3: sell
    sold = sold + 1
  end
end

buyers = {}
for i = 1, 15 do buyers[i] = threading.Thread{target = buy_ticket} end
for _, t in ipairs(buyers) do t:start() end
for _, t in ipairs(buyers) do t:join() end
print(("sold %d tickets, %d left"):format(sold, tickets))

expect{ value = sold, min = 11, en = "more tickets sold than there were", zh = "卖出的票比实有的还多" }
expect{ value = tickets, max = -1, en = "the count went below zero", zh = "余票变成了负数" }

say{
  en = [[
    Fifteen tickets sold out of ten. Each step ran under the GIL, as promised,
    but the steps of different buyers interleaved: a1, b1, c1, ..., a2, b2, ...
    Every buyer checked before anyone had sold. 002 §7.2 draws exactly this:
    a1, b1, a2, b2, a3, b3. The GIL cannot know that a1 to a3 belong together.
    Only you know that. Say it with a lock around the three steps.]],
  zh = [[
    十张票卖出去十五张。每一小步都在 GIL 下执行，这一点没错，
    可不同买家的步骤交错在一起：a1、b1、c1……a2、b2……
    所有人都在有人卖出之前检查过了。002 §7.2 画的正是这个：
    a1、b1、a2、b2、a3、b3。GIL 不知道 a1 到 a3 是一个整体，
    只有你知道。用一把锁把这三步包起来，把这件事告诉程序。]],
}

step{ en = "The same office, with a lock", zh = "同一个售票处，加锁" }

tickets, sold = 10, 0
office = threading.Lock()

function buy_ticket()
  office:acquire()
  if tickets > 0 then
    time.sleep(0.01)
    tickets = tickets - 1
    sold = sold + 1
  end
  office:release()
end

beg = time.time()
buyers = {}
for i = 1, 15 do buyers[i] = threading.Thread{target = buy_ticket} end
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
