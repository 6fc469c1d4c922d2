-- bench generator-switch-1M: one million send() round trips into a
-- generator that keeps a running total (002 §20.2's shape: the caller
-- sends, the generator yields back). Python twin: generator_switch_1M.py.
-- Usage: threadlab --headless generator_switch_1M.lua [N]
N = tonumber(arg and arg[1]) or 1000000

function accumulate()
  local total = 0
  while true do
    local v = yield(total)
    total = total + v
  end
end

local g = generator(accumulate)
next(g)
local r
for _ = 1, N do r = g:send(1) end
print("total:", r)
