lesson{
  title = { en = "Names and the current thread", zh = "线程的名字与当前线程" },
  source = "000 §1.2, 004 多线程",
}

say{
  en = [[
    Every thread has a name. If you give none, Python makes one: Thread-1, Thread-2, ...
    Since Python 3.10 the target's name follows in brackets: Thread-1 (report).
    Names cost nothing and help a lot: in logs, in error messages, on this timeline.
    A server whose threads do different jobs should name them after the job.]],
  zh = [[
    每个线程都有名字。你不起名字，Python 就自动起一个：Thread-1、Thread-2……
    从 Python 3.10 起，后面还会用括号带上 target 函数的名字：Thread-1 (report)。
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
d = threading.Thread{target = report}
e = threading.Thread{target = function() report() end}      -- Python: target=lambda: report()
for _, t in ipairs{a, b, c, d, e} do t:start(); t:join() end

expect{ printed = { "I am Thread-1 (report)", "I am Thread-2 (report)", "I am downloader",
                    "I am Thread-3 (report)", "I am Thread-4 (<lambda>)" },
        en = "Thread-N (target) unless a name is given; a named thread takes no number",
        zh = "没起名字就叫 Thread-N (target)；起了名字的线程不占编号" }

say{
  en = [[
    One function, five threads: current_thread() tells them apart.
    It returns the Thread object of whoever is running this line.
    "downloader" took no number, so the next unnamed thread is Thread-3;
    a function without a name shows as <lambda>, as Python shows a lambda.
    The notes ran on an older Python and print plain Thread-N; 3.10 added the brackets.
    The notes write current_thread().getName(); Python 3 spells it .name.
    The program itself runs in a thread too: the main thread, MainThread.]],
  zh = [[
    同一个函数，五个线程：current_thread() 能分清是谁。
    它返回正在执行这一行代码的那个线程对象。
    downloader 不占编号，所以下一个没起名字的线程是 Thread-3；
    没有名字的函数显示为 <lambda>，和 Python 里的 lambda 一样。
    笔记用的是老版本 Python，打印的是不带括号的 Thread-N；括号是 3.10 加上的。
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
