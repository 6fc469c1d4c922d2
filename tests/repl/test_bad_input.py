"""The bad-input suite, :command half: every REPL command given what a
person mistypes. Each case: the line typed and a fragment of the answer;
after each the session goes on (a sum still prints) and no answer names
one of threadlab's own files. Then :threads says what each thread waits
for, at the user's line."""
import os
from pty_session import Session, check

tmp = os.environ.get("TL_TMP", "/tmp")
OWN = ("sync.lua", "queue.lua", "threading.lua", "lab.lua", "lesson.lua", "errors.lua",
       "bad argument", "stack traceback", "Traceback")

CASES = [
    (":seed abc", "lab.clock() argument 'seed' must be a whole number"),
    (":seed -1", "seed must be >= 0"),
    (":seed 1.5", "whole number"),
    (":speed fast", "lab.clock() argument 'speed' must be a number"),
    (":speed -2", "speed must be >= 0"),
    (":clock sometimes", "lab.clock() argument 'clock' must be real or virtual"),
    (":sched later", "lab.clock() argument 'sched' must be auto or manual"),
    (":run T99", "no live thread"),
    (":step 0", "must be in 1..1e9"),
    (":step x", "lab.run() argument 'n' must be a whole number"),
    (":record", "usage: :record FILE"),
    (f":record {tmp}/x.bmp", "unknown diagram format"),
    (f":record {tmp}/missing/x.svg", "cannot write in the folder"),
    (f":record {tmp}/x.svg 5 1", "FROM and TO"),
    (f":record {tmp}/x.svg a b", "FROM and TO"),
    (f":screenshot {tmp}/x.svg", "a screenshot is a .png file"),
    (f":screenshot {tmp}/missing/x.png", "cannot save the screenshot"),
    (":screenshot", "usage"),
    (":explore", "usage: :explore"),
    (":explore nosuchfunction", "lab.explore needs a function"),
    (":explore print 0", "runs must be a positive integer"),
    (":lesson 999", "no lesson"),
    (":lesson", "usage"),
    (":frobnicate", "unknown command"),
    (":", "unknown command"),
    ("threading.Thread{targt=print}", "TypeError: Thread() got an unexpected keyword argument 'targt'"),
    ("time.sleep(0/0)", "ValueError"),
]

s = Session()
s.read_until(r"> ")
for line, want in CASES:
    out = s.line(line)
    check(want in out, f"{line!r} should say {want!r}; said:\n{out}")
    # A :command answers in one message; Lua code shows its traceback
    # (whose frames harden-errors words), so there only the message counts.
    said = out if line.startswith(":") else [l for l in out.splitlines() if want in l][0]
    for own in OWN:
        check(own not in said, f"{line!r} names {own!r}:\n{out}")
    check("42" in s.line("print(40 + 2)"), f"the session goes on after {line!r}")

# :threads: what each thread waits for, at the user's line.
s.line("e = threading.Event(); q = queue.Queue(); c = threading.Condition()")
s.line("function cw() c:acquire(); c:wait(); c:release() end")
s.line("ts = {threading.Thread{name='ev', target=function() e:wait() end}, "
       "threading.Thread{name='qu', target=function() q:get() end}, "
       "threading.Thread{name='co', target=cw}}")
s.line("for _, t in ipairs(ts) do t:start() end")
out = s.line(":threads")
check("waiting on Event" in out, ":threads names the Event:\n" + out)
check("waiting on Queue" in out and "(get)" in out, ":threads names the Queue get:\n" + out)
check("waiting on Condition" in out, ":threads names the Condition:\n" + out)
check(".lua:" not in out, ":threads shows the user's line, not threadlab's:\n" + out)
s.line("e:set(); q:put(1); c:acquire(); c:notify(); c:release()")
s.line("for _, t in ipairs(ts) do t:join() end")
s.send(":quit\r")
check(s.close() == 0, "leaves cleanly")
print(f"ok: {len(CASES)} REPL cases")
