-- mp.Queue, JoinableQueue and Pipe across real processes, as CPython 3.11's
-- (each checked against python3 multiprocessing by hand).
local check = dofile("tests/lua/check.lua")

-- 003's Queue(3) demo: full after three puts, put_nowait raises queue.Full
local q = mp.Queue(3)
q:put("消息1"); q:put("消息2")
check.eq(q:full(), false, "not full after 2")
q:put("消息3")
check.eq(q:full(), true, "full after 3")
check.raises("queue.Full", q.put, q, "消息4", true, 0.1)
check.raises("queue.Full", q.put_nowait, q, "消息4")
check.eq(q:qsize(), 3, "qsize")
local got = {}
local reader = mp.Process{ target = function()
  local out = {}
  for _ = 1, 3 do out[#out + 1] = q:get() end
  os.exit(table.concat(out, ",") == "消息1,消息2,消息3" and 0 or 3)
end }
reader:start(); reader:join()
check.eq(reader.exitcode, 0, "the reader got the 3 messages in order")
check.raises("queue.Empty", q.get, q, true, 0.05)
check.raises("queue.Empty", q.get_nowait, q)

-- writer and reader processes, nil and tables crossing
local wq = mp.Queue()
local w = mp.Process{ target = function()
  for i = 1, 50 do wq:put({ i = i, f = i / 2 }) end
  wq:put(nil)
end }
w:start()
local sum = 0
for _ = 1, 50 do local m = wq:get(); sum = sum + m.i end
check.eq(wq:get(), nil, "None crosses as nil")
w:join()
check.eq(sum, 1275, "50 items from another process")

-- several producers, one consumer
local pq = mp.Queue(4)
local ps = {}
for k = 1, 3 do
  ps[k] = mp.Process{ target = function() for i = 1, 20 do pq:put(k * 100 + i) end end }
  ps[k]:start()
end
local n = 0
for _ = 1, 60 do pq:get(); n = n + 1 end
for _, p in ipairs(ps) do p:join() end
check.eq(n, 60, "3 producers x 20 through a Queue(4)")

-- JoinableQueue: join returns once every item is task_done
local jq = mp.JoinableQueue()
local c = mp.Process{ target = function()
  while true do local x = jq:get(); jq:task_done(); if x == "stop" then break end end
end, daemon = true }
c:start()
for i = 1, 10 do jq:put(i) end
jq:put("stop")
jq:join()
check.eq(jq:qsize(), 0, "joined: all done")
c:join()
check.raises("ValueError", jq.task_done, jq)

-- Pipe: send/recv both ways, poll, EOFError once the peer closed
local a, b = mp.Pipe()
local pp = mp.Process{ target = function()
  a:close()
  b:send({ n = 1 }); b:send(2.5)
  b:send(b:recv() .. "!")
  b:close()
end }
pp:start()
b:close()
check.eq(a:recv().n, 1, "a table through a Pipe")
check.eq(math.type(a:recv()), "float", "a float stays a float")
check.eq(a:poll(), false, "poll() answers at once")
a:send("ping")
check.eq(a:poll(5), true, "poll(5) waits for the answer")
check.eq(a:recv(), "ping!", "round trip")
pp:join()
check.raises("EOFError", a.recv, a)
-- sending a local function raises in the sender; the session goes on
local c1, c2 = mp.Pipe(false)
local e = check.raises("PicklingError", c2.send, c2, { cb = function() end })
check.truthy(tostring(e):find("obj.cb", 1, true), "names the path: " .. tostring(e))
check.raises("OSError", c1.send, c1, 1)
-- several threads of one process put at once (they share one feeder, which
-- drains without the condition): every item arrives, each thread's in order
local tq = mp.Queue()
local T, N = 3, 2000
local consumer = mp.Process{ target = function()
  local last, count = {}, 0
  for _ = 1, T * N do
    local item = tq:get(true, 20)
    local t, i = item[1], item[2]
    if i ~= (last[t] or 0) + 1 then os.exit(2) end -- out of order or lost
    last[t], count = i, count + 1
  end
  os.exit(count == T * N and 0 or 3)
end }
consumer:start()
local putters = {}
for t = 1, T do
  putters[t] = threading.Thread{ target = function() for i = 1, N do tq:put({ t, i }) end end }
  putters[t]:start()
end
for t = 1, T do putters[t]:join() end
consumer:join()
check.eq(consumer.exitcode, 0, "3 x 2000 items from 3 threads, none lost, each thread's in order")

print("ok")
