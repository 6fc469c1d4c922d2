# bench pipe-pingpong-20k: 20,000 round trips over a multiprocessing.Pipe
# between the parent and a child; prints the round trips made.
# Lua twin: pipe_pingpong_20k.lua.
import multiprocessing as mp


def echo(conn):
    while True:
        x = conn.recv()
        if x is None:
            break
        conn.send(x)


if __name__ == "__main__":
    mp.set_start_method("fork")
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,))
    p.start()
    n = 0
    for i in range(20000):
        a.send(i)
        n += a.recv() == i
    a.send(None)
    p.join()
    print(n)
