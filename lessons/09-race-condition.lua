lesson{
  title = { en = "A race on a shared counter", zh = "共享计数器上的竞争" },
  source = "003 同步的概念",
}

say{
  en = [[
    Two threads each add 1 to a global a million times. The answer should be 2,000,000.
    But g = g + 1 is three moves: read g, add 1, write g.
    If a thread is switched out between the read and the write,
    the other thread's updates in between are lost when it writes its old value back.
    First we switch threads the way Python 3.9 and older could: at any bytecode.]],
  zh = [[
    两个线程各把全局变量加 1，各加一百万次。结果应该是 2,000,000。
    可是 g = g + 1 其实是三步：读 g，加 1，写回 g。
    如果一个线程在“读”和“写”之间被切走，
    另一个线程这期间做的加法，会在它写回旧值时被覆盖掉。
    先按 Python 3.9 及更早的方式切换线程：任何一条字节码之后都可能切换。]],
}

step{ en = "The notes' program, switched at any instruction", zh = "笔记里的程序：任意指令处都可能切换" }

lab.gil{switch_points = "instruction"}   -- like CPython up to 3.9

g_num = 0

function test1()
  for i = 1, 1000000 do
    g_num = g_num + 1
  end
  print("---test1---g_num=" .. g_num)
end

function test2()
  for i = 1, 1000000 do
    g_num = g_num + 1
  end
  print("---test2---g_num=" .. g_num)
end

p1 = threading.Thread{target = test1}
p1:start()
p2 = threading.Thread{target = test2}
p2:start()
print("---g_num=" .. g_num .. "---")
p1:join(); p2:join()
print("final:", g_num)

expect{ value = g_num, max = 1999999, en = "updates were lost: less than 2,000,000", zh = "有更新丢了：结果少于 2,000,000" }

say{
  en = [[
    Updates were lost. Note too the line "---g_num=...---":
    the main thread printed it at once, long before the threads were done.
    The notes' program has no join(), so it prints a number from the middle of the race.]],
  zh = [[
    更新丢了。还要注意 "---g_num=...---" 这一行：
    主线程马上就打印了，那时两个线程还远没有做完。
    笔记里的程序没有 join()，所以打印的是竞争进行到一半时的数字。]],
}

step{ en = "The same program, switched only between statements", zh = "同一个程序：只在语句之间切换" }

lab.gil{switch_points = "statement"}     -- like CPython 3.10 and newer

g_num = 0
p1 = threading.Thread{target = test1}
p2 = threading.Thread{target = test2}
p1:start(); p2:start()
p1:join(); p2:join()
print("final:", g_num)

expect{ value = g_num, is = 2000000, en = "nothing lost: exactly 2,000,000", zh = "一个也没丢：正好 2,000,000" }

say{
  en = [[
    Now nothing is lost. This is what you see with CPython 3.10 and newer:
    the interpreter only lets go of the GIL at certain points,
    such as the jump back to the top of a loop or a call,
    never between the read and the write of g_num += 1.
    So on a new Python the notes' example prints 2000000 every time.
    That does not make the code safe. Let us ask many runs, not one.]],
  zh = [[
    这次一个也没丢。CPython 3.10 及以后就是这样：
    解释器只在某些位置才会让出 GIL，比如循环跳回开头、函数调用，
    不会落在 g_num += 1 的读和写之间。
    所以在新版 Python 上，笔记里的例子每次都打印 2000000。
    但这并不说明代码是安全的。我们多跑几次看看，不只跑一次。]],
}

step{ en = "Many runs, many seeds: lab.explore", zh = "多跑几次，换不同的种子：lab.explore" }

function race()
  g_num = 0
  local function add() for i = 1, 20000 do g_num = g_num + 1 end end
  -- named, so every run draws on the same two rows of the timeline
  local a = threading.Thread{target = add, name = "explore A"}
  local b = threading.Thread{target = add, name = "explore B"}
  a:start(); b:start(); a:join(); b:join()
  return g_num
end

lab.gil{switch_points = "instruction"}
by_instruction = lab.explore(race, {runs = 6})
lab.print_outcomes(by_instruction)
lab.gil{switch_points = "statement"}
by_statement = lab.explore(race, {runs = 6})
lab.print_outcomes(by_statement)

expect{ value = #by_instruction, min = 2, en = "switching at instructions: several different answers",
        zh = "按指令切换：出现好几种不同的结果" }
expect{ value = #by_statement, is = 1, en = "switching between statements: one answer, 40000",
        zh = "按语句切换：只有一种结果，40000" }

say{
  en = [[
    lab.explore runs the same function under 6 seeds and groups the answers.
    Each seed is one possible order of the threads, and it replays exactly.
    Now the real lesson: spread the update over a few statements, as real code does.
    A read here, a call to some function, a write there.
    CPython 3.10+ may switch at the call; threadlab at any statement.
    Either way a switch can fall between the read and the write.]],
  zh = [[
    lab.explore 用 6 个种子把同一个函数各跑一次，把结果归类。
    每个种子代表线程的一种执行顺序，而且可以原样重放。
    真正要学的在这里：把这次更新分成几条语句，真实的代码就是这样：
    这里读，调用一个函数，那里写。
    CPython 3.10 以后可能在函数调用处切换；threadlab 在任何语句之间都可能切换。
    不管哪种，切换都可能落在读和写之间。]],
}

step{ en = "Read, call, write", zh = "读，调用，写" }

lab.gil{switch_points = "statement"}
g_num = 0
lab.watch("g_num")       -- record every read and write of g_num; flag a write from a stale read

function bump(v) return v + 1 end

function add_in_steps()
  for i = 1, 100000 do
    local v = g_num      -- read
    v = bump(v)          -- some work: a call
    g_num = v            -- write: a switch may have come in between
  end
end

p1 = threading.Thread{target = add_in_steps}
p2 = threading.Thread{target = add_in_steps}
p1:start(); p2:start()
p1:join(); p2:join()
lab.unwatch("g_num")
print("final:", g_num, "lost updates caught:", lab.count("lost-update"))

expect{ value = g_num, max = 199999, en = "lost again, even between statements",
        zh = "即使只在语句之间切换，还是丢了" }
expect{ value = lab.count("lost-update"), min = 1,
        en = "lab.watch caught a thread writing g_num from a stale read",
        zh = "lab.watch 当场抓到了一个线程拿着过时的读数写 g_num" }

say{
  en = [[
    Lost again. lab.watch names the culprit: a thread read g_num, the other thread wrote it,
    and then the first wrote its stale value + 1 over it. It prints the first such write
    and counts them all: lab.count("lost-update").
    The GIL makes each small step atomic, not your read-modify-write.
    A shared value that threads change needs a lock. That is the next lesson.]],
  zh = [[
    又丢了。lab.watch 指出了是谁：一个线程读了 g_num，另一个线程写了它，
    第一个线程随后又把自己过时的值加 1 写了回去，把别人的结果盖掉了。
    它打印出第一次这样的写，并把所有这样的写都数了下来：lab.count("lost-update")。
    GIL 只保证每一小步是原子的，保证不了你的“读-改-写”。
    线程要修改的共享数据，需要加锁。这就是下一课。]],
}
