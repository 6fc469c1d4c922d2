-- six queues under string keys: a spawned child rebuilds each (its
-- feeder's Condition made), and each process flushes its queues at exit
function child(qs) for _, k in ipairs({"a", "b", "c", "d", "e", "f"}) do qs[k]:put(k) end end
if __name__ == "__main__" then
  mp.set_start_method(arg[1])
  local qs = {}
  for _, k in ipairs({"a", "b", "c", "d", "e", "f"}) do qs[k] = mp.Queue() end
  local p = mp.Process{ target = child, args = { qs } }
  p:start()
  local got = {}
  for _, k in ipairs({"a", "b", "c", "d", "e", "f"}) do got[#got + 1] = qs[k]:get() end
  p:join()
  print(table.concat(got, " "))
end
