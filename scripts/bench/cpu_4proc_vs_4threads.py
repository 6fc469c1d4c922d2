# bench cpu-4proc-vs-4threads: the same CPU-bound work (N iterations of
# s = s + i % 7) in 4 threads, then in 4 processes; prints both wall times
# and their ratio (processes / threads), then "ok".
# Lua twin: cpu_4proc_vs_4threads.lua.
import multiprocessing as mp
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000000


def work():
    s = 0
    for i in range(1, N + 1):
        s = s + i % 7
    return s


if __name__ == "__main__":
    mp.set_start_method("fork")
    t0 = time.perf_counter()
    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    th = time.perf_counter() - t0
    t0 = time.perf_counter()
    ps = [mp.Process(target=work) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    pr = time.perf_counter() - t0
    print("threads=%.3f procs=%.3f ratio=%.3f ok" % (th, pr, pr / th))
