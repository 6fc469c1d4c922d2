-- imap and imap_unordered keep every result, even one the result-handler
-- thread sets before the iterator is returned (as CPython's IMapIterator,
-- made before any task is sent). Each time imap asks the sequence for its
-- length here, the length takes a round trip through the same one-worker
-- pool: the worker does tasks in order and the handler sets results in
-- order, so when that apply returns, every imap result sent before it has
-- been handled. No timing is involved.
local check = dofile("tests/lua/check.lua")

function sq(i) return i * i end

local pool = mp.Pool(1)
local items = { 1, 2, 3 }
local lens = 0
local seq = setmetatable({}, {
  __index = items,
  __len = function()
    lens = lens + 1
    check.eq(pool:apply(sq, { 0 }), 0, "the round trip")
    return #items
  end,
})

-- a lost result leaves the iterator waiting forever: fail fast instead
local done = check.watchdog(20, "imap still waits for results the pool already handled")

local s = {}
for v in pool:imap(sq, seq) do s[#s + 1] = v end
check.eq(table.concat(s, ","), "1,4,9", "imap, in order")
check.truthy(lens >= 1, "the length was asked")

s = {}
for v in pool:imap_unordered(sq, seq) do s[#s + 1] = v end
table.sort(s)
check.eq(table.concat(s, ","), "1,4,9", "imap_unordered")

-- several chunks of two
s = {}
for v in pool:imap(sq, seq, 2) do s[#s + 1] = v end
check.eq(table.concat(s, ","), "1,4,9", "imap, chunks of two")

done()
pool:terminate()
print("ok")
