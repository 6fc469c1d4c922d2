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
    线程就是在主程序旁边同时运行的一个函数。
    用 threading.Thread 创建线程：target 是要运行的函数，
    args 是传给它的参数。
    调用 start() 之前，什么都不会运行。]],
}

step{ en = "One function, five threads", zh = "一个函数，五个线程" }

math.randomseed(7) -- "random" sleeps, but the same ones every run

function f1(x)
  local current = threading.current_thread().name
  print(("Task start, thread is %s value is %s"):format(current, x))
  time.sleep(math.random(1, 3))
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
    The notes call getName(); in Python 3 write .name (getName() is deprecated since 3.10).]],
  zh = [[
    start() 马上就返回了，五次都是。主线程没有等。
    现在五个线程同时在睡，每个睡 1 到 3 秒。
    笔记里用的是 getName()；Python 3 里写 .name（getName() 从 3.10 起已不推荐）。]],
}

step{ en = "Wait for them all", zh = "等它们全部结束" }

for _, t in ipairs(tasks) do t:join() end
cost = time.time() - beg
print(("all done after %.1f s"):format(cost))

expect{ count = { "^Task End", 5 }, en = "all five threads ended", zh = "五个线程都结束了" }
expect{ value = cost, min = 1, max = 3.01,
        en = "the whole run took as long as the longest sleep, not the sum",
        zh = "总耗时等于最长的那次睡眠，而不是所有睡眠之和" }

say{
  en = [[
    Look at the timeline: the five sleeps overlap.
    Five threads that each wait up to 3 seconds finish in 3 seconds, not 15.
    That is why threads help when a program waits: for a disk, a network, a user.
    The order of the "Task End" lines follows the sleeps, not the order of start().]],
  zh = [[
    看时间线：五段睡眠是重叠的。
    五个线程每个最多等 3 秒，一共只用了 3 秒，而不是 15 秒。
    所以程序需要等待时（等磁盘、等网络、等用户），多线程就有用了。
    “Task End” 的先后顺序由睡眠长短决定，而不是 start() 的顺序。]],
}
