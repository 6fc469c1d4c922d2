-- bench mpqueue-100k: 100,000 small items through an mp.Queue from a child
-- process to the parent; prints how many arrived. Python twin: mpqueue_100k.py.
local n = 100000
local q = mp.Queue()
local p = mp.Process{ target = function() for i = 1, n do q:put(i) end end }
p:start()
local got = 0
for _ = 1, n do q:get(); got = got + 1 end
p:join()
print(got)
