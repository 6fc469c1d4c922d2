"""The REPL as lua.c has it, plus threadlab's commands, through a pty."""
import os
import re
import time
from pty_session import Session, check

s = Session()
s.read_until(r"> ")
baseline = s.threads()  # MainThread, the Ctrl-C thread (and a sanitizer's own)
check("42" in s.line("6*7"), "an expression prints its value")
check("hi there" in s.line('print("hi", "there")'), "print")
# incomplete input continues on a >> line
s.send("function f(x)\r")
s.read_until(r">> ")
s.line("return x * 2 end")
check("10" in s.line("f(5)"), "multi-line function")
# an error comes back with a traceback, the session goes on
out = s.line("threading.Lock():release()")
check("RuntimeError: release unlocked lock" in out, "Python-style error: " + out)
check("7" in s.line("3+4"), "still answering after an error")
# threads run in the background while the REPL answers
s.line("g = 0; t = threading.Thread{target=function() while true do g = g + 1 end end}; t:start()")
out1 = s.line("g")
s.line("time.sleep(0.05)")  # MainThread waits: the GIL is the other's
out2 = s.line("g")
n1 = int(re.findall(r"\n(\d+)\r?\n", out1)[-1])
n2 = int(re.findall(r"\n(\d+)\r?\n", out2)[-1])
check(n2 > n1 > 0, f"the background thread runs while the REPL waits ({n1}, {n2})")
out = s.line(":threads")
check("Thread-1" in out and "MainThread" in out, ":threads lists threads: " + out)
# Ctrl-C interrupts running code and gives the prompt back
s.send("while true do end\r")
time.sleep(0.3)
s.send("\x03")
out = s.read_until(r"> ")
check("KeyboardInterrupt" in out, "Ctrl-C raises KeyboardInterrupt in MainThread")
# Ctrl-C at the prompt abandons the line
s.send("abc")
time.sleep(0.1)
s.send("\x03")
check("KeyboardInterrupt" in s.read_until(r"> "), "Ctrl-C at the prompt")
# :reset cancels every thread; /proc shows none left (main + the Ctrl-C thread)
before = s.threads()
check(before >= 3, f"threads before reset: {before}")
s.line("for i = 1, 5 do threading.Thread{target=function() time.sleep(1000) end}:start() end")
check(s.threads() == before + 5, "five sleepers running")
s.line("l = threading.Lock(); l:acquire(); threading.Thread{target=function() l:acquire() end}:start()")
out = s.line(":reset")
check("reset" in out, ":reset answers")
check(s.threads() == baseline, f"no thread survives :reset ({s.threads()} left, {baseline} at start)")
check("nil" in s.line("g"), "a fresh world after :reset")
# :record writes a diagram
svg = os.path.join(os.environ.get("TL_TMP", "/tmp"), "repl.svg")
s.line("t = threading.Thread{name='rec', target=function() time.sleep(0.01) end}; t:start(); t:join()")
out = s.line(":record " + svg)
check(os.path.exists(svg) and "<svg" in open(svg).read(), ":record wrote an SVG: " + out)
check("cannot record" in s.line(":record /nonexistent/dir/x.svg"), "unwritable path explained")
check("unknown command" in s.line(":bogus"), "unknown command explained")
# :help names every module the parts table opens as a global
out = s.line(":help")
check("Modules: time, lab, threading, queue, socket, select, multiprocessing, concurrent, lesson, challenge, generator, greenlet, gevent, asyncio." in out, ":help lists the modules: " + out)
# Tab completes :commands from the command table (and fields as before)
s.send(":lo\t")
s.read_until(r"cks")
out = s.line("")
check("no locks" in out or "free" in out, ":lo<Tab> completed to :locks: " + out)
s.send("threading.Eve\t")
s.read_until(r"nt")
check("function" in s.line("") , "threading.Eve<Tab> completed to threading.Event")
s.send(":quit\r")
check(s.close() == 0, "exit status 0 after :quit")
check(os.path.exists(os.path.join(os.environ["HOME"], ".threadlab_history")), "history saved")
print("ok")
