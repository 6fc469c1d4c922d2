challenge{
  title = { en = "Two locks, two orders: a deadlock", zh = "两把锁，两种顺序：死锁" },
  goal_text = { en = "each thread holds one lock and waits for the other's: a deadlock",
                zh = "每个线程各拿一把锁，又等着对方的那把：死锁" },
  goal = function() return challenge.stuck() end,
  hint = { en = "Let each thread take its first lock before either takes its second.",
           zh = "让两个线程都先拿到各自的第一把锁，再去拿第二把。" },
  max_steps = 6,
  solution = "T2 T3 T2 T3",
}
-- 000 §2.2: one thread takes A then B, the other B then A.
A, B = threading.Lock{ name = "A" }, threading.Lock{ name = "B" }
function ab()
  A:acquire()
  B:acquire()
  B:release(); A:release()
end
function ba()
  B:acquire()
  A:acquire()
  A:release(); B:release()
end
threading.Thread{ target = ab }:start()
threading.Thread{ target = ba }:start()
