# bench pool-map-10k: Pool(2).map over 10,000 small tasks; prints the count
# of results. Lua twin: pool_map_10k.lua.
import multiprocessing as mp


def square(x):
    return x * x


if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(2) as pool:
        r = pool.map(square, range(10000))
    print(len(r))
