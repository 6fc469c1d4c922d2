lesson{
  title = { en = "Daemon processes", zh = "守护进程" },
  source = "004 守护进程 vs 守护线程",
}

say{
  en = [[
    A daemon process (daemon = true) is ended when the main process's code ends:
    multiprocessing terminates it then, and joins the children that are not daemons.
    Compare daemon threads (lesson 05): they die when the whole process ends,
    after its non-daemon threads. A daemon process may not start children of its own.]],
  zh = [[
    守护进程（daemon = true）在主进程的代码结束时被结束：
    multiprocessing 这时 terminate 它，然后 join 所有非守护的子进程。
    对比守护线程（第 05 课）：它们在整个进程结束时才死，在非守护线程都结束之后。
    守护进程不允许再创建自己的子进程。]],
}

step{ en = "A program with a daemon and a worker, run on its own", zh = "单独运行一个有守护进程和普通进程的程序" }

-- The program runs as a threadlab of its own, so its end is visible here.
program = [[
local d = mp.Process{ daemon = true, target = function()
  for i = 1, 100 do print("daemon tick " .. i); time.sleep(0.1) end end }
local w = mp.Process{ target = function() time.sleep(0.45); print("worker done") end }
d:start(); w:start()
time.sleep(0.25)
print("main code ends")
]]
f = io.popen(sys.executable .. " --headless -e '" .. program .. "' 2>&1")
out = f:read("a")
f:close()
for line in out:gmatch("[^\n]+") do print(line) end
ticks = select(2, out:gsub("daemon tick", ""))
print(("the daemon ticked %d times, then was terminated"):format(ticks))

expect{ ok = not not (out:find("main code ends\n", 1, true) and out:find("worker done", 1, true) and
                     not out:find("daemon tick 5", 1, true)),
        en = "the daemon stopped when the main code ended; the worker was waited for",
        zh = "主代码结束时守护进程停了；普通子进程被等到结束" }

step{ en = "A daemon process may not have children", zh = "守护进程不能有子进程" }

d = mp.Process{ daemon = true, target = function()
  local ok, e = pcall(function() mp.Process{ target = print }:start() end)
  print("in the daemon: " .. tostring(e))
end }
d:start(); d:join()
keeper = mp.Process{ daemon = true, target = function() time.sleep(100) end }
keeper:start()

expect{ printed = { "in the daemon: AssertionError: daemonic processes are not allowed to have children" },
        en = "CPython's AssertionError", zh = "和 CPython 一样的 AssertionError" }

say{
  en = [[
    One more daemon is sleeping now. When this lesson's code ends, it is terminated:
    watch the end of the timeline for the red cross on its lane.]],
  zh = [[
    现在还有一个守护进程在睡。本课代码结束时它会被 terminate：
    看时间线末尾，它那条线上的红叉。]],
}
