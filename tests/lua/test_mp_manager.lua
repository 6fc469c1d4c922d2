-- mp.Manager: a server process holds dict, list, Queue, Value and
-- Namespace; proxies work from a Process, from Pool workers (they pickle
-- into tasks: 003's Manager().Queue() with a Pool), and print as CPython's
-- do (each compared with python3 3.11 running the same program).
local check = dofile("tests/lua/check.lua")
lab.clock{ clock = "real" }

local m = mp.Manager()
check.truthy(tostring(m):find("SyncManager"), "repr")

-- 002 §6.7: a child writes, the parent sees it; printed as Python prints
local d, l = m:dict(), m:list({ 0, 1, 2, 3, 4 })
local p = mp.Process{ target = function()
  d[1] = "1"; d["2"] = 2; d[0.25] = false
  l:append(100)
end }
p:start(); p:join()
check.eq(tostring(l), "[0, 1, 2, 3, 4, 100]", "the list, after the child's append")
check.eq(tostring(d), "{1: '1', '2': 2, 0.25: False}", "the dict, in insertion order")
check.eq(#l, 6, "len(list)"); check.eq(#d, 3, "len(dict)")
check.eq(l[6], 100, "list index from 1"); check.eq(d["2"], 2, "dict item")
check.eq(d:get("missing", 7), 7, "get with a default")
check.raises("KeyError", function() return d.missing end)
check.raises("IndexError", function() return l[7] end)
check.eq(table.concat(d:keys(), ","), "1,2,0.25", "keys in order")
local seen = {}
for k, v in pairs(d) do seen[#seen + 1] = tostring(k) .. "=" .. tostring(v) end
check.eq(table.concat(seen, " "), "1=1 2=2 0.25=false", "pairs, in order")
d[1] = nil
check.eq(#d, 2, "d[k] = nil deletes")
check.eq(l:pop(), 100, "pop"); check.eq(l:index(3), 4, "index from 1")

-- 003: Manager().Queue() through a Pool; the proxy pickles into the task
local q = m:Queue()
function mgr_writer(q1) for c in ("dongGe"):gmatch(".") do q1:put(c) end return mp.current_process().name end
function mgr_reader(q1)
  local t = {}
  for _ = 1, q1:qsize() do t[#t + 1] = q1:get(true) end
  return table.concat(t)
end
function mgr_getone(q1) return q1:get(true, 5) end
local pool = mp.Pool(2)
check.truthy(pool:apply(mgr_writer, { q }):find("ForkPoolWorker"), "a worker wrote")
check.eq(pool:apply(mgr_reader, { q }), "dongGe", "another worker read it all, in order")
-- a blocking get in one worker is served while another worker puts
local got = pool:apply_async(mgr_getone, { q })
time.sleep(0.1)
q:put("late")
check.eq(got:get(5), "late", "a worker's blocking get woke on the parent's put")
-- 003: an mp.Queue cannot go into a Pool task; a Manager's Queue can
local e = check.raises("RuntimeError", pool.apply, pool, mgr_writer, { mp.Queue() })
check.truthy(tostring(e):find("through inheritance", 1, true), tostring(e))
pool:close(); pool:join()
check.raises("queue.Empty", q.get_nowait, q)
check.raises("queue.Empty", q.get, q, true, 0.05)
local bq = m:Queue(1)
bq:put(1)
check.raises("queue.Full", bq.put_nowait, bq, 2)
check.eq(bq:full(), true, "full")

-- Value: v.value reads and writes through the server; += is not atomic
local v = m:Value("i", 0)
v.value = v.value + 5
check.eq(v.value, 5, "Value"); check.eq(tostring(v), "Value('i', 5)", "Value repr")
local ns = m:Namespace()
ns.x = 1; ns.y = "a"
check.eq(tostring(ns), "Namespace(x=1, y='a')", "Namespace repr")
check.raises("AttributeError", function() return ns.zz end)

-- a proxy pickles; a local function sent to the server does not
local again = pickle.loads(pickle.dumps(d))
check.eq(again["2"], 2, "a proxy loaded from its pickle reaches the same dict")
local pe = check.raises("PicklingError", function() d.f = function() end end)
check.truthy(tostring(pe):find("at args[2]", 1, true), "names the argument: " .. tostring(pe))

-- bad input: a clear error, and the manager goes on serving
check.raises("TypeError", m.dict, m, 5)
check.raises("TypeError", m.list, m, "abc")
check.raises("TypeError", m.Queue, m, "big")
check.eq(d["2"], 2, "the manager still serves")

m:shutdown()
check.raises("BrokenPipeError", function() return d["2"] end)
m:shutdown() -- twice is fine
check.raises("ValueError", m.dict, m)

-- `with Manager() as m:`: the manager is shut down when the block ends
local inner
local got = mp.Manager():with(function(mm) inner = mm; local l2 = mm:list({ 7 }); return l2[1] end)
check.eq(got, 7, "with returns the block's value")
check.eq(inner._state, "SHUTDOWN", "and shuts the manager down")
do
  local mc <close> = mp.Manager()
  inner = mc
end
check.eq(inner._state, "SHUTDOWN", "<close> shuts it down too")

-- on the virtual clock too: one scheduler runs the server and its clients
lab.clock{ clock = "virtual" }
do
  local vm = mp.Manager()
  local vd = vm:dict()
  local vp = mp.Process{ target = function() vd.x = 42 end }
  vp:start(); vp:join()
  check.eq(vd.x, 42, "a child's write through a Manager, on the virtual clock")
  vm:shutdown()
end
lab.clock{ clock = "real" }

-- a Manager never shut down does not hold up the end of the run, even one
-- dropped at once (003's `q = Manager().Queue()`) and collected
local m2 = mp.Manager()
m2:list({ 1 })
local q3 = mp.Manager():Queue()
collectgarbage(); collectgarbage()
q3:put(1)
check.eq(q3:get(), 1, "a dropped manager still serves")
print("ok")
