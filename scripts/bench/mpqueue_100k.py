# bench mpqueue-100k: 100,000 small items through a multiprocessing.Queue
# from a child process to the parent; prints how many arrived.
# Lua twin: mpqueue_100k.lua.
import multiprocessing as mp


def produce(q, n):
    for i in range(n):
        q.put(i)


if __name__ == "__main__":
    mp.set_start_method("fork")
    n = 100000
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, n))
    p.start()
    got = 0
    for _ in range(n):
        q.get()
        got += 1
    p.join()
    print(got)
