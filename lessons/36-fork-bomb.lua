lesson{
  title = { en = "The fork bomb, contained", zh = "fork 炸弹（被拦住的）" },
  source = "004 fork炸弹",
}

-- The real clock: the bomb is contained by a signal to the top process,
-- which ends the run as soon as it can, at whatever moment that is.
lab.clock{ clock = "real" }

say{
  en = [[
    Note 004's fork bomb: while True: os.fork(). Every process forks, and every
    child forks too: 1, 2, 4, 8 ... processes, until the machine has no room left.
    "The program will crash", says the note; in truth the whole machine may.
    threadlab caps a run: --max-procs (64 by default) processes live or unreaped.
    A fork past the cap raises BlockingIOError, as fork's EAGAIN does in Python.
    A run that keeps hitting the cap (100 refusals) is a fork bomb: threadlab kills
    and reaps all of it and exits with status 1. CPython would not stop it.]],
  zh = [[
    笔记 004 的 fork 炸弹：while True: os.fork()。每个进程都在 fork，每个子进程也在
    fork：1、2、4、8……个进程，直到机器再也没有余地。
    笔记说“最后程序会崩”；其实可能整台机器都会崩。
    threadlab 给一次运行设了上限：--max-procs（默认 64）个活着或未回收的进程。
    超过上限的 fork 抛出 BlockingIOError，就像 Python 里 fork 遇到 EAGAIN 一样。
    一直撞上限（拒绝 100 次）的运行就是 fork 炸弹：threadlab 把它全部杀掉并回收，
    以状态 1 退出。CPython 不会拦住它。]],
}

step{ en = "The cap: a fork past it raises BlockingIOError", zh = "上限：超过它的 fork 抛出 BlockingIOError" }

-- Run on their own, so that the bomb ends only its own run.
cap_program = [[
local kids = {}
for i = 1, 4 do
  local ok, e = pcall(os.fork)
  if ok and e == 0 then time.sleep(0.3); os._exit(0) end
  if ok then kids[#kids + 1] = e else print(e.type .. " at fork " .. i) end
end
for _, k in ipairs(kids) do os.waitpid(k, 0) end
]]
f = io.popen(sys.executable .. " --headless --max-procs 3 -e '" .. cap_program .. "' 2>&1; echo status $?")
out = f:read("a"); f:close()
for line in out:gmatch("[^\n]+") do print(line) end

expect{ printed = { "BlockingIOError at fork 4", "status 0" },
        en = "with --max-procs 3 the fourth fork is refused, and the program goes on",
        zh = "--max-procs 3 时第四次 fork 被拒绝，程序照常继续" }

step{ en = "The bomb in a child, contained", zh = "子进程里的炸弹，被拦住" }

bomb = [[
local pid = os.fork()
if pid == 0 then while true do os.fork() end end
os.waitpid(pid, 0)
]]
t0 = time.time()
f = io.popen(sys.executable .. " --headless -e '" .. bomb .. "' 2>&1; echo status $?")
out = f:read("a"); f:close()
-- (the bomb's own processes printed their tracebacks: the last lines tell)
print(("%d tracebacks of refused forks, then:"):format(select(2, out:gsub("BlockingIOError: ", ""))))
for line in out:gmatch("[^\n]+") do
  if line:find("^fork bomb") or line:find("^status") then print(line) end
end
print(("contained in under 10 s: %s"):format(tostring(time.time() - t0 < 10)))

expect{ printed = { "fork bomb contained: 64 processes at the cap of 64", "status 1",
                    "contained in under 10 s: true" },
        en = "the bomb ended whole, with status 1", zh = "炸弹被整个结束，退出状态为 1" }

say{
  en = [[
    Each process of the bomb died of its first refused fork (an uncaught
    BlockingIOError), but the others kept forking until the cap was hit a hundred
    times. Then the top process killed every one, reaped them, and said so.
    In a terminal, never run the bare bomb outside such a cage.]],
  zh = [[
    炸弹里的每个进程都死于第一次被拒绝的 fork（没有捕获的 BlockingIOError），
    但其他进程继续 fork，直到撞上限一百次。
    于是顶层进程杀掉所有进程、回收它们，并打印了这句话。
    在终端里，千万不要在这样的笼子之外运行裸的 fork 炸弹。]],
}
