# bench gil-py3-threaded-vs-seq: Beazley's GIL experiment (Inside the Python
# GIL, 2009): count(n) twice in a row, then in two threads at once; prints
# both wall times and their ratio (threaded / sequential).
# Lua twin: gil_battle.lua.  Usage: python3 gil_battle.py [N]
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000000


def count(n):
    while n > 0:
        n -= 1


t0 = time.perf_counter()
count(N)
count(N)
seq = time.perf_counter() - t0

t0 = time.perf_counter()
t1 = threading.Thread(target=count, args=(N,))
t2 = threading.Thread(target=count, args=(N,))
t1.start(); t2.start()
t1.join(); t2.join()
thr = time.perf_counter() - t0
print("seq %.3f threaded %.3f ratio %.3f" % (seq, thr, thr / seq))
