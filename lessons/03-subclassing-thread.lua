lesson{
  title = { en = "Subclassing Thread: your own run()", zh = "派生线程：自己写 run()" },
  source = "000 §1.1.2, 003 多线程-非共享数据",
}

say{
  en = [[
    start() does some setup, then calls the thread's run() method in the new thread.
    The default run() calls target(*args). A subclass can write its own run().
    In Python: class Worker(threading.Thread) with def run(self).
    In threadlab: threading.Thread{run = function(self) ... end}.]],
  zh = [[
    start() 先做一些初始化，然后在新线程里调用线程的 run() 方法。
    默认的 run() 就是调用 target(*args)。派生类可以自己写 run()。
    Python 里写 class Worker(threading.Thread)，再定义 def run(self)。
    threadlab 里写 threading.Thread{run = function(self) ... end}。]],
}

show{ python = [[
  class Worker(threading.Thread):
      def run(self):
          time.sleep(1)
          print('This is %s' % threading.current_thread().getName())
]] }

step{ en = "Five workers, each sleeps one second", zh = "五个 Worker，各睡一秒" }

function Worker()
  return threading.Thread{run = function(self)
    time.sleep(1)
    print("This is " .. threading.current_thread().name)
  end}
end

beg = time.time()
jobs = {}
for j = 1, 5 do jobs[j] = Worker() end
for _, w in ipairs(jobs) do w:start() end
for _, w in ipairs(jobs) do w:join() end
cost = time.time() - beg
print(("Cost time %.1f"):format(cost))

expect{ count = { "^This is Thread%-%d$", 5 }, en = "five workers ran", zh = "五个 Worker 都运行了" }
expect{ value = cost, is = 1.0, near = 0.001, en = "five one-second sleeps took one second",
        zh = "五次一秒的睡眠一共用了一秒" }

say{
  en = [[
    One second, not five: the workers slept at the same time.
    In the notes two lines ran together: "This is Thread-5This is Thread-4".
    Python 3's print writes the text and the newline separately,
    and another thread can print in between. threadlab's print writes whole lines.
    A subclass has one more use: each object carries its own data.]],
  zh = [[
    用了一秒，不是五秒：几个 Worker 是同时在睡。
    笔记的输出里有两行连在了一起：“This is Thread-5This is Thread-4”。
    Python 3 的 print 先写内容再写换行，中间别的线程可能插进来。
    threadlab 的 print 总是整行输出。
    派生类还有一个用处：每个线程对象带着自己的数据。]],
}

step{ en = "Each thread object has its own fields", zh = "每个线程对象有自己的属性" }

function MyThread(num, sleepTime)
  return threading.Thread{
    num = num, sleepTime = sleepTime,
    run = function(self)
      self.num = self.num + 1
      time.sleep(self.sleepTime)
      print(("thread(%s), num=%d"):format(self.name, self.num))
    end,
  }
end

t1 = MyThread(100, 5)
t1:start()
t2 = MyThread(200, 1)
t2:start()
t1:join(); t2:join()

expect{ printed = { "thread(Thread-7), num=201", "thread(Thread-6), num=101" },
        en = "each thread changed only its own num", zh = "每个线程只改了自己的 num" }

say{
  en = [[
    t2 finished first (1 s), with 201; t1 later (5 s), with 101.
    self.num belongs to one thread object, so no other thread touches it,
    and it needs no lock. Globals are shared; an object's own fields are not,
    unless you hand the same object to several threads.]],
  zh = [[
    t2 先结束（1 秒），结果 201；t1 后结束（5 秒），结果 101。
    self.num 属于一个线程对象，别的线程碰不到它，所以不用加锁。
    全局变量是共享的；对象自己的属性不是，
    除非你把同一个对象交给好几个线程。]],
}
