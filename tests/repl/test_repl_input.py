"""The REPL's line reader through a pty (issue 11): lines of 4 KB and 1 MB
(libedit's callback mode broke the heap past ~3.5 KB), Chinese text, Tab
completion, Ctrl-C at the prompt and Ctrl-D; a bad __tostring at the
prompt; :reset under manual scheduling."""
import time
from pty_session import Session, check

# A terminal as wide as a 1 MB line is long in 16 rows: libedit then echoes
# each character once, which paces the typing (see Session.send).
s = Session(size=(500, 65535))
s.read_until(r"> ")
for n in (4000, 64 * 1024, 1024 * 1024):
    s.send('x = "' + "a" * n + '"\r', pace="a")
    # the terminal echoes the whole line; wait for the prompt after it
    s.read_until(r"a\"\r\n(.*\r\n)?> ", timeout=60)
    out = s.line("#x")
    check(f"\n{n}\r" in out, f"a line of {n} bytes arrives whole: {out[-200:]!r}")
# Chinese text goes in and comes out whole.
out = s.line('s = "你好，线程"; print(#s, s)')
check("15 你好，线程" in out, "UTF-8 input: " + out)
# Tab completes a field (the reader thread asks MainThread).
s.send("x_ = threading.Loc\t")
time.sleep(0.3)
s.send("\r")
s.read_until(r"\n> ")
out = s.line("x_ == threading.Lock")
check("true" in out, "Tab completed threading.Lock: " + out)
# Ctrl-C drops the half-typed line, and the next one works.
s.send("print('half")
time.sleep(0.1)
s.send("\x03")
check("KeyboardInterrupt" in s.read_until(r"> "), "Ctrl-C at the prompt")
check("\n3\r" in s.line("1+2"), "the next line is read whole")
# An error whose __tostring raises, at the prompt: reported, session goes on.
out = s.line('error(setmetatable({}, {__tostring = function() error("x") end}))')
check("<exception str() failed>" in out, "bad __tostring at the REPL: " + out)
check("Traceback (most recent call last):" in out, "REPL traceback heading: " + out)
check("\n7\r" in s.line("3+4"), "the session goes on")
s.eof()
check(s.close() == 0, "Ctrl-D ends the REPL with status 0")

# :reset and exit under --sched manual (a thread parked in the virtual
# hook waiting to be picked) neither hang nor ignore Ctrl-C.
s = Session("--sched", "manual")
s.read_until(r"> ")
s.line("for i = 1, 3 do threading.Thread{target=function() while true do end end}:start() end")
out = s.line(":reset", until=r"reset.*\n> ")
check("fresh world" in out, ":reset under manual scheduling: " + out)
s.line("threading.Thread{target=function() end}:start()")
s.send(":quit\r")
check(s.close() == 0, "exit under manual scheduling")
