# bench generator-switch-1M: one million send() round trips into a
# generator that keeps a running total. Lua twin: generator_switch_1M.lua.
# Usage: python3 generator_switch_1M.py [N]
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000

def accumulate():
    total = 0
    while True:
        v = yield total
        total += v

g = accumulate()
next(g)
r = None
for _ in range(N):
    r = g.send(1)
print("total:", r)
