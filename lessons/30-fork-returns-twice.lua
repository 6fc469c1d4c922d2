lesson{
  title = { en = "fork returns twice", zh = "fork：调用一次，返回两次" },
  source = "003 进程的创建-fork, getpid/getppid",
}

say{
  en = [[
    os.fork() copies the whole running program: a second process, the child.
    Both go on from the same place, the return of fork.
    A normal call returns once. fork returns twice: once in each process.
    In the child it returns 0; in the parent it returns the child's pid.
    The parent keeps that pid; the child can always ask os.getppid().]],
  zh = [[
    os.fork() 把正在运行的整个程序复制一份：第二个进程，叫子进程。
    两个进程都从同一个地方继续：fork 返回的地方。
    普通函数调用一次返回一次；fork 调用一次返回两次：每个进程各返回一次。
    在子进程里返回 0；在父进程里返回子进程的 pid。
    父进程要记住这个 pid；子进程随时可以用 os.getppid() 问到父进程。]],
}

step{ en = "One call, two returns", zh = "调用一次，返回两次" }

me = os.getpid()
print("one process before fork")
rpid = os.fork()
if rpid == 0 then
  print(("child: fork returned 0; my parent is %s"):format(
    os.getppid() == me and "the process that forked me" or "someone else"))
  os._exit(0)
end
os.waitpid(rpid, 0)
print(("parent: fork returned %s"):format(rpid > 0 and rpid ~= me and "the child's pid" or "something else"))

expect{ printed = { "one process before fork", "child: fork returned 0; my parent is the process that forked me",
                    "parent: fork returned the child's pid" },
        en = "fork returned 0 in the child and the child's pid in the parent",
        zh = "fork 在子进程里返回 0，在父进程里返回子进程的 pid" }
expect{ count = { "^one process before fork$", 1 },
        en = "what was printed before the fork is printed once", zh = "fork 之前打印的内容只出现一次" }

say{
  en = [[
    Look at the timeline: a new process, with its own header and its own GIL row,
    and a fork arrow from the line that called fork to the child's first moment.
    The child called os._exit(0) where its work ended. Without it, the child would
    go on with the parent's code after the if: both would run it.
    The parent waited for the child with os.waitpid: the arrow from the child's exit.]],
  zh = [[
    看时间线：多了一个进程，有自己的标题和自己的 GIL 行，
    一条 fork 箭头从调用 fork 的那一行指向子进程的开始。
    子进程在它的工作做完的地方调用了 os._exit(0)。如果没有这一句，
    子进程会接着执行 if 后面父进程的代码：两个进程都会执行。
    父进程用 os.waitpid 等子进程结束：那条从子进程退出处出发的箭头。]],
}
