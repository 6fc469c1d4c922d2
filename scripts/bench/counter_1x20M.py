# bench counter-1x20M: 1 thread x N (default 20,000,000) `g = g + 1` on a
# global; start it, join it, print g.  The same total work as counter-2x10M
# with nobody to compete with for the GIL.
# Lua twin: counter_1x20M.lua.  Usage: python3 counter_1x20M.py [N]
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000000
g = 0

def work():
    global g
    for i in range(N):
        g = g + 1

t1 = threading.Thread(target=work)
t1.start()
t1.join()
print(g)
