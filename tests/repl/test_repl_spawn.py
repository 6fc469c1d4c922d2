"""Spawned children at the REPL, through a pty: each is a fresh threadlab
(an exec of this binary, started with --spawn-child), a target typed at
the prompt cannot be found in it (there is no file to run again: said
so), and :reset and exit leave none behind (from /proc)."""
import os
import time
from pty_session import Session, check, descendants


def spawned(pids):
    """Those of pids that run threadlab --spawn-child (a fresh exec)."""
    out = []
    for k in pids:
        try:
            argv = open(f"/proc/{k}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"--spawn-child" in argv:
            out.append(k)
    return out


s = Session()
s.read_until(r"> ")
s.line('mp.set_start_method("spawn")')
# a function typed at the prompt: the fresh child cannot find it, and says why
s.line('function f() print("never") end')
out = s.line('p = mp.Process{target = f}; p:start(); p:join(); print("code", p.exitcode)', until=r"code -?\d+")
check("Can't get attribute 'f' on <module '__mp_main__' (built-in)>: the main code came from the REPL" in out,
      "a target typed at the prompt: " + out)
check("code 1" in out, "its exit code: " + out)
# a library function is found: three children sleep, each a fresh threadlab
s.line('for i = 1, 3 do mp.Process{target = time.sleep, args = {100}}:start() end')
time.sleep(0.5)
kids = spawned(descendants(s.pid))
check(len(kids) == 3, f"three spawned children before :reset: {kids}")
s.line(":reset")
s.line('print("after" .. " reset")', until=r"after reset")
left = descendants(s.pid)
check(left == [], f"no spawned child survives :reset: {left}")
# exit with spawned children running (daemonic: a non-daemonic one is
# joined at exit, as CPython's): none is left
s.line('mp.set_start_method("spawn")')
s.line('for i = 1, 2 do mp.Process{target = time.sleep, args = {100}, daemon = true}:start() end')
time.sleep(0.5)
s.line('print("sy" .. "nc")', until=r"sync")
kids = spawned(descendants(s.pid))
check(len(kids) == 2, f"two spawned children before exit: {kids}")
s.send(":quit\r")
rc = s.close()
time.sleep(0.2)
left = [k for k in kids if os.path.exists(f"/proc/{k}")]
check(left == [], f"no spawned child survives exit: {left}")
print("ok")
