lesson{
  title = { en = "A pool of two threads", zh = "两个线程的线程池" },
  source = "000 §2.4, 004 线程池",
  speed = 4,    -- 30 s of sleeps play in 7.5 s
}

say{
  en = [[
    Often you must limit how many threads run at once.
    The notes run four jobs, thread_a to thread_d, two at a time:
    start two, join both, start the next two.
    (The notes' code is Python 2: in Python 3 filter() returns an iterator,
    so it needs list(filter(...)) before len() and pop() work.)]],
  zh = [[
    很多时候需要限制同时运行的线程数。
    笔记里有四个任务 thread_a 到 thread_d，每次运行两个：
    启动两个，join 两个，再启动下两个。
    （笔记的代码是 Python 2 的：在 Python 3 里 filter() 返回迭代器，
    要写 list(filter(...)) 才能用 len() 和 pop()。）]],
}

step{ en = "Two at a time, in batches", zh = "每批两个，分批运行" }

function thread_a() time.sleep(5); print("this is function a") end
function thread_b() time.sleep(2); print("this is function b") end
function thread_c() time.sleep(3); print("this is function c") end
function thread_d() time.sleep(4); print("this is function d") end

function batches(func_list, thread_num)
  while #func_list > 0 do
    local threads = {}
    for i = 1, math.min(thread_num, #func_list) do
      threads[i] = threading.Thread{target = _G[table.remove(func_list)]}
    end
    for _, t in ipairs(threads) do t:start() end
    for _, t in ipairs(threads) do t:join() end
  end
end

beg = time.time()
batches({"thread_a", "thread_b", "thread_c", "thread_d"}, 2)
print(("batches: %.1f s"):format(time.time() - beg))

expect{ printed = { "this is function c", "this is function d", "this is function b",
                    "this is function a", "batches: 9.0 s" },
        en = "d and c first (4 s), then b and a (5 s): 9 s", zh = "先 d 和 c（4 秒），再 b 和 a（5 秒）：9 秒" }

say{
  en = [[
    pop() takes from the end: d and c first. That batch lasts 4 s, its slowest job.
    Each lane is named after its job, as Python 3.10+ names a thread: Thread-1 (thread_d).
    From 3 s to 4 s only one thread works: c is done, and the batch waits for d.
    Then b and a: 5 s more. 9 s in all. Add a fifth, short job and see.]],
  zh = [[
    pop() 从末尾取：先 d 和 c。这一批用了 4 秒，也就是其中最慢的那个。
    每条线都以它的任务命名，Python 3.10 以后就是这样给线程起名的：Thread-1 (thread_d)。
    从 3 秒到 4 秒只有一个线程在干活：c 做完了，这一批还在等 d。
    然后是 b 和 a：又是 5 秒。一共 9 秒。再加一个很短的任务试试。]],
}

step{ en = "A fifth job of one second", zh = "加一个一秒的任务" }

function thread_e() time.sleep(1); print("this is function e") end

beg = time.time()
batches({"thread_a", "thread_b", "thread_c", "thread_d", "thread_e"}, 2)
batch_time = time.time() - beg
print(("batches: %.1f s"):format(batch_time))

expect{ value = batch_time, is = 12.0, near = 0.001, en = "batches now take 12 s", zh = "分批运行现在要 12 秒" }

say{
  en = [[
    12 s for 15 s of work on two threads. Each batch waits for its slowest job.
    A real pool keeps its threads and hands each one the next job
    as soon as it is free. 004 describes it: threads made in advance, waiting for work.
    Two workers take job names from a shared list, under a lock.]],
  zh = [[
    两个线程干 15 秒的活，用了 12 秒。每一批都要等它最慢的那个任务。
    真正的线程池会留着自己的线程，谁空下来就把下一个任务交给谁。
    004 描述的正是这样：预先创建好线程，等着任务来。
    两个工作线程在锁的保护下，从一个共享的列表里取任务。]],
}

step{ en = "A pool: two workers take the next job when free", zh = "线程池：两个工作线程，谁空谁取下一个任务" }

jobs = {"thread_a", "thread_b", "thread_c", "thread_d", "thread_e"}
jobs_lock = threading.Lock()

function worker()
  while true do
    jobs_lock:acquire()
    local name = table.remove(jobs)    -- the next job, or nil when none is left
    jobs_lock:release()
    if not name then return end
    lab.mark(name)                     -- the lane says which job it runs
    _G[name]()
  end
end

beg = time.time()
pool = { threading.Thread{target = worker, name = "worker-1"},
         threading.Thread{target = worker, name = "worker-2"} }
for _, t in ipairs(pool) do t:start() end
for _, t in ipairs(pool) do t:join() end
pool_time = time.time() - beg
print(("pool: %.1f s"):format(pool_time))

expect{ value = pool_time, is = 9.0, near = 0.001, en = "the pool needs 9 s", zh = "线程池只要 9 秒" }

say{
  en = [[
    9 s instead of 12, with the same two threads. No thread idles while work is left.
    The marks on the two lanes say which job each worker took, and when.
    Python has this built in: concurrent.futures.ThreadPoolExecutor(max_workers=2).
    queue.Queue is the usual way to hand out the jobs: lesson 20.]],
  zh = [[
    同样两个线程，9 秒而不是 12 秒。只要还有任务，就没有线程闲着。
    两条线上的标记说明了每个工作线程在什么时候接了哪个任务。
    Python 自带这样的线程池：concurrent.futures.ThreadPoolExecutor(max_workers=2)。
    分发任务通常用 queue.Queue：见第 20 课。]],
}
