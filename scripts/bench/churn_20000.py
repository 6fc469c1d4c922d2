# bench churn-20000: the mutex example of notes 002 §6.3 (互斥锁), in Python 3.
# N (default 20,000) short threads, each takes the shared lock once and
# increments a global counter.  Shape as in the note: one loop creates,
# starts and appends each thread; a second loop joins them all; print num.
# (The note's Python 2 `print "num:", num` becomes print("num:", num).)
# Lua twin: churn_20000.lua.  Usage: python3 churn_20000.py [N]
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000

def run(n):
    lock.acquire()  # 获取锁
    global num
    num += 1
    lock.release()  # 释放锁

lock = threading.Lock()  # 实例化一个锁对象

num = 0
t_obj = []

for i in range(N):
    t = threading.Thread(target=run, args=("t-%s" % i,))
    t.start()
    t_obj.append(t)

for t in t_obj:
    t.join()

print("num:", num)
