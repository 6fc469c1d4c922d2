lesson{
  title = { en = "Two forks make four processes", zh = "多次 fork 问题" },
  source = "003 多次fork问题",
}

say{
  en = [[
    The note asks: a program calls fork twice; are there three processes?
    The first fork makes two processes. Both go on to the second fork,
    and each of them forks again: four processes.
    Each prints one line after each fork: haha1 or haha2, then haha3 or haha4.]],
  zh = [[
    笔记问：一个程序里调用两次 fork，会有 3 个进程吗？
    第一次 fork 得到两个进程。两个都会执行到第二次 fork，
    各自再 fork 一次：一共四个进程。
    每次 fork 之后每个进程打印一行：哈哈1 或 哈哈2，然后 哈哈3 或 哈哈4。]],
}

step{ en = "fork, print, fork, print", zh = "fork，打印，fork，打印" }

first = os.fork()
if first == 0 then print("haha1") else os.waitpid(first, 0); print("haha2") end
second = os.fork()
if second == 0 then print("haha3 from " .. (first == 0 and "the first child" or "the parent"))
else os.waitpid(second, 0); print("haha4 from " .. (first == 0 and "the first child" or "the parent")) end
if first == 0 or second == 0 then os._exit(0) end

expect{ count = { "^haha1$", 1 }, en = "haha1 once (the first child)", zh = "哈哈1 一次（第一个子进程）" }
expect{ count = { "^haha2$", 1 }, en = "haha2 once (the parent)", zh = "哈哈2 一次（父进程）" }
expect{ count = { "^haha3", 2 }, en = "haha3 twice: two processes forked a second time", zh = "哈哈3 两次：两个进程各 fork 了一次" }
expect{ count = { "^haha4", 2 }, en = "haha4 twice", zh = "哈哈4 两次" }

say{
  en = [[
    Six lines from four processes: the parent, its two children, and one grandchild.
    Each waited here for its own child before printing, so the order is fixed;
    the note's version sleeps instead, and its order changes from run to run.
    The timeline shows four process headers, and the fork arrows make a tree.
    n forks in a row make 2^n processes: keep that in mind for lesson 36.]],
  zh = [[
    四个进程打印了六行：父进程、它的两个子进程，还有一个孙进程。
    这里每个进程都先等自己的子进程再打印，所以顺序是固定的；
    笔记的版本用 sleep，顺序每次运行都可能不同。
    时间线上有四个进程标题，fork 箭头连成一棵树。
    连续 n 次 fork 得到 2^n 个进程：第 36 课会用到这一点。]],
}
