# bench asyncio-tasks-10k: start 10,000 tasks that each sleep 0, and gather
# them. Lua twin: asyncio_tasks_10k.lua.
# Usage: python3 asyncio_tasks_10k.py [N]
import asyncio
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000

async def work(i):
    await asyncio.sleep(0)
    return i

async def main():
    tasks = [asyncio.create_task(work(i)) for i in range(N)]
    results = await asyncio.gather(*tasks)
    return len(results)

print("tasks:", asyncio.run(main()))
