# bench counter-2x10M: 2 threads x N (default 10,000,000) `g = g + 1` on a
# shared global, no lock; start both, join both, print g.
# Lua twin: counter_2x10M.lua.  Usage: python3 counter_2x10M.py [N]
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000000
g = 0

def work():
    global g
    for i in range(N):
        g = g + 1

t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
print(g)
