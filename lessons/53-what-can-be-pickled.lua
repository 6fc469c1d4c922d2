lesson{
  title = { en = "What can cross between processes: pickling",
            zh = "什么能在进程之间传递：pickle" },
  source = "002 §13.6",
}

say{
  en = [[
    A Queue, a Pipe or a Pool copies each value into bytes in one process and
    back into a value in the other: pickling. Data crosses: numbers (an integer
    stays an integer, 2.0 stays a float), strings, tables, even tables that
    share parts or contain themselves.
    A function crosses only by its global name: the other process looks the name
    up in its own copy of the program. A local or anonymous function has no
    such name; a lock or a file is a live thing of this process.]],
  zh = [[
    Queue、Pipe、Pool 都是在一个进程里把值变成字节，在另一个进程里再变回值：
    这就是 pickle（序列化）。数据可以传：数字（整数还是整数，2.0 还是浮点数）、
    字符串、表，连共享部分或者包含自己的表都可以。
    函数只能按它的全局名字传：另一个进程在自己那份程序里按名字找到它。
    局部函数和匿名函数没有这样的名字；锁和文件是这个进程里活的东西。]],
}

step{ en = "Data crosses, cycles and all", zh = "数据能传，连环形引用也行" }

t = { 1, 2.0, "bytes\0too" }
t.me = t
u = pickle.loads(pickle.dumps(t))
print(math.type(u[1]), math.type(u[2]), #u[3], u.me == u)

expect{ printed = { "integer float 9 true" },
        en = "integer and float kept apart, a binary string whole, the cycle kept",
        zh = "整数和浮点数分开保留，二进制字符串完整，环形引用也保留了" }

step{ en = "Functions: by global name only", zh = "函数：只能按全局名字" }

function double(x) return 2 * x end
print(pickle.loads(pickle.dumps(double)) == double)
local ok, e = pcall(pickle.dumps, { args = { 1, { cb = function() end } } })
print(e.type)
print(tostring(e):match("at (%S+)"))
local ok2, e2 = pcall(pickle.dumps, { lock = mp.Lock() })
print(e2.type)

expect{ printed = { "true", "PicklingError", "obj.args[2].cb", "PicklingError" },
        en = "a global function crosses by name; an anonymous one and a lock raise PicklingError naming the path",
        zh = "全局函数按名字传过去；匿名函数和锁抛出 PicklingError，并指出它在哪里" }

say{
  en = [[
    The error names the path to the culprit: obj.args[2].cb. CPython's errors
    differ by case: PicklingError for a lambda, AttributeError ("Can't pickle
    local object") for a nested function, TypeError ("cannot pickle
    '_thread.lock' object") for a lock. threadlab says PicklingError each time,
    with the path, so you can find the value.]],
  zh = [[
    错误信息指出了出问题的值在哪里：obj.args[2].cb。CPython 的异常分情况不同：
    lambda 是 PicklingError，嵌套函数是 AttributeError（"Can't pickle local object"），
    锁是 TypeError（"cannot pickle '_thread.lock' object"）。
    threadlab 一律报 PicklingError，并给出路径，方便你找到那个值。]],
}

step{ en = "The lost item of a Queue", zh = "Queue 里丢掉的那一项" }

q = mp.Queue()
q:put(function() end)
print("put returned")
q:put("next")
print("got " .. q:get())
local ok3 = pcall(q.get, q, true, 0.5)
print("anything else: " .. tostring(ok3))

expect{ printed = { "put returned", "got next", "anything else: false" },
        en = "put returned, the bad item never arrived, the next one did",
        zh = "put 返回了，坏的那一项没有到，下一项到了" }

say{
  en = [[
    The surprise: put did not raise. A Queue's put hands the item to the queue's
    feeder thread, which pickles it later; the feeder printed the traceback and
    the item was lost. CPython does exactly this. A Pipe's send pickles at once,
    so there the error is raised in the sender.]],
  zh = [[
    意外之处：put 没有抛出异常。Queue 的 put 把这一项交给队列的 feeder 线程，
    由它稍后 pickle；feeder 打印了异常，这一项就丢了。CPython 也正是这样。
    Pipe 的 send 当场就 pickle，所以在那里异常是在发送方抛出的。]],
}
