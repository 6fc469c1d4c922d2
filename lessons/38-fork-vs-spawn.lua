lesson{
  title = { en = "fork vs spawn, and if __name__ == \"__main__\"",
            zh = "fork 与 spawn，以及 if __name__ == \"__main__\"" },
  source = "003 multiprocessing",
}

say{
  en = [[
    Note 003 asks: Windows has no fork, so how can Python start processes there?
    Its answer is multiprocessing, "the cross-platform multiprocessing module", and
    every example of it puts the main code under if __name__ == '__main__':.
    The note never says why. The reason is the start method. With fork (the default
    on Linux, and threadlab's) the child is a copy of the parent: it goes on from
    start() and runs only its target. With spawn (the only method on Windows, and
    macOS's default since Python 3.8) the child is a fresh interpreter: it runs the
    main script again from the top, with __name__ set to "__mp_main__", not
    "__main__", and then calls the target it finds there by name.
    Whatever the script does outside the guard, every spawned child does again.]],
  zh = [[
    笔记 003 问：Windows 没有 fork，Python 在 Windows 上怎么创建进程？
    它的回答是 multiprocessing，“跨平台版本的多进程模块”；它的每个例子都把主程序放在
    if __name__ == '__main__': 下面。笔记没有说为什么。原因在于启动方式。
    用 fork（Linux 上的默认方式，也是 threadlab 的默认）时，子进程是父进程的拷贝：
    它从 start() 处接着走，只运行它的 target。用 spawn（Windows 上唯一的方式，
    Python 3.8 起也是 macOS 的默认）时，子进程是一个全新的解释器：它从头再运行一遍
    主脚本，这时 __name__ 是 "__mp_main__" 而不是 "__main__"，然后按名字找到 target 并调用。
    脚本里写在保护之外的代码，每个 spawn 出来的子进程都会再做一遍。]],
}

step{ en = "fork: the child is a copy and runs only its target",
      zh = "fork：子进程是拷贝，只运行它的 target" }

-- Outside the guard: every process that runs this file from the top prints it.
print("top of the file, __name__ = " .. __name__)

function run_proc(name)
  time.sleep(0.004) -- a moment of work, so its row shows on the timeline
  print(("%s runs run_proc(%s), __name__ = %s"):format(mp.current_process().name, name, __name__))
end

if __name__ == "__main__" then
  print("main code: start a child by fork")
  p = mp.Process{ target = run_proc, args = { "fork" } }
  p:start(); p:join()
end

expect{ printed = { "top of the file, __name__ = __main__", "main code: start a child by fork",
                    "Process-1 runs run_proc(fork), __name__ = __main__" },
        en = "the forked child ran only run_proc, and its __name__ is the parent's copy",
        zh = "fork 出来的子进程只运行了 run_proc，它的 __name__ 是父进程的拷贝" }
expect{ count = { "^top of the file", 1 },
        en = "the top of the file ran once: in the lesson, not again in the child",
        zh = "文件顶部只运行了一次：在本课里，子进程没有再运行" }

step{ en = "spawn: every child runs the file again, as __mp_main__",
      zh = "spawn：每个子进程都把文件再运行一遍，__name__ 是 __mp_main__" }

if __name__ == "__main__" then
  -- force (Python: force=True): starting Process-1 fixed the method, fork
  mp.set_start_method("spawn", true)
  print("main code: start two children by spawn")
  for i = 1, 2 do
    local c = mp.Process{ target = run_proc, args = { "spawn " .. i } }
    c:start(); c:join()
  end
end

expect{ count = { "^top of the file, __name__ = __mp_main__$", 2 },
        en = "the unguarded print ran again in each of the two spawned children",
        zh = "没有保护的 print 在两个 spawn 出来的子进程里各又运行了一次" }
expect{ count = { "^main code", 1 },
        en = "the guarded main code ran once, in the lesson only",
        zh = "受保护的主程序只运行了一次，只在本课里" }
expect{ printed = { "Process-2 runs run_proc(spawn 1), __name__ = __mp_main__",
                    "Process-3 runs run_proc(spawn 2), __name__ = __mp_main__" },
        en = "each child then found run_proc by name and called it",
        zh = "然后每个子进程按名字找到 run_proc 并调用了它" }

say{
  en = [[
    On the timeline each spawned child prints "top of the file" first: that is
    the file running again in it. The guarded lines ("main code: ...") did not.
    Had start() been outside the guard, each child would have reached it too.]],
  zh = [[
    在时间线上，每个 spawn 出来的子进程先打印 "top of the file"：那是文件在它里面
    又运行了一遍。受保护的那几行（"main code: ..."）没有再运行。
    要是 start() 写在保护之外，每个子进程也都会走到它。]],
}

step{ en = "Without the guard: a child that starts a child while loading",
      zh = "没有保护：子进程在加载时又去启动子进程" }

-- A program of its own, in a threadlab of its own (guarded here, or every
-- spawned child of this lesson would run it again): start() outside the guard.
unguarded = [[
function f() print("f ran") end
if __name__ == "__main__" then mp.set_start_method("spawn") end
p = mp.Process{ target = f }
p:start(); p:join()
print(__name__ .. ": exitcode " .. p.exitcode)
]]
if __name__ == "__main__" then
  local path = os.tmpname()
  local fh = io.open(path, "w"); fh:write(unguarded); fh:close()
  local f = io.popen(sys.executable .. " --headless " .. path .. " 2>&1; echo status $?")
  local out = f:read("a"); f:close()
  os.remove(path)
  for line in out:gmatch("[^\n]+") do
    line = line:gsub("^%s+", ""):gsub("%s+$", "")
    if line:find("^RuntimeError") or line:find("bootstrapping phase") or line:find("exitcode")
       or line:find("^status") or line:find("new process before") then
      print(line)
    end
  end
end

expect{ printed = { "RuntimeError:", "An attempt has been made to start a new process before the",
                    "current process has finished its bootstrapping phase.",
                    "__main__: exitcode 1", "status 0" },
        en = "the child refused to start a process while running the file again, and ended with 1",
        zh = "子进程在再次运行文件时拒绝启动进程，以 1 结束" }

say{
  en = [[
    These are CPython's words (its idiom written here in Lua). Without the refusal
    each child would spawn a child that spawns a child ... The parent itself went
    on: only the child failed.]],
  zh = [[
    这是 CPython 的原话（其中的惯用写法这里换成了 Lua）。要是不拒绝，每个子进程都会
    spawn 一个子进程，它又 spawn 一个……父进程自己照常继续：失败的只是子进程。]],
}

step{ en = "The target must be found by name in the fresh child",
      zh = "target 必须能在全新的子进程里按名字找到" }

if __name__ == "__main__" then
  -- defined only in the main code: a spawned child never defines it
  function only_in_main() print("never printed") end
  q = mp.Process{ target = only_in_main }
  q:start(); q:join()
  print("only_in_main: exitcode " .. q.exitcode)
end

expect{ printed = { "only_in_main: exitcode 1" }, not_printed = { "never printed" },
        en = "the child could not find only_in_main: AttributeError, exitcode 1",
        zh = "子进程找不到 only_in_main：AttributeError，exitcode 为 1" }

say{
  en = [[
    The child's traceback (on stderr) reads as CPython's:
    AttributeError: Can't get attribute 'only_in_main' on <module '__mp_main__' ...>.
    A spawned child gets its target by name, so it must be a global of the file
    defined outside the guard; its arguments are pickled. Under fork none of this
    matters: the child has a copy of everything. Hence the notes' rule, good under
    any start method: define functions at the top level, start processes only
    under if __name__ == "__main__" (in threadlab: if __name__ == "__main__" then ... end).]],
  zh = [[
    子进程的 traceback（在 stderr 上）和 CPython 的一样：
    AttributeError: Can't get attribute 'only_in_main' on <module '__mp_main__' ...>。
    spawn 出来的子进程按名字取得 target，所以它必须是文件里、保护之外定义的全局函数；
    参数则经过 pickle。用 fork 时这些都无所谓：子进程拿到的是一切的拷贝。
    所以笔记的规矩在任何启动方式下都对：函数定义在顶层，只在
    if __name__ == "__main__" 下启动进程（threadlab 里写作 if __name__ == "__main__" then ... end）。]],
}
