-- bench churn-20000: the mutex example of notes 002 §6.3 (互斥锁), in Lua.
-- N (default 20,000) short threads, each takes the shared lock once and
-- increments a global counter.  Shape as in the note: one loop creates,
-- starts and appends each thread; a second loop joins them all; print num.
-- Python twin: churn_20000.py.  Usage: threadlab --headless churn_20000.lua [N]
N = tonumber(arg and arg[1]) or 20000

function run(n)
  lock:acquire()    -- 获取锁
  num = num + 1
  lock:release()    -- 释放锁
end

lock = threading.Lock()   -- 实例化一个锁对象

num = 0
t_obj = {}

for i = 0, N - 1 do
  t = threading.Thread{target=run, args={"t-" .. i}}
  t:start()
  t_obj[#t_obj + 1] = t
end

for _, t in ipairs(t_obj) do
  t:join()
end

print("num:", num)
