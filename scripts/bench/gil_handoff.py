# bench gil-handoff: two threads alternate strictly N times each (default
# 20,000), ping-ponging through two Locks used as binary semaphores: ping
# waits on `a` and hands over with `b.release()`, pong waits on `b` and hands
# back with `a.release()`.  Every turn is a lock handoff plus a GIL handoff
# to a thread that was blocked.  Prints the number of turns (2 * N).
# Lua twin: gil_handoff.lua.  Usage: python3 gil_handoff.py [N]
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
turns = 0

a = threading.Lock()  # ping's turn when released
b = threading.Lock()  # pong's turn when released
b.acquire()           # ping goes first

def ping():
    global turns
    for i in range(N):
        a.acquire()
        turns = turns + 1
        b.release()

def pong():
    global turns
    for i in range(N):
        b.acquire()
        turns = turns + 1
        a.release()

t1 = threading.Thread(target=ping)
t2 = threading.Thread(target=pong)
t1.start()
t2.start()
t1.join()
t2.join()
print(turns)
