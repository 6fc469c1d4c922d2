-- mp.Pool as CPython 3.11's (each case run in python3 by hand): callbacks in
-- the parent's result-handler thread, worker errors re-raised by get().
local check = dofile("tests/lua/check.lua")

function work(i)
  if i == 7 then error(ValueError("bad task " .. i)) end
  return i * i
end
function add(a, b) return a + b end
function pid_of() return os.getpid() end
initialized = false
function init(flag) initialized = flag end
function is_initialized() return initialized end

-- Pool(3), apply_async with a callback for 10 tasks
local parent = os.getpid()
local got, pids, threads, errs = {}, {}, {}, {}
local function cb(r)
  got[#got + 1] = r
  pids[os.getpid()] = true
  threads[threading.current_thread().name] = true
end
local pool = mp.Pool(3)
local rs = {}
for i = 1, 10 do
  rs[i] = pool:apply_async(work, { i }, { callback = cb, error_callback = function(e) errs[#errs + 1] = e end })
end
pool:close()
pool:join()
table.sort(got)
check.eq(table.concat(got, ","), "1,4,9,16,25,36,64,81,100", "every result reached cb")
check.truthy(pids[parent] and next(pids, next(pids)) == nil, "cb ran in the parent only")
check.truthy(not threads.MainThread, "cb ran in the result-handler thread, not MainThread")
check.eq(#errs, 1, "the error callback ran once")
check.eq(tostring(errs[1]), "ValueError: bad task 7", "the error callback got the worker's error")
local e = check.raises("ValueError", rs[7].get, rs[7])
check.eq(tostring(e), "ValueError: bad task 7", "get() re-raises the worker's message")
check.eq(rs[7]:successful(), false, "not successful")
check.eq(rs[3]:get(), 9, "get")
check.eq(rs[3]:ready(), true, "ready")
check.raises("ValueError", pool.apply_async, pool, work, { 1 })

-- map keeps the order; starmap; imap; imap_unordered; apply
local p2 = mp.Pool{ processes = 2, initializer = init, initargs = { true } }
check.eq(table.concat(p2:map(work, { 1, 2, 3, 4, 5, 6 }), ","), "1,4,9,16,25,36", "map in order")
check.eq(table.concat(p2:starmap(add, { { 1, 5 }, { 7, 2 } }), ","), "6,9", "starmap")
local s = {}
for v in p2:imap(work, { 1, 2, 3 }) do s[#s + 1] = v end
check.eq(table.concat(s, ","), "1,4,9", "imap")
s = {}
for v in p2:imap_unordered(work, { 1, 2, 3 }) do s[#s + 1] = v end
table.sort(s)
check.eq(table.concat(s, ","), "1,4,9", "imap_unordered")
check.eq(p2:apply(work, { 9 }), 81, "apply")
check.eq(p2:apply(is_initialized), true, "the initializer ran in the worker")
check.truthy(p2:apply(pid_of) ~= parent, "apply runs in a worker")
e = check.raises("ValueError", p2.map, p2, work, { 1, 7, 3 })
local r = p2:apply_async(work, { { cb = function() end } })
e = check.raises("PicklingError", r.get, r)
check.truthy(tostring(e):find("args[1].cb", 1, true), "the path: " .. tostring(e))
local ma = p2:map_async(work, { 2, 3 })
check.eq(table.concat(ma:get(5), ","), "4,9", "map_async")
check.raises("ValueError", p2.join, p2)
p2:terminate()
check.raises("ValueError", mp.Pool, 0)
check.raises("TypeError", mp.Pool, { procs = 2 })

-- maxtasksperchild: workers are replaced, every task still done
local p3 = mp.Pool{ processes = 2, maxtasksperchild = 1 }
local seen = {}
for _, pid in ipairs(p3:map(pid_of, { 1, 2, 3, 4 }, 1)) do seen[pid] = true end
local n = 0
for _ in pairs(seen) do n = n + 1 end
check.eq(n, 4, "four tasks, four worker processes")
p3:close(); p3:join()

-- the context helper terminates
local last = mp.Pool(1):with(function(p) return p:apply(work, { 4 }) end)
check.eq(last, 16, "Pool:with")
print("ok")
