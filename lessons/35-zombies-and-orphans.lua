lesson{
  title = { en = "Zombies and orphans", zh = "僵尸进程与孤儿进程" },
  source = "004 多进程 › 概念; 002 §7.6",
}

say{
  en = [[
    Both notes muddle these two words, so here they are as the kernel means them.
    A zombie is a child that has exited but whose parent has not yet collected its
    exit status with wait or waitpid. It runs nothing; it is only an entry in the
    process table, kept so the parent can still ask how it ended. Note 004 says a
    zombie is a child left unhandled after its parent ended: no, that one is reaped
    at once by its new parent. A zombie needs a living parent that does not wait.
    An orphan is a process still running whose parent has ended. It is not dead:
    it is re-parented, to init or to a "subreaper" (threadlab is one), which reaps it.]],
  zh = [[
    两份笔记都把这两个词说混了，这里按内核的意思说清楚。
    僵尸进程：子进程已经退出，但父进程还没有用 wait 或 waitpid 取走它的退出状态。
    它什么也不运行，只是进程表里的一项，留着让父进程还能问到它是怎么结束的。
    笔记 004 说“父进程已经结束但还没处理的子进程为僵尸进程”：不对，
    那样的子进程会马上被新的父进程回收。僵尸需要一个活着却不 wait 的父进程。
    孤儿进程：父进程已经结束、自己还在运行的进程。它没有死：
    它被过继给 init 或一个“subreaper”（threadlab 就是），由它来回收。]],
}

step{ en = "A zombie: the child exits, the parent waits later", zh = "僵尸：子进程退出了，父进程过一会儿才 wait" }

pid = os.fork()
if pid == 0 then
  print("child: done, exiting")
  os._exit(7)
end
time.sleep(0.3) -- the child is a zombie all this time
-- what the kernel says of it (/proc/PID/stat), as :threads shows it
function state_of(p)
  for _, q in ipairs(mp._processes()) do if q.pid == p then return q.state end end
  return "gone"
end
print("before wait, the child is: " .. state_of(pid))
wpid, status = os.wait()
print(("os.wait() -> the child's pid: %s, exited: %s, status %d"):format(
  tostring(wpid == pid), tostring(os.WIFEXITED(status)), os.WEXITSTATUS(status)))
print("after wait, the child is: " .. state_of(pid))

expect{ printed = { "child: done, exiting", "before wait, the child is: zombie (exited, not yet reaped)",
                    "os.wait() -> the child's pid: true, exited: true, status 7",
                    "after wait, the child is: gone" },
        en = "a zombie (Z in /proc) until the parent's os.wait, then gone",
        zh = "在父进程 os.wait 之前是僵尸（/proc 里是 Z），之后就没有了" }

step{ en = "An orphan: its parent exits first", zh = "孤儿：父进程先退出" }

top = os.getpid()
middle = os.fork()
if middle == 0 then
  if os.fork() == 0 then
    time.sleep(0.2)
    print("orphan: my parent is now the lesson's process: " .. tostring(os.getppid() == top))
    os._exit(0)
  end
  print("middle: exiting before my child")
  os._exit(0)
end
os.waitpid(middle, 0)
orphan, st = os.wait() -- the orphan came back to threadlab, which reaps it
print("the lesson's process reaped the orphan too: " .. tostring(orphan ~= middle and os.WIFEXITED(st)))

expect{ printed = { "middle: exiting before my child", "orphan: my parent is now the lesson's process: true",
                    "the lesson's process reaped the orphan too: true" },
        en = "the orphan was re-parented to threadlab and reaped by it",
        zh = "孤儿被过继给 threadlab，并由它回收" }

say{
  en = [[
    On the timeline the zombie is the dark stretch after a child's exit, ending with
    the arrow into the parent's os.wait. The orphan's lane has a square marker where
    it was re-parented. A program that forks and never waits fills the process table
    with zombies; the next lesson fills it on purpose.]],
  zh = [[
    时间线上，僵尸就是子进程退出之后那段深色的线，结束于指向父进程 os.wait 的箭头。
    孤儿那条线上，被过继的地方有一个方块标记。
    一个只 fork 不 wait 的程序会让进程表里堆满僵尸；下一课就故意把它填满。]],
}
