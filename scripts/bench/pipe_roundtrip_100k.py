# bench pipe-roundtrip-100k: N (default 100,000) one-byte round trips
# between two threads over two pipes: the main thread writes a byte into
# the first pipe, the echo thread reads it and writes it back into the
# second, the main thread reads it. Every trip is two blocking reads that
# release the GIL. Prints N. Lua twin: pipe_roundtrip_100k.lua.
import os
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
r1, w1 = os.pipe()
r2, w2 = os.pipe()


def echo():
    for _ in range(N):
        os.write(w2, os.read(r1, 1))


t = threading.Thread(target=echo)
t.start()
n = 0
for _ in range(N):
    os.write(w1, b"x")
    n += len(os.read(r2, 1))
t.join()
print(n)
