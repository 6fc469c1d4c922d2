challenge{
  title = { en = "Initialisation checked once, outside the lock", zh = "只在锁外检查一次的初始化" },
  goal_text = { en = "the shared object is made twice", zh = "共享对象被创建了两次" },
  goal = function() return made == 2 end,
  hint = { en = "Both threads must see instance == nil before either takes the lock. Nobody checks again inside it.",
           zh = "让两个线程都先看到 instance == nil，再去拿锁。锁里面没有人再检查一次。" },
  max_steps = 8,
  solution = "T2 T3 T2 T2 T2 T3 T3",
}
-- Double-checked initialisation needs its second check inside the lock;
-- this one forgot it. The lock makes the making one-at-a-time, not once.
instance, made = nil, 0
lock = threading.Lock()
function get()
  if instance == nil then
    lock:acquire()
    instance = {}; made = made + 1
    lock:release()
  end
end
threading.Thread{ target = get }:start()
threading.Thread{ target = get }:start()
