"""Descriptors at the REPL, through a pty: a blocking read or accept is
interrupted by Ctrl-C, and :reset and exit close every pipe and socket the
program opened (counted in /proc/PID/fd, as the issue asks), an mp Pipe's
and Queue's among them."""
import os
import time
from pty_session import Session, check


def fds(pid):
    return sorted(os.listdir(f"/proc/{pid}/fd"))


s = Session()
s.read_until(r"> ")
before = fds(s.pid)
s.line('socks = {}; for i = 1, 20 do socks[i] = socket.socket(); if i % 2 == 0 then socks[i]:bind({"127.0.0.1", 0}); socks[i]:listen() end end')
s.line('pipes = {}; for i = 1, 10 do pipes[i] = {os.pipe()} end')
s.line('ep = select.epoll()')
opened = len(fds(s.pid)) - len(before)
check(opened == 20 + 2 * 10 + 1, f"41 descriptors opened, /proc says {opened}")


def interrupted(call, what):
    """Ctrl-C while call blocks: KeyboardInterrupt, and the session goes on."""
    s.send(call + "\r")
    time.sleep(0.3)
    s.send("\x03")
    out = s.read_until(r"KeyboardInterrupt[\s\S]*> ")
    check("KeyboardInterrupt" in out, f"Ctrl-C interrupts {what}: " + out)


interrupted("os.read(pipes[1][1], 10)", "a blocking read on an empty pipe")
# a blocking accept in a thread, a select in MainThread: Ctrl-C ends the select
s.line('t = threading.Thread{daemon = true, target = function() pcall(socks[2].accept, socks[2]) end}; t:start()')
interrupted("select.select({pipes[2][1]}, {}, {})", "select")
# a blocking recv (run without the GIL on the real clock)
s.line('rc = socket.socket(); rc:connect(socks[4]:getsockname())')
interrupted("rc:recv(10)", "a blocking recv")
# a Pipe's recv (it spins a moment before sleeping in slices; sim/ipc.c)
s.line('pa, pb = mp.Pipe()')
interrupted("pa:recv()", "a Pipe's recv")
out = s.line('pb:send(7); print("got", pa:recv())', until=r"got \d+")
check("got 7" in out, "the Pipe works after the interrupt: " + out)
out = s.line('qq = mp.Queue(); qq:put(8); print("queued", qq:get())', until=r"queued \d+")
check("queued 8" in out, "a Queue, whose pipe :reset closes too: " + out)
out = s.line(":reset", until=r"fresh world[\s\S]*> ")
time.sleep(0.2)
after = fds(s.pid)
check(after == before, f":reset closed them all: before {before}, after {after}")
# again, then exit with them open: the process ends cleanly
s.line('a, b = os.pipe(); c = socket.socket(); c:bind({"127.0.0.1", 0}); c:listen()')
s.send(":quit\r")
check(s.close() == 0, "exit status 0 with descriptors open")
print("ok")
