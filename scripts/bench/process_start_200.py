# bench process-start-200: start and join 200 processes one after another
# (multiprocessing.Process, fork), print how many ran.
# Lua twin: process_start_200.lua.
import multiprocessing as mp
import sys


def nothing():
    pass


if __name__ == "__main__":
    mp.set_start_method("fork")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    ran = 0
    for _ in range(n):
        p = mp.Process(target=nothing)
        p.start()
        p.join()
        ran += p.exitcode == 0
    print(ran)
