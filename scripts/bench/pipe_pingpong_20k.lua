-- bench pipe-pingpong-20k: 20,000 round trips over an mp.Pipe between the
-- parent and a child; prints the round trips made. Python twin:
-- pipe_pingpong_20k.py.
local a, b = mp.Pipe()
local p = mp.Process{ target = function()
  while true do
    local x = b:recv()
    if x == nil then break end
    b:send(x)
  end
end }
p:start()
local n = 0
for i = 1, 20000 do
  a:send(i)
  if a:recv() == i then n = n + 1 end
end
a:send(nil)
p:join()
print(n)
