"""Drives threadlab's REPL through a pseudo-terminal, as a person would."""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

BIN = os.environ.get("TL_BIN", "./threadlab")


class Session:
    def __init__(self, *args, size=None):
        """size: (rows, cols) of the terminal, set before threadlab starts."""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if size:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
            os.execvp(BIN, [BIN, "--headless", *args])
        self.out = ""

    def read_until(self, pattern, timeout=10):
        deadline = time.time() + timeout
        rx = re.compile(pattern)
        while not rx.search(self.out):
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {pattern!r}; screen:\n{self.out[-2000:]}")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError(f"EOF waiting for {pattern!r}; screen:\n{self.out[-2000:]}")
                self.out += data.decode("utf-8", "replace")
        m = rx.search(self.out)
        seen, self.out = self.out[: m.end()], self.out[m.end():]
        return seen

    def send(self, text, pace=None):
        """pace: a character the program echoes once for each one typed
        (and never in its cursor moves; a terminal wide enough that the line
        never wraps keeps libedit from drawing it again). A pty drops what is written faster
        than the program reads it, so big input goes in pieces, each once
        the echo of the ones before came back."""
        data = text.encode()
        if pace is None:
            os.write(self.fd, data)
            return
        # until libedit turns canonical mode off, the line discipline keeps
        # at most 4095 characters of a line and drops the rest (a 64 KB line
        # lost 1,025 bytes on a loaded machine: 5,120 typed before raw mode)
        self.wait_raw()
        sent = echoed = 0
        while data:
            piece, data = data[:512], data[512:]
            os.write(self.fd, piece)
            sent += piece.count(pace.encode())
            # (a slow reader, on a loaded machine, must not be overrun)
            deadline = time.time() + 60
            while echoed < sent and data and time.time() < deadline:
                r, _, _ = select.select([self.fd], [], [], 1)
                if r:
                    try:
                        got = os.read(self.fd, 65536).decode("utf-8", "replace")
                    except OSError:
                        break
                    echoed += got.count(pace)
                    self.out += got
        self.echoed = echoed

    def eof(self, timeout=10):
        """Ctrl-D, as a person types it: once the line editor has the
        terminal in raw mode. libedit prints its prompt before it turns
        canonical mode off, and a ^D that lands in between is the line
        discipline's EOF, which raw mode then never reads."""
        self.wait_raw(timeout)
        os.write(self.fd, b"\x04")

    def wait_raw(self, timeout=10):
        """Until the line editor has the terminal in raw mode (or timeout)."""
        deadline = time.time() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ICANON and time.time() < deadline:
            time.sleep(0.01)

    def line(self, text, until=r"\n> $|\n> "):
        self.send(text + "\r")
        return self.read_until(until)

    def threads(self):
        return len(os.listdir(f"/proc/{self.pid}/task"))

    def close(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.05)
                if r:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("threadlab did not exit")


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def descendants(pid):
    """Every process below pid, zombies included, from /proc."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out
