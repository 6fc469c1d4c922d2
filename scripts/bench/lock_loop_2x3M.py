# bench lock-loop-2x3M: 2 threads x N (default 3,000,000) rounds of
# acquire / `g = g + 1` / release on one shared Lock; start both, join
# both, print g.
# Lua twin: lock_loop_2x3M.lua.  Usage: python3 lock_loop_2x3M.py [N]
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000000
g = 0
lock = threading.Lock()

def work():
    global g
    for i in range(N):
        lock.acquire()
        g = g + 1
        lock.release()

t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
print(g)
