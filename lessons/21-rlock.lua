lesson{
  title = { en = "RLock: a lock its owner may take again; deadlock with yourself",
            zh = "RLock 递归锁：自己能重复拿的锁；自己和自己死锁" },
  source = "002 §6.4, 004 死锁",
}

say{
  en = [[
    004 defines a deadlock in one line: a resource is taken more than once,
    and the takers never let go of it. The simplest case needs only one thread.
    A method takes the object's lock and calls another method of the same object,
    which takes the same lock again. A Lock does not know who holds it:
    the second acquire() waits for the lock to come free, and only this thread could free it.
    (002 §6.4, "RLock 递归锁 (了解)", is a heading with nothing under it; this lesson fills it in.)]],
  zh = [[
    004 对死锁只有一句话：一个资源被多次调用，而多次调用方都未能释放该资源。
    最简单的情形只要一个线程。
    一个方法拿了对象的锁，又去调用同一个对象的另一个方法，那个方法再拿一次同一把锁。
    Lock 不管是谁拿着它：第二次 acquire() 就等着锁空出来，可能放开它的只有这个线程自己。
    （002 §6.4 “RLock 递归锁（了解）”只有标题，没有内容；这一课把它补上。）]],
}

step{ en = "A method that calls a method: one thread, one Lock, stuck", zh = "方法调用方法：一个线程，一把 Lock，卡死" }

Account = {}
Account.__index = Account
function Account.new(lock) return setmetatable({ lock = lock, balance = 0 }, Account) end

function Account:deposit(n)
  threading.with(self.lock, function()   -- with self.lock:
    time.sleep(0.2)                       -- counting the money
    self.balance = self.balance + n
  end)
end

function Account:deposit_twice(n)
  threading.with(self.lock, function()
    time.sleep(0.2)                       -- checking the account
    self:deposit(n)                       -- takes self.lock again
    self:deposit(n)
  end)
end

acc = Account.new(threading.Lock{name = "account"})
teller = threading.Thread{target = acc.deposit_twice, args = {acc, 50}, name = "teller"}
teller:start()
-- Python would wait here for ever. threadlab sees that no thread can move
-- again and raises DeadlockError in the thread that waits.
ok, err = pcall(teller.join, teller)
print(err)
print("plain Lock: balance " .. acc.balance .. ", teller alive: " .. tostring(teller:is_alive()))

expect{ ok = acc.balance == 0 and teller:is_alive(),
        en = "nothing was deposited: the teller waits for a lock it holds itself",
        zh = "一分钱也没存进去：teller 在等它自己拿着的锁" }
expect{ hang = { "teller waits for Lock account, held by teller" },
        en = "threadlab reports the hang: the teller waits for a lock it holds",
        zh = "threadlab 报告卡住了：teller 在等它自己拿着的锁" }

say{
  en = [[
    Python would hang at join() for ever, without a word.
    threadlab says why: the teller waits for the lock account, and the teller holds it.
    It calls this a hang rather than a cycle: a plain Lock has no owner, so another
    thread could release it (see the end of this lesson). Here no other thread ever will.
    The cure is threading.RLock, a re-entrant lock. It remembers its owner and a count:
    the owner may acquire it again (count + 1); each release() takes one off;
    other threads get it only when the count is back to 0.]],
  zh = [[
    Python 会在 join() 那里一声不响地永远卡住。
    threadlab 会说出原因：teller 在等锁 account，而这把锁正在 teller 自己手里。
    它把这叫作“卡住”（hang），而不是一个环：普通的 Lock 没有主人，别的线程本来可以
    释放它（本课最后会讲到）。只是在这里，不会有别的线程去释放。
    解决办法是 threading.RLock，可重入锁（递归锁）。它记着主人是谁，还有一个计数：
    主人可以再次 acquire()（计数加一）；每次 release() 减一；
    计数回到 0，别的线程才拿得到。]],
}

step{ en = "The same account with an RLock", zh = "同一个账户，换成 RLock" }

acc2 = Account.new(threading.RLock{name = "account2"})
teller2 = threading.Thread{target = acc2.deposit_twice, args = {acc2, 50}, name = "teller2"}
teller2:start()
teller2:join()
print("RLock: balance " .. acc2.balance)

expect{ value = acc2.balance, is = 100, en = "both deposits went through: 100", zh = "两次都存进去了：100" }

say{
  en = [[
    100: the owner took its own RLock twice and let go twice.
    An RLock has an owner, and that has a second effect: only the owner may release it.
    Another thread that tries gets RuntimeError. And it waits until the owner
    has released as many times as it acquired.]],
  zh = [[
    100：主人把自己的 RLock 拿了两次，也放了两次。
    RLock 有主人，这还带来第二个效果：只有主人能释放它。
    别的线程去 release() 会得到 RuntimeError。它想拿这把锁，
    就得等主人 acquire 几次、也 release 几次之后。]],
}

step{ en = "Only the owner releases; the count must reach 0", zh = "只有主人能释放；计数要回到 0" }

r = threading.RLock{name = "r"}
beg = time.time()

function hold()
  r:acquire(); r:acquire()
  print("holder: count 2")
  time.sleep(0.5)
  r:release()
  print("holder: released once, still held")
  time.sleep(0.5)
  r:release()
  print("holder: released twice, free")
end

function other()
  local ok, err = pcall(r.release, r)
  print("other: " .. tostring(err))
  local t0 = time.time()
  r:acquire()
  waited = time.time() - t0
  print(("other: got it after %.1f s"):format(waited))
  r:release()
end

holder = threading.Thread{target = hold, name = "holder"}
holder:start()
time.sleep(0.1)
intruder = threading.Thread{target = other, name = "other"}
intruder:start()
holder:join(); intruder:join()

expect{ printed = { "holder: count 2", "other: RuntimeError: cannot release un-acquired lock",
                    "holder: released once, still held", "holder: released twice, free",
                    "other: got it after 0.9 s" },
        en = "the other thread may not release it, and gets it only after the second release",
        zh = "别的线程不能释放它，要等主人第二次 release 之后才拿得到" }
expect{ value = waited, is = 0.9, near = 0.001, en = "it waited 0.9 s: until the count was 0",
        zh = "它等了 0.9 秒：一直等到计数为 0" }

say{
  en = [[
    A plain Lock has no owner at all: any thread may release it. Lesson 11 uses that.
    So why not RLock everywhere? It is a little slower, and it hides a design question:
    a method that can be called with the lock held or not is harder to reason about.
    A common way: public methods take the lock, and call private helpers that do not.
    Use RLock where re-entering is natural: a Condition uses one by default.]],
  zh = [[
    普通的 Lock 根本没有主人：哪个线程都能释放它。第 11 课会用到这一点。
    那为什么不处处用 RLock？它稍慢一点，而且掩盖了一个设计问题：
    一个方法既可能在持锁时被调用、也可能在不持锁时被调用，就更难想清楚。
    常见的写法：公开的方法负责加锁，再调用不加锁的内部辅助方法。
    在需要重入的地方才用 RLock：Condition 默认用的就是它。]],
}
