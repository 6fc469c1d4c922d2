lesson{
  title = { en = "Globals after fork", zh = "多进程修改全局变量" },
  source = "003 多进程修改全局变量",
}

say{
  en = [[
    Threads share their globals: that is why they race.
    A forked child gets a copy of every global, not the same one.
    The note's program: num = 0; the child adds 1, the parent adds 1 a second later.
    If they shared num, the parent would print 2.]],
  zh = [[
    线程共享全局变量：所以才会有竞争。
    fork 出来的子进程拿到的是每个全局变量的一份拷贝，而不是同一个变量。
    笔记里的程序：num = 0；子进程加 1，父进程一秒后也加 1。
    如果它们共享 num，父进程会打印 2。]],
}

step{ en = "Each process adds 1 to num", zh = "每个进程都给 num 加 1" }

num = 0
pid = os.fork()
if pid == 0 then
  num = num + 1
  print(("haha1---num=%d"):format(num))
  os._exit(0)
else
  time.sleep(0.2)
  num = num + 1
  print(("haha2---num=%d"):format(num))
end
os.waitpid(pid, 0)

expect{ printed = { "haha1---num=1", "haha2---num=1" },
        en = "both print 1: each process has its own num", zh = "两个都打印 1：每个进程有自己的 num" }

say{
  en = [[
    Both print 1. In a multi-process program every process owns all its data,
    globals included; one cannot see what another writes.
    To share, processes must pass values on purpose: a pipe, a queue, shared memory.
    Compare lesson 09: two threads adding to one global lose updates.]],
  zh = [[
    两个都打印 1。多进程程序里，每个进程拥有自己的全部数据，
    包括全局变量；一个进程看不到另一个进程写的东西。
    进程之间要共享数据，必须专门传递：管道、队列、共享内存。
    对比第 09 课：两个线程给同一个全局变量加数，会丢失更新。]],
}
