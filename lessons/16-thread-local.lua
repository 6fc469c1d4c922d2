lesson{
  title = { en = "ThreadLocal: a global with one value per thread", zh = "ThreadLocal：每个线程一份的全局变量" },
  source = "002 §6.15, 002 §12.4, 003 ThreadLocal",
}

say{
  en = [[
    Each thread here serves one student. Many functions need that student.
    A local variable belongs to one thread and needs no lock. Good.
    But then every function must pass it on to the next. 003 shows three ways.
    First: pass it as an argument, everywhere.]],
  zh = [[
    这里每个线程服务一个学生，很多函数都要用到这个学生。
    局部变量只属于一个线程，不用加锁。这很好。
    可这样一来，每个函数都得把它传给下一个。003 给出了三种做法。
    第一种：到处作为参数传递。]],
}

step{ en = "Way 1: pass it along", zh = "做法一：层层传参" }

function do_subtask(std) print(("Hello, %s (in %s)"):format(std, threading.current_thread().name)) end
function do_task(std) do_subtask(std) end

function process_student(name)
  local std = name          -- std is local, so every function needs it passed in
  do_task(std)
end

t1 = threading.Thread{target = process_student, args = {"Alice"}, name = "Thread-A"}
t2 = threading.Thread{target = process_student, args = {"Bob"}, name = "Thread-B"}
t1:start(); t2:start(); t1:join(); t2:join()

expect{ printed = { "Hello, Alice (in Thread-A)" }, en = "Thread-A greets Alice", zh = "Thread-A 问候 Alice" }
expect{ printed = { "Hello, Bob (in Thread-B)" }, en = "Thread-B greets Bob", zh = "Thread-B 问候 Bob" }

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
expect{ printed = { "Hello, Bob (in Thread-B)" }, en = "still Bob in Thread-B", zh = "Thread-B 里还是 Bob" }

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

expect{ printed = { "Hello, Alice (in Thread-A)" }, en = "Thread-A sees Alice", zh = "Thread-A 看到的是 Alice" }
expect{ printed = { "Hello, Bob (in Thread-B)" }, en = "Thread-B sees Bob", zh = "Thread-B 看到的是 Bob" }
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
