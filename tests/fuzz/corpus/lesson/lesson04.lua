lesson{
  title = { en = "Names and the current thread", zh = "线程的名字与当前线程" },
  source = "000 §1.2, 004 多线程",
}

say{
  en = [[
    Every thread has a name. If you give none, Python makes one: Thread-1, Thread-2, ...
    Names cost nothing and help a lot: in logs, in error messages, on this timeline.
    A server whose threads do different jobs should name them after the job.]],
  zh = [[
    每个线程都有名字。你不起名字，Python 就自动起一个：Thread-1、Thread-2……
    名字不花什么成本，却很有用：日志里、报错信息里、这条时间线上都能看到。
    如果服务器进程里的各个线程各干各的活，就按活来给它们起名字。]],
}

step{ en = "Default names and given names", zh = "默认名字和自己起的名字" }

function report()
  print("I am " .. threading.current_thread().name)
end

a = threading.Thread{target = report}
b = threading.Thread{target = report}
c = threading.Thread{target = report, name = "downloader"}
for _, t in ipairs{a, b, c} do t:start(); t:join() end

expect{ printed = { "I am Thread-1", "I am Thread-2", "I am downloader" },
        en = "Thread-N unless a name is given", zh = "没起名字就叫 Thread-N" }

say{
  en = [[
    One function, three threads: current_thread() tells them apart.
    It returns the Thread object of whoever is running this line.
    The notes write current_thread().getName(); Python 3 spells it .name.
    The program itself runs in a thread too: the main thread, MainThread.]],
  zh = [[
    同一个函数，三个线程：current_thread() 能分清是谁。
    它返回正在执行这一行代码的那个线程对象。
    笔记里写 current_thread().getName()；Python 3 直接写 .name。
    程序本身也跑在一个线程里：主线程，名字叫 MainThread。]],
}

step{ en = "The main thread and the living threads", zh = "主线程与活着的线程" }

print("main:", threading.current_thread().name, threading.current_thread() == threading.main_thread())

sleepers = {}
for i = 1, 3 do
  sleepers[i] = threading.Thread{target = time.sleep, args = {1}, name = "sleeper-" .. i}
  sleepers[i]:start()
end
names = {}
for _, t in ipairs(threading.enumerate()) do names[#names + 1] = t.name end
table.sort(names)
print("alive:", table.concat(names, ", "), "count:", threading.active_count())
for _, t in ipairs(sleepers) do t:join() end
print("after join:", threading.active_count())

expect{ printed = { "main: MainThread true", "alive: MainThread, sleeper-1, sleeper-2, sleeper-3 count: 4",
                    "after join: 1" },
        en = "enumerate() lists the living threads, main included", zh = "enumerate() 列出活着的线程，主线程也在内" }

say{
  en = [[
    enumerate() lists the threads alive right now, main thread included;
    active_count() counts them. A thread that has ended is no longer listed.
    You may rename a thread too: t.name = "new name".
    Each thread also has ident, a number that tells it apart while it runs.]],
  zh = [[
    enumerate() 列出此刻活着的线程，包括主线程；
    active_count() 是它们的个数。已经结束的线程不再列出。
    线程也可以改名：t.name = "新名字"。
    每个线程还有一个 ident，是它运行期间用来区分它的编号。]],
}
