-- Several threads of the parent give one pool big tasks at once (as
-- CPython's Pool allows: one task-handler thread writes every task). A
-- task bigger than the pipe is written in several pieces; every result
-- must come back whole. Checked in python3 with the same sizes.
local check = dofile("tests/lua/check.lua")

function len(s) return #s end

-- a torn task kills the worker and leaves the putting threads waiting on
-- a full pipe for ever: fail fast instead
local done = check.watchdog(15, "tasks put by several threads at once did not all come back")

local pool = mp.Pool(1)
local got = {} -- got[k][i]: thread k's task i (a slot of its own)
local function submit(k)
  got[k] = {}
  for i = 1, 8 do
    local n = 100000 + 10 * i + k -- each more than the pipe holds (64 KiB)
    got[k][i] = { pool:apply_async(len, { string.rep(string.char(64 + k), n) }), n }
  end
end
local ts = {}
for k = 1, 3 do
  ts[k] = threading.Thread{ target = submit, args = { k } }
  ts[k]:start()
end
for k = 1, 3 do ts[k]:join() end
local bad = 0
for k = 1, 3 do
  check.eq(#got[k], 8, "thread " .. k .. " put every task")
  for _, x in ipairs(got[k]) do
    if x[1]:get(20) ~= x[2] then bad = bad + 1 end
  end
end
check.eq(bad, 0, "every task reached the worker whole")
done()
pool:terminate()
print("ok")
