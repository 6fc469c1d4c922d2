# bench wake-8000: 8,000 threads wait on one Event; set() wakes them all.
# Measured inside the program, from set() until the last waiter runs, the
# same way as wake_8000.lua. Prints the seconds as its last word.
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
ev = threading.Event()
left = N
t_last = None
count_lock = threading.Lock()


def waiter():
    global left, t_last
    ev.wait()
    with count_lock:  # left -= 1 is not atomic across a switch
        left -= 1
        if left == 0:
            t_last = time.perf_counter()


threads = [threading.Thread(target=waiter) for _ in range(N)]
for t in threads:
    t.start()
# The clock starts with every waiter parked in wait().
while len(ev._cond._waiters) < N:
    time.sleep(0.001)
t_set = time.perf_counter()
ev.set()
for t in threads:
    t.join()
print("woke %d in %.4f" % (N, t_last - t_set))
