lesson{
  title = { en = "A queue for a Pool: Manager().Queue()",
            zh = "给进程池用的队列：Manager().Queue()" },
  source = "003 进程池中的Queue; 004 进程池中的Queue",
}

say{
  en = [[
    An mp.Queue reaches a child only by fork: the child is made with it. A
    Pool's workers are made when the Pool starts, and each task reaches them
    later, pickled into a message. A queue cannot go into a message, so 003
    says: with a Pool, use the Queue of a Manager.
    A Manager starts a server process that holds the real queue. What you
    get is a proxy: the server's address and the queue's id. A proxy pickles
    fine, and every call on it is a request to the server.]],
  zh = [[
    mp.Queue 只能靠 fork 交给子进程：子进程在创建时就带着它。
    进程池的工作进程在 Pool 启动时就创建好了，任务是后来才被 pickle 成消息
    送过去的。队列放不进消息里，所以 003 说：用进程池时，要用 Manager 的 Queue。
    Manager 会启动一个服务进程，真正的队列在它那里。你拿到的是一个代理：
    服务进程的地址加上队列的编号。代理可以 pickle，
    对它的每一次调用都是发给服务进程的一个请求。]],
}

step{ en = "003's example", zh = "003 的例子" }

function reader(q)
  print(("reader启动(%s),父进程为(%s)"):format(os.getpid(), os.getppid()))
  for _ = 1, q:qsize() do
    print("reader从Queue获取到消息：" .. q:get(true))
    time.sleep(0.01) -- (not in the notes: so the timeline shows each get)
  end
end

function writer(q)
  print(("writer启动(%s),父进程为(%s)"):format(os.getpid(), os.getppid()))
  for c in ("dongGe"):gmatch(".") do
    q:put(c)
    time.sleep(0.01) -- (not in the notes: so the timeline shows each put)
  end
end

print(("(%s) start"):format(os.getpid()))
q = mp.Manager():Queue()
po = mp.Pool()
po:apply(writer, { q })
po:apply(reader, { q })

expect{ count = { "^writer启动%(%d+%),父进程为%(%d+%)$", 1 },
        en = "a worker ran writer", zh = "一个工作进程执行了 writer" }
expect{ printed = { "reader从Queue获取到消息：d", "reader从Queue获取到消息：o", "reader从Queue获取到消息：n",
                    "reader从Queue获取到消息：g", "reader从Queue获取到消息：G", "reader从Queue获取到消息：e" },
        en = "reader got the six letters of dongGe, in order", zh = "reader 按顺序拿到了 dongGe 的六个字母" }

say{
  en = [[
    apply waits for its task, so writer finished before reader started, as
    the notes' comment says: no endless loop needed in reader. Both printed
    the same parent: the main process, which made the Pool.
    On the timeline the Manager's server is a process of its own,
    SyncManager-1. Each put and each get from a worker is an arrow to one of
    its serve_client threads, marked with the call it served (Queue.put), and
    an arrow back with the answer.]],
  zh = [[
    apply 会等它的任务做完，所以 writer 做完了 reader 才开始，
    正如笔记里的注释所说：reader 里不需要死循环。两者打印的父进程相同：
    都是创建进程池的主进程。
    在时间线上，Manager 的服务进程单独占一块：SyncManager-1。
    工作进程的每次 put 和 get 都是一支指向它的某个 serve_client 线程的箭头，
    标着它处理的调用（Queue.put），再有一支箭头把答复送回来。]],
}

step{ en = "An mp.Queue instead", zh = "换成 mp.Queue" }

local ok, e = pcall(po.apply, po, writer, { mp.Queue() })
print(tostring(e))
po:close()
po:join()
print(("(%s) End"):format(os.getpid()))

expect{ printed = { "RuntimeError: Queue objects should only be shared between processes through inheritance" },
        en = "an mp.Queue in a Pool task raises 003's RuntimeError", zh = "把 mp.Queue 放进进程池的任务，抛出 003 里的 RuntimeError" }

say{
  en = [[
    This is the error 003 quotes, word for word, as CPython 3.11 raises it:
    the task could not be pickled, so apply raised in the parent and no
    worker ever saw the queue. "Through inheritance" means through fork:
    a Process made after the queue inherits it; a Pool task does not.]],
  zh = [[
    这就是 003 引用的那条错误，一字不差，CPython 3.11 也这样抛出：
    任务没法 pickle，所以 apply 在父进程里就抛出了异常，没有哪个工作进程
    见过这个队列。"through inheritance"（通过继承）指的是通过 fork：
    在队列之后创建的 Process 会继承它；进程池的任务不会。]],
}
