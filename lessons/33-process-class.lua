lesson{
  title = { en = "multiprocessing.Process", zh = "multiprocessing：Process 与它的子类" },
  source = "003 multiprocessing, 进程的创建-Process子类; 004 多进程",
}

say{
  en = [[
    multiprocessing.Process is fork made easy: give it a target and args, call start().
    Its fields are the notes' attributes: p.name ("Process-1", "Process-2", ...),
    p.pid, p.daemon, and p.exitcode: nil while it runs, then 0 when it ended well,
    1 after an uncaught error, and -N when signal N killed it.
    Its methods: start, join([timeout]), is_alive, terminate, kill.]],
  zh = [[
    multiprocessing.Process 是更好用的 fork：给它 target 和 args，调用 start()。
    它的字段就是笔记里的属性：p.name（"Process-1"、"Process-2"……）、
    p.pid、p.daemon，还有 p.exitcode：运行时为 nil，正常结束为 0，
    有未捕获的错误时为 1，被信号 N 杀死时为 -N。
    它的方法：start、join([timeout])、is_alive、terminate、kill。]],
}

step{ en = "A target with arguments; join; exitcode", zh = "带参数的 target；join；exitcode" }

function run_proc(name, age)
  time.sleep(0.05) -- a moment of work, so its row shows on the timeline
  print(("child process running, name=%s age=%d, parent is the lesson: %s"):format(
    name, age, tostring(os.getppid() == mp.parent_process().pid)))
end

p = mp.Process{ target = run_proc, args = { "test", 18 } }
print("before start:", p.name, p.exitcode)
p:start()
p:join()
print("after join:", p.name, p.exitcode, p:is_alive())

expect{ printed = { "before start: Process-1 nil", "child process running, name=test age=18, parent is the lesson: true",
                    "after join: Process-1 0 false" },
        en = "Process-1 ran its target and ended with exitcode 0", zh = "Process-1 运行了 target，exitcode 为 0" }

step{ en = "A subclass with its own run; an error; terminate", zh = "有自己 run 的子类；出错；terminate" }

-- The note's Process_Class: a run method and its own field (interval).
p1 = mp.Process{ interval = 0.2, run = function(self)
  local t0 = time.time()
  time.sleep(self.interval)
  print(("%s finished after %.1f s"):format(self.name, time.time() - t0))
end }
p1:start(); p1:join()

bad = mp.Process{ target = function() time.sleep(0.05); error(ValueError("no such file")) end }
bad:start(); bad:join()
print("an error in the child: exitcode", bad.exitcode)

sleeper = mp.Process{ target = function() time.sleep(100) end }
sleeper:start()
time.sleep(0.1)
print("sleeper alive:", sleeper:is_alive())
sleeper:terminate()
sleeper:join()
print("after terminate: exitcode", sleeper.exitcode, "alive:", sleeper:is_alive())

expect{ printed = { "Process-2 finished after 0.2 s", "an error in the child: exitcode 1",
                    "sleeper alive: true", "after terminate: exitcode -15 alive: false" },
        en = "run is used when there is no target; 1 after an error; -15 after terminate (SIGTERM is 15)",
        zh = "没有 target 时运行 run；出错后为 1；terminate 之后为 -15（SIGTERM 是 15）" }

say{
  en = [[
    The error's traceback was printed by the child ("Process Process-3:"), on stderr,
    and the parent went on: a child's crash is the child's.
    terminate() sends SIGTERM; the child dies of it, so its exitcode is -15.
    On the timeline: a red cross where the signal hit the sleeper, and the exit arrows
    from each child's end to the join that collected it.]],
  zh = [[
    错误的 traceback 是子进程打印的（"Process Process-3:"），在 stderr 上，
    父进程照常继续：子进程崩溃只是子进程自己的事。
    terminate() 发送 SIGTERM；子进程因此结束，所以 exitcode 是 -15。
    时间线上：信号打中睡眠进程的地方有一个红叉；
    每个子进程结束处都有一条箭头，指向收走它的 join。]],
}
