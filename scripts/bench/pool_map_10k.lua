-- bench pool-map-10k: Pool(2).map over 10,000 small tasks; prints the count
-- of results. Python twin: pool_map_10k.py.
function square(x) return x * x end
local items = {}
for i = 1, 10000 do items[i] = i - 1 end
local r = mp.Pool(2):with(function(pool) return pool:map(square, items) end)
print(#r)
