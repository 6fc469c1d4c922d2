"""Manual scheduling through the REPL: a student makes a lost update happen
on purpose, one statement at a time."""
import os
from pty_session import Session, check

script = os.path.join(os.environ.get("TL_TMP", "/tmp"), "manual.lua")
with open(script, "w") as f:
    f.write("g = 0\n"
            "function work()\n"
            "  local v = g\n"
            "  v = v + 1\n"
            "  g = v\n"
            "end\n"
            "a = threading.Thread{name='A', target=work}\n"
            "b = threading.Thread{name='B', target=work}\n"
            "a:start(); b:start()\n")
s = Session("--sched", "manual", "-i", script)
s.read_until(r"> ")
out = s.line(":threads")
check("A" in out and "manual.lua:3" in out, "threads wait before their first line: " + out)
check("manual.lua:4" in s.line(":run A"), "A read g")
out = s.line(":run B")
check(out.count("manual.lua:4") == 2, "B read g too: " + out)
s.line(":run A 2")
s.line(":run B 2")
check("\n1\r\n" in s.line("g"), "the lost update happened")
check("cannot run" in s.line(":run MainThread") or "is you" in s.line(":run MainThread"), "main is not stepped")
check("no live thread" in s.line(":run Z"), "unknown thread explained")
check("seed = 5" in s.line(":seed 5"), ":seed sets the seed")
check("speed = 0" in s.line(":speed 0"), ":speed")
check("clock = virtual" in s.line(":clock"), ":clock shows")
check("paused" in s.line(":pause"), ":pause")
check("resumed" in s.line(":resume"), ":resume")
s.send(":quit\r")
check(s.close() == 0, "exit 0")
print("ok")
