lesson{
  title = { en = "Creating and starting threads", zh = "线程的创建与启动" },
  source = "000 §1.1",
}

say{
  en = [[
    A thread runs a function beside the main program.
    You make one with threading.Thread and give it a target:
    the function to run, and args: what to pass to it.
    Nothing runs until you call start().]],
  zh = [[
    有了线程，一个函数就能和主程序同时运行。
    用 threading.Thread 创建线程：target 是要运行的函数，
    args 是传给它的参数。
    调用 start() 之前，什么都不会运行。]],
}

step{ en = "One function, five threads", zh = "一个函数，五个线程" }

math.randomseed(1) -- "random" sleeps, but the same ones every run
pause = {}
for j = 0, 4 do pause[j] = math.random(10, 30) / 10 end   -- 1.0 to 3.0 s, in tenths
print("sleeps: " .. table.concat(pause, " ", 0, 4))

function f1(x)
  local current = threading.current_thread().name
  print(("Task start, thread is %s value is %s"):format(current, x))
  time.sleep(pause[x])
  print(("Task End, thread is %s value is %s"):format(current, x))
end

tasks = {}
for j = 0, 4 do
  local t = threading.Thread{target = f1, args = {j}, name = "Mythread-" .. j}
  tasks[#tasks + 1] = t
end

beg = time.time()
for _, t in ipairs(tasks) do t:start() end
print("main: all five started")

expect{ count = { "^Task start", 5 }, en = "all five threads started", zh = "五个线程都启动了" }
expect{ count = { "^Task End", 0 }, en = "none has ended yet: they sleep", zh = "还没有一个结束：它们都在睡" }

say{
  en = [[
    start() returned at once, five times. The main thread did not wait.
    Now five threads sleep at the same time, 1 to 3 seconds each.
    The notes draw random.randint(1, 3): whole seconds, so among five threads two must tie,
    and which of a tie prints first is luck. We draw tenths, all different.
    The notes call getName(); in Python 3 write .name (getName() is deprecated since 3.10).]],
  zh = [[
    start() 马上就返回了，五次都是。主线程没有等。
    现在五个线程同时在睡，每个睡 1 到 3 秒。
    笔记里用的是 random.randint(1, 3)：只取整秒，五个线程里必定有两个睡得一样长，
    一样长的谁先打印就全凭运气了。这里取到十分之一秒，五个各不相同。
    笔记里用的是 getName()；Python 3 里写 .name（getName() 从 3.10 起已不推荐）。]],
}

step{ en = "Wait for them all", zh = "等它们全部结束" }

for _, t in ipairs(tasks) do t:join() end
cost = time.time() - beg
print(("all done after %.1f s"):format(cost))

expect{ printed = { "Task End, thread is Mythread-1 value is 1", "Task End, thread is Mythread-0 value is 0",
                    "Task End, thread is Mythread-3 value is 3", "Task End, thread is Mythread-4 value is 4",
                    "Task End, thread is Mythread-2 value is 2" },
        en = "they ended shortest sleep first: 1.1, 1.7, 1.8, 2.0, 2.2 s",
        zh = "睡得最短的先结束：1.1、1.7、1.8、2.0、2.2 秒" }
expect{ value = cost, is = 2.2, near = 0.001,
        en = "the whole run took as long as the longest sleep (2.2 s), not the sum (8.8 s)",
        zh = "总耗时等于最长的那次睡眠（2.2 秒），而不是所有睡眠之和（8.8 秒）" }

say{
  en = [[
    Look at the timeline: the five sleeps overlap.
    Five threads that sleep 8.8 seconds in all finish in 2.2 seconds, the longest sleep.
    That is why threads help when a program waits: for a disk, a network, a user.
    The order of the "Task End" lines follows the sleeps, not the order of start().]],
  zh = [[
    看时间线：五段睡眠是重叠的。
    五个线程一共要睡 8.8 秒，结果只用了 2.2 秒，也就是最长的那一次。
    所以程序需要等待时（等磁盘、等网络、等用户），多线程就有用了。
    “Task End” 的先后顺序由睡眠长短决定，而不是 start() 的顺序。]],
}
