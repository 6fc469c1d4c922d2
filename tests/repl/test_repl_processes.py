"""Processes at the REPL, through a pty: a child forked at the prompt ends
with its line, children print around the prompt, Ctrl-C reaches them as
in a terminal, and :reset and exit leave no process behind (a Manager's
server included; from /proc)."""
import os
import re
import time
from pty_session import Session, check, descendants


s = Session(*os.environ.get("TL_REPL_ARGS", "").split())  # (the virtual-clock run sets it)
s.read_until(r"> ")
# a fork at the prompt: the child ends with the line; it never reads the terminal
s.send('pid = os.fork(); if pid == 0 then print("child line") end\r')
s.read_until(r"child line")
time.sleep(0.2)
out = s.line("p, st = os.waitpid(pid, 0); print(p == pid, os.WEXITSTATUS(st))", until=r"(true|false) \d+")
check("true 0" in out, "the child ended with the line, status 0: " + out)
check(descendants(s.pid) == [], "nothing left after the wait")
# a child prints while the prompt waits: the line is whole, the prompt drawn again
s.line('q = mp.Process{target = function() time.sleep(0.3); print("late child output") end}; q:start()')
out = s.read_until(r"late child output\r?\n.*> ", timeout=5)
check("late child output" in out, "the child's line reached the terminal: " + out)
s.line("q:join()")
check("0" in s.line("q.exitcode"), "exit code 0")
# Ctrl-C reaches the foreground child as in a terminal: both get KeyboardInterrupt
s.line('r = mp.Process{target = function() time.sleep(30) end}; r:start()')
s.send("r:join()\r")
time.sleep(0.4)
s.send("\x03")
out = s.read_until(r"KeyboardInterrupt[\s\S]*> ")
out += s.line("r:join(); print('code', r.exitcode)", until=r"code -?\d+")
check("Process Process-2:" in out, "the child printed its KeyboardInterrupt: " + out)
check("code 1" in out, "and ended with exit code 1, as CPython's: " + out)
# :threads lists the other processes of the run, a zombie as such
s.line('k = mp.Process{target = function() time.sleep(30) end}; k:start()')
s.line('zz = os.fork(); if zz == 0 then os._exit(0) end')
time.sleep(0.3)
s.send(":threads\r")
# (each process's line is followed by its threads' lines)
out = s.read_until(r"other processes[^\n]*\n[\s\S]*?thread\(s\)[\s\S]*?zombie[^\n]*thread\(s\)[^\n]*\n")
check("other processes of this run:" in out and "Process-3" in out, ":threads lists Process-3: " + out)
check("zombie" in out, ":threads shows the unreaped child as a zombie: " + out)
s.line("k:kill(); k:join(); os.waitpid(zz, 0)")
# :reset kills and reaps every child (zombies and orphans included)
s.line('for i = 1, 3 do mp.Process{target = function() time.sleep(100) end}:start() end')
s.line('z = os.fork(); if z == 0 then os._exit(0) end')  # a zombie
s.line('o = os.fork(); if o == 0 then if os.fork() == 0 then time.sleep(100) end; os._exit(0) end')  # an orphan
s.line('mgr = mp.Manager(); md = mgr:dict(); md.x = 1')  # a Manager's server, serving
time.sleep(0.3)
check(len(descendants(s.pid)) >= 6, f"children before :reset: {descendants(s.pid)}")
s.line(":reset")
s.line('print("after" .. " reset")', until=r"after reset")
left = descendants(s.pid)
check(left == [], f"no child survives :reset: {left}")
# exit with children running: none is left either
s.line('for i = 1, 2 do mp.Process{target = function() time.sleep(100) end, daemon = true}:start() end')
s.line('w = os.fork(); if w == 0 then time.sleep(100) end')
s.line('mgr2 = mp.Manager(); ml = mgr2:list({1})')  # never shut down by the program
time.sleep(0.3)
s.line('print("sy" .. "nc")', until=r"sync")
kids = descendants(s.pid)
check(len(kids) == 4, f"four children before exit: {kids}")
s.send(":quit\r")
rc = s.close()
time.sleep(0.2)
left = [k for k in kids if os.path.exists(f"/proc/{k}")]
check(left == [], f"no child survives exit: {left}")
print("ok")
