lesson{
  title = { en = "ThreadLocal: a global with one value per thread", zh = "ThreadLocal：每个线程一份的全局变量" },
  source = "002 §6.15, 002 §12.4, 003 ThreadLocal",
}

say{
  en = [[
    Each thread here serves one student, and many functions need that student.
    The easy way is a global: set it at the start, read it anywhere.
    But a global is one value for the whole process, shared by every thread.
    Serving a student takes a moment (a sleep here); watch what happens meanwhile.]],
  zh = [[
    这里每个线程服务一个学生，很多函数都要用到这个学生。
    最省事的办法是用全局变量：开头设好，哪里都能读。
    可全局变量在整个进程里只有一份，所有线程共用。
    服务一个学生要花点时间（这里用 sleep 表示）；看看这期间会发生什么。]],
}

step{ en = "A plain global: one value for every thread", zh = "普通的全局变量：所有线程共用一个值" }

student = nil

function process_student()
  time.sleep(0.1)                        -- serving takes a moment
  print(("Hello, %s (in %s)"):format(student, threading.current_thread().name))
end

function process_thread(name)
  student = name                         -- the one global: the last writer wins
  process_student()
end

t1 = threading.Thread{target = process_thread, args = {"Alice"}, name = "Thread-A"}
t2 = threading.Thread{target = process_thread, args = {"Bob"}, name = "Thread-B"}
t1:start(); t2:start(); t1:join(); t2:join()

expect{ printed = { "Hello, Bob (in Thread-A)" }, en = "Thread-A greets Bob: its student was overwritten",
        zh = "Thread-A 问候的是 Bob：它的学生被覆盖了" }

say{
  en = [[
    Thread-A set Alice, then Thread-B set Bob in the same global while A was busy,
    and A greeted Bob. A local variable belongs to one thread and cannot be overwritten so.
    But then every function must pass it on to the next. 003 shows three ways to do better.
    First: pass it as an argument, everywhere.]],
  zh = [[
    Thread-A 设了 Alice，趁 A 还在忙，Thread-B 往同一个全局变量里写了 Bob，
    于是 A 问候了 Bob。局部变量只属于一个线程，不会这样被覆盖。
    可这样一来，每个函数都得把它传给下一个。003 给出了三种更好的做法。
    第一种：到处作为参数传递。]],
}

step{ en = "Way 1: pass it along", zh = "做法一：层层传参" }

function do_subtask(std)
  time.sleep(0.1)
  print(("Hello, %s (in %s)"):format(std, threading.current_thread().name))
end
function do_task(std) do_subtask(std) end

function process_student(name)
  local std = name          -- std is local, so every function needs it passed in
  do_task(std)
end

t1 = threading.Thread{target = process_student, args = {"Alice"}, name = "Thread-A"}
t2 = threading.Thread{target = process_student, args = {"Bob"}, name = "Thread-B"}
t1:start(); t2:start(); t1:join(); t2:join()

expect{ printed = { "Hello, Alice (in Thread-A)" }, en = "Thread-A greets Alice again", zh = "Thread-A 又问候 Alice 了" }
expect{ not_printed = { "Hello, Bob (in Thread-A)" }, en = "and not Bob", zh = "而不是 Bob" }

say{
  en = [[
    It works, but every function in the chain carries std only to pass it on.
    Second way: a global table, keyed by the current thread.]],
  zh = [[
    能用，但链条上的每个函数都带着 std，只是为了往下传。
    第二种做法：一张全局的表，用当前线程做键。]],
}

step{ en = "Way 2: a global dict keyed by the thread", zh = "做法二：以线程为键的全局字典" }

global_dict = {}

function do_subtask()
  time.sleep(0.1)
  local std = global_dict[threading.current_thread()]   -- look up our own student
  print(("Hello, %s (in %s)"):format(std, threading.current_thread().name))
end
function do_task() do_subtask() end

function std_thread(name)
  global_dict[threading.current_thread()] = name
  do_task()
end

t1 = threading.Thread{target = std_thread, args = {"Alice"}, name = "Thread-A"}
t2 = threading.Thread{target = std_thread, args = {"Bob"}, name = "Thread-B"}
t1:start(); t2:start(); t1:join(); t2:join()

expect{ printed = { "Hello, Alice (in Thread-A)" }, en = "still Alice in Thread-A", zh = "Thread-A 里还是 Alice" }
expect{ not_printed = { "Hello, Bob (in Thread-A)" }, en = "and never Bob", zh = "从来不是 Bob" }

say{
  en = [[
    No more passing. But the table is shared by every thread, it grows forever
    unless you clean it up, and every lookup spells out current_thread().
    ThreadLocal does this bookkeeping for you: threading.local() in Python,
    threading.local_() in threadlab (local is a Lua keyword).
    Every thread that reads or writes local_school.student sees its own copy.]],
  zh = [[
    不用再传参了。可这张表被所有线程共享，不清理就会一直变大，
    而且每次查找都要写 current_thread()。
    ThreadLocal 替你做了这些：Python 里是 threading.local()，
    threadlab 里是 threading.local_()（local 是 Lua 的关键字）。
    每个线程读写 local_school.student，看到的都是自己的那一份。]],
}

step{ en = "Way 3: threading.local", zh = "做法三：threading.local" }

local_school = threading.local_()

function process_student()
  time.sleep(0.1)
  local std = local_school.student       -- this thread's student
  print(("Hello, %s (in %s)"):format(std, threading.current_thread().name))
end

function process_thread(name)
  local_school.student = name            -- bind this thread's student
  process_student()
end

t1 = threading.Thread{target = process_thread, args = {"Alice"}, name = "Thread-A"}
t2 = threading.Thread{target = process_thread, args = {"Bob"}, name = "Thread-B"}
t1:start(); t2:start(); t1:join(); t2:join()
ok, student = pcall(function() return local_school.student end)   -- Python: AttributeError
main_has_one = ok and student ~= nil
print("the main thread has a student:", main_has_one)

expect{ printed = { "Hello, Alice (in Thread-A)" }, en = "Thread-A sees Alice, though one global name is used",
        zh = "虽然用的是同一个全局名字，Thread-A 看到的是 Alice" }
expect{ not_printed = { "Hello, Bob (in Thread-A)" }, en = "Bob's thread did not overwrite it", zh = "Bob 的线程没有覆盖它" }
expect{ ok = not main_has_one, en = "the main thread never set one, so it has none",
        zh = "主线程从没设置过，所以它没有" }

say{
  en = [[
    One global name, one value per thread. The main thread never set student,
    so for it there is none (Python raises AttributeError).
    Typical uses: one database connection, one HTTP request, one user per thread.
    002 §12.4 adds: if you subclass Thread, the object's own fields do the same job.]],
  zh = [[
    一个全局名字，每个线程一个值。主线程从没设置过 student，
    所以它那里没有（Python 会抛出 AttributeError）。
    常见用法：每个线程一个数据库连接、一个 HTTP 请求、一个用户身份。
    002 §12.4 补充：如果你派生了 Thread，对象自己的属性也能起同样的作用。]],
}
