-- lab.watch("g"): every read and write of the global is recorded, and a
-- write based on a stale read (a lost update) is flagged.
local check = dofile("tests/lua/check.lua")

g = 5
lab.watch("g")
check.eq(g, 5, "the value survives watching")
check.eq(rawget(_G, "g"), nil, "it lives behind _G's metatable now")
g = 7
check.eq(g, 7, "reads and writes still work")
check.eq(lab.count("watch-write"), 1, "a write recorded")
check.eq(lab.count("watch-read"), 2, "two reads recorded")
check.eq(undefined_global, nil, "other globals are untouched")
other_global = 1
check.eq(rawget(_G, "other_global"), 1, "other globals are plain")
check.eq(lab.count("lost-update"), 0, "nothing lost yet")

-- A lost update, made to happen: T reads g, MainThread increments g, then
-- T writes its stale value + 1.
g = 5
local read_done, main_wrote = threading.Event(), threading.Event()
local t = threading.Thread{target = function()
  local v = g
  read_done:set()
  main_wrote:wait()
  g = v + 1
end}
t:start()
read_done:wait()
g = g + 1
main_wrote:set()
t:join()
check.eq(g, 6, "two increments, one lost")
check.eq(lab.count("lost-update"), 1, "the lost update is flagged")

-- Guarded by a lock, nothing is lost and nothing flagged.
g = 0
local l = threading.Lock()
local ts = {}
for i = 1, 4 do
  ts[i] = threading.Thread{target = function()
    for _ = 1, 2000 do l:acquire(); g = g + 1; l:release() end
  end}
  ts[i]:start()
end
for i = 1, 4 do ts[i]:join() end
check.eq(g, 8000, "guarded counter")
check.eq(lab.count("lost-update"), 1, "no new lost update")

-- An unguarded race with instruction switch points: every lost increment
-- shows as a flagged lost update.
lab.gil{switch_interval = 0.2, switch_points = "instruction"}
g = 0
for i = 1, 2 do
  ts[i] = threading.Thread{target = function() for _ = 1, 100000 do g = g + 1 end end}
  ts[i]:start()
end
for i = 1, 2 do ts[i]:join() end
local flagged = lab.count("lost-update") - 1
check.eq(g < 200000, flagged > 0,
         ("lost increments (%d) and flagged lost updates (%d) go together"):format(200000 - g, flagged))
lab.gil{switch_points = "statement"}

-- Watching twice is harmless; unwatch puts the global back.
lab.watch("g")
local before = g
lab.unwatch("g")
check.eq(rawget(_G, "g"), before, "back in _G")
local reads = lab.count("watch-read")
local _ = g
check.eq(lab.count("watch-read"), reads, "no longer recorded")
check.raises("TypeError", function() lab.watch({}) end)
print("ok")
