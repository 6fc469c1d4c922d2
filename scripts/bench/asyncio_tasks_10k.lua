-- bench asyncio-tasks-10k: start 10,000 tasks that each sleep 0, and gather
-- them. Python twin: asyncio_tasks_10k.py.
-- Usage: threadlab --headless asyncio_tasks_10k.lua [N]
N = tonumber(arg and arg[1]) or 10000

function work(i)
  asyncio.sleep(0)
  return i
end

function main()
  local tasks = {}
  for i = 1, N do tasks[i] = asyncio.create_task(work, i) end
  local results = asyncio.gather(table.unpack(tasks))
  return #results
end

print("tasks:", asyncio.run(main))
